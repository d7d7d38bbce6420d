using Compliance.Knowledge.Extraction;
using Compliance.Testing.Documents;

namespace Compliance.Knowledge.Tests.Extraction;

public sealed class PdfExtractionTests
{
    [Fact]
    public async Task Multi_page_pdf_keeps_page_numbers_and_where_each_page_starts()
    {
        var document = await DocumentFixtures.ExtractAsync("multi-page.pdf");

        Assert.Equal(DocumentKind.Pdf, document.Kind);
        Assert.Equal("application/pdf", document.ContentType);
        Assert.Equal([1, 2, 3], document.Pages.Select(p => p.Number));
        Assert.Equal(0, document.Pages[0].CharOffset);
        Assert.StartsWith("2 Blackout periods", document.Text[document.Pages[1].CharOffset..], StringComparison.Ordinal);
        Assert.StartsWith("3 Contacts", document.Text[document.Pages[2].CharOffset..], StringComparison.Ordinal);
        var blackout = document.Text.IndexOf("15 March to 2 April", StringComparison.Ordinal);
        Assert.InRange(blackout, document.Pages[1].CharOffset, document.Pages[2].CharOffset);
    }

    [Fact]
    public async Task Pdf_title_is_the_first_line_and_numbered_lines_become_headings()
    {
        var document = await DocumentFixtures.ExtractAsync("multi-page.pdf");

        Assert.Equal("Northwind Fixture Policy", document.Title);
        Assert.Equal(
            [(1, "1 Purpose"), (1, "2 Blackout periods"), (1, "3 Contacts")],
            document.Headings.Select(h => (h.Level, h.Text)));
        DocumentFixtures.AssertHeadingOffsets(document);
        Assert.DoesNotContain('\f', document.Text);
    }

    [Fact]
    public async Task Two_column_pages_read_column_by_column_with_page_numbers()
    {
        // The fixture draws its columns row by row (left line, right line, ...): pdftotext -layout prints
        // "Employees may accept gifts worth up to      Staff must obtain pre-clearance before" as one line.
        var document = await DocumentFixtures.ExtractAsync("two-column.pdf");

        Assert.Equal("Northwind Two-Column Policy", document.Title);
        Assert.Equal([1, 2], document.Pages.Select(p => p.Number));
        Assert.Equal(
            [(1, "1 Gifts and entertainment"), (1, "2 Personal trading"), (1, "3 Conflicts of interest"), (1, "4 Record keeping")],
            document.Headings.Select(h => (h.Level, h.Text)));
        DocumentFixtures.AssertHeadingOffsets(document);

        // The whole left column comes before the right one, and each column's lines keep their order.
        string[] inReadingOrder =
        [
            "Employees may accept gifts worth up to", "100 USD from a business partner.", "The left column ends here.",
            "Staff must obtain pre-clearance before", "trading any listed security.", "to the compliance office annually.",
        ];
        var positions = inReadingOrder.Select(s => document.Text.IndexOf(s, StringComparison.Ordinal)).ToList();
        Assert.All(positions, p => Assert.True(p >= 0, "a line of the fixture is missing:\n" + document.Text));
        Assert.Equal(positions.Order(), positions);
        Assert.DoesNotContain("up to Staff", document.Text, StringComparison.Ordinal);

        // Page 2's columns are on page 2, in the same order.
        var page2 = document.Text[document.Pages[1].CharOffset..];
        Assert.StartsWith("3 Conflicts of interest", page2, StringComparison.Ordinal);
        Assert.True(page2.IndexOf("committee.", StringComparison.Ordinal) < page2.IndexOf("4 Record keeping", StringComparison.Ordinal), page2);
    }

