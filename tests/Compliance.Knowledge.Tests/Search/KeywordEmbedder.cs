using Compliance.Knowledge.Embeddings;
using Compliance.Knowledge.Indexing;

namespace Compliance.Knowledge.Tests.Search;

/// <summary>
/// A deterministic stand-in for a semantic model: each axis is a concept with several synonyms, so "present" and
/// "gift" land on the same axis although they share no letters. Enough to show what the vector list adds.
/// </summary>
internal sealed class KeywordEmbedder : ITextEmbedder
{
    private static readonly string[][] Concepts =
    [
        ["gift", "gifts", "present", "presents", "hospitality", "entertainment"],
        ["trade", "trading", "shares", "securities", "blackout", "dealing"],
        ["records", "retention", "archive", "retain", "kept"],
        ["outside", "directorship", "employment", "business"],
    ];

    public int Calls { get; private set; }

    public int Dimensions => Concepts.Length + 1;

    public string ModelName => "keyword-test";

    public Task<float[]> EmbedQueryAsync(string text, CancellationToken cancellationToken)
    {
        Calls++;
        return Task.FromResult(Embed(text));
    }

    public Task<float[][]> EmbedPassagesAsync(IReadOnlyList<string> texts, CancellationToken cancellationToken) =>
        Task.FromResult(texts.Select(Embed).ToArray());

    public static float[] Embed(string text)
    {
        var vector = new float[Concepts.Length + 1];
        vector[^1] = 0.05f; // keeps a text with no known concept from being the zero vector
        foreach (var term in QueryTerms.Extract(text))
        {
            for (var axis = 0; axis < Concepts.Length; axis++)
            {
                if (Concepts[axis].Contains(term))
                {
                    vector[axis] += 1;
                }
            }
        }
        var norm = MathF.Sqrt(vector.Sum(v => v * v));
        return vector.Select(v => v / norm).ToArray();
    }
}
