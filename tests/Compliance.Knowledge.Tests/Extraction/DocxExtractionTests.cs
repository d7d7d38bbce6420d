using System.IO.Compression;
using Compliance.Knowledge.Extraction;
using Compliance.Testing.Documents;

namespace Compliance.Knowledge.Tests.Extraction;

public sealed class DocxExtractionTests
{
    private static readonly byte[] Policy = GeneratedDocuments.Docx(
        ("Title", "Northwind Gifts Policy"),
        (null, "This policy applies to every employee."),
        ("Heading1", "Gifts"),
        (null, "Gifts above 100 USD are declared within five days."),
        ("Heading2", "Hospitality"),
        (null, "Dinners with clients are recorded in the register."),
        ("PolicyClause", "Exceptions"),
        (null, "The Chief Compliance Officer approves exceptions in writing."),
        ("Heading1", "Trading"),
        (null, "Pre-clearance is required for listed securities."));

    [Fact]
    public async Task Word_headings_become_sections_with_their_levels()
    {
        var document = await Extract(Policy);

        Assert.Equal(DocumentKind.Docx, document.Kind);
        Assert.Equal("application/vnd.openxmlformats-officedocument.wordprocessingml.document", document.ContentType);
        Assert.Equal("Northwind Gifts Policy", document.Title);
        // "PolicyClause" has no outline level of its own: it inherits Heading2's through basedOn.
        Assert.Equal(
            [(1, "Gifts"), (2, "Hospitality"), (2, "Exceptions"), (1, "Trading")],
            document.Headings.Select(h => (h.Level, h.Text)));
        DocumentFixtures.AssertHeadingOffsets(document);
        Assert.Empty(document.Pages);

        var trading = document.Headings.Single(h => h.Text == "Trading").CharOffset;
        var preclearance = document.Text.IndexOf("Pre-clearance is required", StringComparison.Ordinal);
        Assert.True(preclearance > trading, document.Text);
    }

    [Fact]
    public async Task Word_sections_reach_the_chunks_as_section_paths()
    {
        var document = await Extract(Policy);

        var chunks = new Compliance.Knowledge.Chunking.DocumentChunker(
            Compliance.Knowledge.Embeddings.BundledTokenizers.GteSmall,
            new Compliance.Knowledge.Chunking.ChunkingOptions { MergeSectionsBelowTokens = 0 }).Chunk(document, TestContext.Current.CancellationToken);

        var exceptions = Assert.Single(chunks, c => c.Text.Contains("approves exceptions", StringComparison.Ordinal));
        Assert.Equal("Gifts › Exceptions", exceptions.SectionPath);
    }

    [Fact]
    public async Task A_damaged_word_document_is_corrupt_not_unsupported()
    {
        // A real .docx with its main part cut short: the archive is recognised, the XML inside is not readable.
        var broken = Rewrite(Policy, "word/document.xml", xml => xml[..(xml.Length / 2)]);

        var failure = await Assert.ThrowsAsync<DocumentExtractionException>(() => Extract(broken));

        Assert.Equal(ExtractionFailure.Corrupt, failure.Failure);
        Assert.Contains("Word document could not be read", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_zip_that_is_not_a_word_document_is_refused_clearly()
    {
        var spreadsheet = Rewrite(Policy, "word/document.xml", null, rename: "xl/workbook.xml");

        var failure = await Assert.ThrowsAsync<DocumentExtractionException>(() => Extract(spreadsheet));

        Assert.Equal(ExtractionFailure.UnsupportedType, failure.Failure);
        Assert.Contains("ZIP archive but not a Word document", failure.Message, StringComparison.Ordinal);
        Assert.Equal(DocumentKind.Unknown, ContentSniffer.Sniff(spreadsheet));
        Assert.Equal(DocumentKind.Docx, ContentSniffer.Sniff(Policy));
    }

    [Fact]
    public async Task A_word_document_past_the_character_limit_is_refused_naming_it()
    {
        var longPolicy = GeneratedDocuments.Docx(Enumerable.Range(0, 400).Select(i => ((string?)null, $"Clause {i}: gifts are declared to the compliance office.")).ToArray());

        var failure = await Assert.ThrowsAsync<DocumentExtractionException>(
            () => new DocumentExtractor(new ExtractionOptions { MaxCharacters = 5_000 }).ExtractAsync(longPolicy, TestContext.Current.CancellationToken));

        Assert.Equal(ExtractionFailure.LimitExceeded, failure.Failure);
        Assert.Equal(DocumentLimit.Characters, failure.Limit);
        Assert.Contains("5,000 characters", failure.Message, StringComparison.Ordinal);
    }

    private static Task<ExtractedDocument> Extract(byte[] bytes) =>
        new DocumentExtractor().ExtractAsync(bytes, TestContext.Current.CancellationToken);

    /// <summary>The archive with one entry's text changed (or the entry renamed when the change is null).</summary>
    private static byte[] Rewrite(byte[] docx, string entryName, Func<string, string>? change, string? rename = null)
    {
        using var output = new MemoryStream();
        using (var source = new ZipArchive(new MemoryStream(docx), ZipArchiveMode.Read))
        using (var target = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var entry in source.Entries)
            {
                using var reader = new StreamReader(entry.Open());
                var text = reader.ReadToEnd();
                var name = entry.FullName;
                if (name == entryName)
                {
                    text = change?.Invoke(text) ?? text;
                    name = rename ?? name;
                }

                using var writer = new StreamWriter(target.CreateEntry(name).Open());
                writer.Write(text);
            }
        }

        return output.ToArray();
    }
}
