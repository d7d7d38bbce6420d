using System.Collections.Concurrent;

namespace Compliance.Knowledge.Embeddings;

/// <summary>
/// Remembers the vectors of recently embedded queries (questions), so a repeated question skips the model.
/// Bounded: when full, the cache is cleared rather than tracking recency — questions repeat in bursts, and a
/// cleared cache costs one embedding per question, never wrong results. Passages (document chunks) pass through.
/// </summary>
public sealed class CachingTextEmbedder(ITextEmbedder inner, int capacity = 10_000) : ITextEmbedder, IDisposable
{
    private readonly ConcurrentDictionary<string, float[]> _vectors = new(StringComparer.Ordinal);
    private long _hits;

    public int Dimensions => inner.Dimensions;

    public string ModelName => inner.ModelName;

    /// <summary>The wrapped embedder.</summary>
    public ITextEmbedder Inner => inner;

    /// <summary>How many embeddings were served from the cache.</summary>
    public long Hits => Interlocked.Read(ref _hits);

    public async Task<float[]> EmbedQueryAsync(string query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var text = query;
        if (_vectors.TryGetValue(text, out var cached))
        {
            Interlocked.Increment(ref _hits);
            return (float[])cached.Clone(); // callers may not mutate the shared copy
        }
        var vector = await inner.EmbedQueryAsync(text, cancellationToken);
        if (_vectors.Count >= capacity)
        {
            _vectors.Clear();
        }
        _vectors[text] = (float[])vector.Clone();
        return vector;
    }

    public Task<float[][]> EmbedPassagesAsync(IReadOnlyList<string> passages, CancellationToken cancellationToken) =>
        inner.EmbedPassagesAsync(passages, cancellationToken);

    public void Dispose() => (inner as IDisposable)?.Dispose();
}
