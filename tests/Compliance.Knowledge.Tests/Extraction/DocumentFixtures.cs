using Compliance.Knowledge.Extraction;

namespace Compliance.Knowledge.Tests.Extraction;

/// <summary>The committed documents in tests/fixtures/documents (see make-fixtures.py there for the binary ones).</summary>
internal static class DocumentFixtures
{
    private static readonly Lazy<string> Root = new(FindRoot);

    public static string PathOf(string name) => Path.Combine(Root.Value, name);

    public static byte[] Bytes(string name) => File.ReadAllBytes(PathOf(name));

    public static Task<ExtractedDocument> ExtractAsync(string name, ExtractionOptions? options = null) =>
        new DocumentExtractor(options).ExtractFileAsync(PathOf(name), TestContext.Current.CancellationToken);

    /// <summary>Every heading's offset must point at its own text in the extracted text.</summary>
    public static void AssertHeadingOffsets(ExtractedDocument document)
    {
        foreach (var heading in document.Headings)
        {
            Assert.True(
                string.CompareOrdinal(document.Text, heading.CharOffset, heading.Text, 0, heading.Text.Length) == 0,
                $"Heading '{heading.Text}' at {heading.CharOffset} does not match the text there: '{document.Text.Substring(heading.CharOffset, Math.Min(40, document.Text.Length - heading.CharOffset))}'");
        }
    }

    private static string FindRoot()
    {
        // Tests run from bin/<config>/<tfm>; the fixtures live in the repository, not in the build output.
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "tests", "fixtures", "documents");
            if (File.Exists(Path.Combine(candidate, "multi-page.pdf")))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException($"No tests/fixtures/documents above '{AppContext.BaseDirectory}'.");
    }
}
