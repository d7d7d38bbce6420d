using Compliance.Knowledge.Extraction;

namespace Compliance.Knowledge.Tests.Extraction;

public sealed class PdfExtractionTests
{
    [Fact]
    public async Task Multi_page_pdf_keeps_page_numbers_and_where_each_page_starts()
    {
        DocumentFixtures.RequirePdfToText();

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
        DocumentFixtures.RequirePdfToText();

        var document = await DocumentFixtures.ExtractAsync("multi-page.pdf");

        Assert.Equal("Northwind Fixture Policy", document.Title);
        Assert.Equal(
            [(1, "1 Purpose"), (1, "2 Blackout periods"), (1, "3 Contacts")],
            document.Headings.Select(h => (h.Level, h.Text)));
        DocumentFixtures.AssertHeadingOffsets(document);
        Assert.DoesNotContain('\f', document.Text);
    }

    [Fact]
    public async Task Pdf_with_only_an_image_fails_as_having_no_extractable_text()
    {
        DocumentFixtures.RequirePdfToText();

        var failure = await Assert.ThrowsAsync<DocumentExtractionException>(() => DocumentFixtures.ExtractAsync("scanned.pdf"));

        Assert.Equal(ExtractionFailure.NoExtractableText, failure.Failure);
        Assert.Contains("no extractable text", failure.Message, StringComparison.Ordinal);
        Assert.Contains("1 page", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Truncated_pdf_fails_as_corrupt_with_pdftotexts_reason_and_no_temp_path()
    {
        DocumentFixtures.RequirePdfToText();
        var temp = Directory.CreateTempSubdirectory("extract-test-");
        try
        {
            var failure = await Assert.ThrowsAsync<DocumentExtractionException>(
                () => DocumentFixtures.ExtractAsync("truncated.pdf", new ExtractionOptions { TempDirectory = temp.FullName }));

            Assert.Equal(ExtractionFailure.Corrupt, failure.Failure);
            Assert.Contains("xref", failure.Message, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(temp.FullName, failure.Message, StringComparison.Ordinal);
            Assert.Empty(temp.GetFileSystemInfos());
        }
        finally
        {
            temp.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Temporary_copy_is_deleted_after_a_successful_extraction()
    {
        DocumentFixtures.RequirePdfToText();
        var temp = Directory.CreateTempSubdirectory("extract-test-");
        try
        {
            await DocumentFixtures.ExtractAsync("multi-page.pdf", new ExtractionOptions { TempDirectory = temp.FullName });

            Assert.Empty(temp.GetFileSystemInfos());
        }
        finally
        {
            temp.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Missing_pdftotext_is_a_clear_error_naming_the_package()
    {
        var options = new ExtractionOptions { PdfToTextPath = "/nonexistent/bin/pdftotext" };

        var failure = await Assert.ThrowsAsync<ExtractionToolMissingException>(
            () => new DocumentExtractor(options).ExtractAsync(DocumentFixtures.Bytes("multi-page.pdf"), TestContext.Current.CancellationToken));

        Assert.Contains("poppler-utils", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pdf_is_recognised_by_content_whatever_the_file_is_called()
    {
        DocumentFixtures.RequirePdfToText();
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
        DocumentFixtures.RequirePdfToText();
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => new DocumentExtractor().ExtractAsync(DocumentFixtures.Bytes("multi-page.pdf"), cancelled.Token));
    }
}