    [Fact]
    public async Task Words_hyphenated_at_a_line_break_are_joined_and_real_hyphens_kept()
    {
        var document = await DocumentFixtures.ExtractAsync("two-column.pdf");

        Assert.Contains("require written compliance", document.Text, StringComparison.Ordinal);
        Assert.Contains("requires disclosure", document.Text, StringComparison.Ordinal);
        Assert.Contains("are reviewed", document.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("compli-", document.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("disclo-", document.Text, StringComparison.Ordinal);
        // A hyphen inside a line, or before a capitalised word, is part of the text.
        Assert.Contains("pre-clearance", document.Text, StringComparison.Ordinal);
        Assert.Contains("Anti-\nMoney Laundering", document.Text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "written compli-", "ance approval" }, new[] { "written compliance", "approval" })]
    [InlineData(new[] { "a long re-", "viewed", "text" }, new[] { "a long reviewed", "text" })]
    [InlineData(new[] { "Anti-", "Money" }, new[] { "Anti-", "Money" })]
    [InlineData(new[] { "2020-", "2021 figures" }, new[] { "2020-", "2021 figures" })]
    [InlineData(new[] { "ends with a dash -", "next" }, new[] { "ends with a dash -", "next" })]
    [InlineData(new[] { "last line hyphen-" }, new[] { "last line hyphen-" })]
    public void Hyphenation_joins_only_words_broken_at_a_line_end(string[] lines, string[] expected)
    {
        Assert.Equal(expected, Hyphenation.JoinLines(lines));
    }

    [Fact]
    public async Task Pdf_with_only_an_image_fails_as_having_no_extractable_text()
    {
        var failure = await Assert.ThrowsAsync<DocumentExtractionException>(() => DocumentFixtures.ExtractAsync("scanned.pdf"));

        Assert.Equal(ExtractionFailure.NoExtractableText, failure.Failure);
        Assert.Contains("no extractable text", failure.Message, StringComparison.Ordinal);
        Assert.Contains("1 page", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Truncated_pdf_fails_as_corrupt_with_the_readers_reason()
    {
        var failure = await Assert.ThrowsAsync<DocumentExtractionException>(() => DocumentFixtures.ExtractAsync("truncated.pdf"));

        Assert.Equal(ExtractionFailure.Corrupt, failure.Failure);
        Assert.Contains("damaged or incomplete", failure.Message, StringComparison.Ordinal);
        Assert.True(failure.Message.Length < 500, failure.Message);
    }

    [Fact]
    public async Task Pdf_is_recognised_by_content_whatever_the_file_is_called()
    {
        var path = Path.Combine(Path.GetTempPath(), $"{Guid.NewGuid():N}.txt");
        await File.WriteAllBytesAsync(path, DocumentFixtures.Bytes("multi-page.pdf"), TestContext.Current.CancellationToken);
        try
        {
            var document = await new DocumentExtractor().ExtractFileAsync(path, TestContext.Current.CancellationToken);

            Assert.Equal(DocumentKind.Pdf, document.Kind);
            Assert.Equal(3, document.Pages.Count);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task Cancelled_extraction_stops_with_cancellation_not_a_document_failure()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => new DocumentExtractor().ExtractAsync(DocumentFixtures.Bytes("multi-page.pdf"), cancelled.Token));
    }

    [Fact]
    public async Task Pdf_with_more_pages_than_the_limit_is_refused_before_a_page_is_read()
    {
        // 20,000 pages sharing one content stream: a 2 MB file that would expand to ~80 MB of text.
        var bomb = GeneratedDocuments.SharedContentStreamPdf(pages: 20_000);
        var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();

        var failure = await Assert.ThrowsAsync<DocumentExtractionException>(
            () => new DocumentExtractor().ExtractAsync(bomb, TestContext.Current.CancellationToken));

        Assert.Equal(ExtractionFailure.LimitExceeded, failure.Failure);
        Assert.Equal(DocumentLimit.Pages, failure.Limit);
        Assert.Contains("20,000 pages", failure.Message, StringComparison.Ordinal);
        Assert.Contains("2,000", failure.Message, StringComparison.Ordinal);
        // Parsing the page tree costs some megabytes; reading the pages would have cost gigabytes.
        Assert.InRange(GC.GetAllocatedBytesForCurrentThread() - allocatedBefore, 0, 200L * 1024 * 1024);
    }

    [Fact]
    public async Task Pdf_whose_text_passes_the_character_limit_stops_at_the_page_that_passed_it()
    {
        // ~4,000 characters per page: the 50,000-character limit is passed on page 13 of 1,500.
        var bomb = GeneratedDocuments.SharedContentStreamPdf(pages: 1_500);
        var extractor = new DocumentExtractor(new ExtractionOptions { MaxCharacters = 50_000 });
        var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();

        var failure = await Assert.ThrowsAsync<DocumentExtractionException>(
            () => extractor.ExtractAsync(bomb, TestContext.Current.CancellationToken));

        Assert.Equal(ExtractionFailure.LimitExceeded, failure.Failure);
        Assert.Equal(DocumentLimit.Characters, failure.Limit);
        Assert.Contains("50,000 characters", failure.Message, StringComparison.Ordinal);
        Assert.Matches(@"stopped at page 1[0-9] of 1,500", failure.Message);
        // Extracting all 1,500 pages allocates gigabytes; stopping at page ~13 allocates a few dozen megabytes.
        Assert.InRange(GC.GetAllocatedBytesForCurrentThread() - allocatedBefore, 0, 300L * 1024 * 1024);
    }
}
