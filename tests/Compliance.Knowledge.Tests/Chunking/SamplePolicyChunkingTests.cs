using Compliance.Knowledge.Extraction;
using static Compliance.Knowledge.Tests.Chunking.ChunkingFixtures;

namespace Compliance.Knowledge.Tests.Chunking;

/// <summary>The sample policies in samples/policies are what /ask answers from out of the box: they must chunk well.</summary>
public sealed class SamplePolicyChunkingTests
{
    public static TheoryData<string> Policies => new(Directory.GetFiles(SamplesFolder(), "*.md").Where(p => !p.EndsWith("README.md", StringComparison.Ordinal)).Select(Path.GetFileName)!);

    [Theory]
    [MemberData(nameof(Policies))]
    public async Task Each_sample_policy_extracts_with_title_and_numbered_sections_and_chunks_within_limits(string file)
    {
        var document = await new DocumentExtractor().ExtractFileAsync(Path.Combine(SamplesFolder(), file), TestContext.Current.CancellationToken);

        var chunks = Chunker().Chunk(document, TestContext.Current.CancellationToken);

        Assert.Equal(DocumentKind.Markdown, document.Kind);
        Assert.EndsWith("Policy", document.Title, StringComparison.Ordinal);
        Assert.Contains("Effective date:", document.Text, StringComparison.Ordinal);
        Assert.True(document.Headings.Count >= 8, $"{file} has only {document.Headings.Count} headings");
        AssertInvariants(document, chunks, 512);
        // Only the title block (title, version, effective date) sits outside a numbered section.
        Assert.All(chunks.Where(c => c.SectionPath is null), c => Assert.Contains("Effective date:", c.Text, StringComparison.Ordinal));
        Assert.True(chunks.Count(c => c.SectionPath is null) <= 1);
    }

    [Fact]
    public async Task Blackout_rule_is_cited_as_its_numbered_section()
    {
        var document = await new DocumentExtractor().ExtractFileAsync(Path.Combine(SamplesFolder(), "insider-trading.md"), TestContext.Current.CancellationToken);

        var chunks = Chunker().Chunk(document, TestContext.Current.CancellationToken);

        var blackout = Assert.Single(chunks, c => c.Text.Contains("15th calendar day of the last month", StringComparison.Ordinal));
        Assert.Equal("5 Trading › 5.2 Blackout periods", blackout.SectionPath);
    }

    private static string SamplesFolder()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "samples", "policies");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException($"No samples/policies above '{AppContext.BaseDirectory}'.");
    }
}
