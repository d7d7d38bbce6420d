using System.Text;
using Compliance.Knowledge.Embeddings;
using Compliance.Knowledge.Indexing;

namespace Compliance.Evaluation.Running;

/// <summary>
/// A feature-hashing bag of words (each term and word pair hashed into one of <see cref="Dimensions"/> buckets,
/// normalised). It has no notion of meaning: it exists so the vector and fusion code paths can be measured end to
/// end before a real model is available. Its numbers say nothing about semantic retrieval.
/// </summary>
public sealed class HashingTextEmbedder(int dimensions = 384) : ITextEmbedder
{
    public int Dimensions { get; } = dimensions;

    public string ModelName => $"feature-hashing-{Dimensions}";

    // No prefixes: queries and passages hash alike.
    public Task<float[]> EmbedQueryAsync(string query, CancellationToken cancellationToken) => Task.FromResult(Embed(query));

    public Task<float[][]> EmbedPassagesAsync(IReadOnlyList<string> passages, CancellationToken cancellationToken) =>
        Task.FromResult(passages.Select(Embed).ToArray());

    private float[] Embed(string text)
    {
        var vector = new float[Dimensions];
        var terms = QueryTerms.Extract(text);
        string? previous = null;
        foreach (var term in terms)
        {
            Add(vector, term, 1f);
            if (previous is not null)
            {
                Add(vector, previous + " " + term, 0.5f);
            }
            previous = term;
        }
        var norm = MathF.Sqrt(vector.Sum(v => v * v));
        if (norm == 0)
        {
            vector[0] = 1; // text without terms still needs a direction
            return vector;
        }
        for (var i = 0; i < vector.Length; i++)
        {
            vector[i] /= norm;
        }
        return vector;
    }

    private void Add(float[] vector, string feature, float weight)
    {
        var hash = Fnv1a(feature);
        // One bit of the hash picks the sign, so unrelated features cancel out instead of piling up.
        vector[(int)(hash % (uint)Dimensions)] += (hash & 0x8000_0000) == 0 ? weight : -weight;
    }

    /// <summary>32-bit FNV-1a over UTF-8: stable across runs and machines, unlike string.GetHashCode.</summary>
    private static uint Fnv1a(string feature)
    {
        var hash = 2166136261u;
        foreach (var b in Encoding.UTF8.GetBytes(feature))
        {
            hash = (hash ^ b) * 16777619u;
        }
        return hash;
    }
}
