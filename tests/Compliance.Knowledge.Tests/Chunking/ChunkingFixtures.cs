using System.Text;
using Compliance.Knowledge.Chunking;
using Compliance.Knowledge.Extraction;
using Compliance.Knowledge.Tests.Tokenizer;

namespace Compliance.Knowledge.Tests.Chunking;

/// <summary>Documents built in code (through the real Markdown extractor where headings matter) and invariant checks.</summary>
internal static class ChunkingFixtures
{
    private static readonly string[] Words =
    [
        "employees", "must", "obtain", "pre-clearance", "before", "trading", "covered", "securities", "during", "the",
        "quarterly", "blackout", "window", "compliance", "officer", "approves", "requests", "within", "two", "business",
        "days", "material", "non-public", "information", "gifts", "above", "threshold", "require", "written", "approval",
        "records", "are", "retained", "for", "seven", "years", "and", "reviewed", "annually", "by", "internal", "audit",
    ];

    public static DocumentChunker Chunker(int chunkSize = 512, int overlap = 50, int mergeBelow = 48) =>
        new(TokenizerFixtures.GteSmall, new ChunkingOptions { ChunkSize = chunkSize, ChunkOverlap = overlap, MergeSectionsBelowTokens = mergeBelow });

    public static int Count(string text) => TokenizerFixtures.GteSmall.CountTokens(text);

    /// <summary>Deterministic prose: sentences of 8–20 words, paragraphs of the given number of sentences.</summary>
    public static string Prose(int seed, int paragraphs, int sentencesPerParagraph)
    {
        var random = new Random(seed);
        var builder = new StringBuilder();
        for (var p = 0; p < paragraphs; p++)
        {
            if (p > 0)
            {
                builder.Append("\n\n");
            }

            for (var s = 0; s < sentencesPerParagraph; s++)
            {
                if (s > 0)
                {
                    builder.Append(' ');
                }

                var length = random.Next(8, 21);
                for (var w = 0; w < length; w++)
                {
                    var word = Words[random.Next(Words.Length)];
                    builder.Append(w == 0 ? char.ToUpperInvariant(word[0]) + word[1..] : word);
                    builder.Append(w == length - 1 ? "." : " ");
                }
            }
        }

        return builder.ToString();
    }

    public static ExtractedDocument Markdown(string markdown) =>
        new DocumentExtractor().ExtractAsync(Encoding.UTF8.GetBytes(markdown), TestContext.Current.CancellationToken).GetAwaiter().GetResult();

    public static ExtractedDocument Plain(string text, IReadOnlyList<DocumentPage>? pages = null) =>
        new(DocumentKind.PlainText, "text/plain", text, null, [], pages ?? []);

    /// <summary>What every chunking must satisfy: limits, exact offsets, recounted tokens, ordinals.</summary>
    public static void AssertInvariants(ExtractedDocument document, IReadOnlyList<TextChunk> chunks, int chunkSize)
    {
        for (var i = 0; i < chunks.Count; i++)
        {
            var chunk = chunks[i];
            Assert.Equal(i, chunk.Ordinal);
            Assert.Equal(document.Text[chunk.CharStart..chunk.CharEnd], chunk.Text);
            Assert.Equal(chunk.Text.Trim(), chunk.Text);
            Assert.NotEmpty(chunk.Text);
            Assert.Equal(Count(chunk.Text), chunk.TokenCount);
            Assert.True(chunk.TokenCount <= chunkSize - 2, $"Chunk {i} has {chunk.TokenCount} tokens, over {chunkSize - 2}.");
            var encoded = TokenizerFixtures.GteSmall.Encode(chunk.Text, chunkSize);
            Assert.False(encoded.Truncated, $"Chunk {i} would be truncated when embedded.");
            if (i > 0)
            {
                Assert.True(chunk.CharStart > chunks[i - 1].CharStart, $"Chunk {i} does not move forward.");
            }
        }
    }
}
