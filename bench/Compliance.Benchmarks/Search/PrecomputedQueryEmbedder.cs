using Compliance.Knowledge.Embeddings;

namespace Compliance.Benchmarks.Search;

/// <summary>Returns a prepared vector at once, so a benchmark measures search and fusion without the model.</summary>
public sealed class PrecomputedQueryEmbedder(float[] vector) : ITextEmbedder
{
    public float[] Vector { get; set; } = vector;

    public int Dimensions => Vector.Length;

    public string ModelName => "precomputed";

    public Task<float[]> EmbedAsync(string text, CancellationToken cancellationToken) => Task.FromResult(Vector);

    public Task<float[][]> EmbedBatchAsync(IReadOnlyList<string> texts, CancellationToken cancellationToken) =>
        Task.FromResult(texts.Select(_ => Vector).ToArray());
}
