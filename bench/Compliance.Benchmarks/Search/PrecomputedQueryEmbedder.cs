using Compliance.Knowledge.Embeddings;

namespace Compliance.Benchmarks.Search;

/// <summary>Returns a prepared vector at once, so a benchmark measures search and fusion without the model.</summary>
public sealed class PrecomputedQueryEmbedder(float[] vector) : ITextEmbedder
{
    public float[] Vector { get; set; } = vector;

    public int Dimensions => Vector.Length;

    public string ModelName => "precomputed";

    public Task<float[]> EmbedQueryAsync(string query, CancellationToken cancellationToken) => Task.FromResult(Vector);

    public Task<float[][]> EmbedPassagesAsync(IReadOnlyList<string> passages, CancellationToken cancellationToken) =>
        Task.FromResult(passages.Select(_ => Vector).ToArray());
}
