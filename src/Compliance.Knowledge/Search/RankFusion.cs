using Compliance.Knowledge.Indexing;

namespace Compliance.Knowledge.Search;

/// <summary>
/// Pure fusion maths, separate from the I/O so it can be tested exactly: combine ranked lists, de-duplicate by chunk
/// id, cap per document, cut to top k.
/// </summary>
public static class RankFusion
{
    /// <summary>Reciprocal rank fusion: score(chunk) = Σ over lists containing it of 1 / (k + rank).</summary>
    public static IReadOnlyList<HybridHit> Rrf(
        IReadOnlyList<RankedChunk> text, IReadOnlyList<RankedChunk> vector, int k, int topK, int? maxChunksPerDocument)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        return Fuse(text, vector, (entry) =>
            (entry.TextRank is { } t ? 1.0 / (k + t) : 0) + (entry.VectorRank is { } v ? 1.0 / (k + v) : 0),
            topK, maxChunksPerDocument);
    }

    /// <summary>
    /// Weighted fusion of min-max normalised scores: each list is scaled to [0, 1] (a list whose scores are all
    /// equal scales to 1), a chunk missing from a list gets 0 there.
    /// </summary>
    public static IReadOnlyList<HybridHit> Weighted(
        IReadOnlyList<RankedChunk> text, IReadOnlyList<RankedChunk> vector, double textWeight, double vectorWeight, int topK, int? maxChunksPerDocument)
    {
        var textScale = Scale.Of(text);
        var vectorScale = Scale.Of(vector);
        return Fuse(text, vector, (entry) =>
            (entry.TextScore is { } t ? textWeight * textScale.Normalise(t) : 0)
            + (entry.VectorScore is { } v ? vectorWeight * vectorScale.Normalise(v) : 0),
            topK, maxChunksPerDocument);
    }

    private static List<HybridHit> Fuse(
        IReadOnlyList<RankedChunk> text, IReadOnlyList<RankedChunk> vector, Func<Entry, double> score, int topK, int? maxChunksPerDocument)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(topK, 1);
        var entries = new Dictionary<string, Entry>(StringComparer.Ordinal);
        // A list may repeat a chunk (it should not); its first, best-ranked appearance is the one that counts.
        foreach (var item in text)
        {
            if (!entries.TryGetValue(item.Chunk.ChunkId, out var entry))
            {
                entries[item.Chunk.ChunkId] = new Entry(item.Chunk) { TextRank = item.Rank, TextScore = item.Score };
            }
            else if (entry.TextRank is null)
            {
                entry.TextRank = item.Rank;
                entry.TextScore = item.Score;
            }
        }
        foreach (var item in vector)
        {
            if (!entries.TryGetValue(item.Chunk.ChunkId, out var entry))
            {
                entries[item.Chunk.ChunkId] = entry = new Entry(item.Chunk);
            }
            if (entry.VectorRank is null)
            {
                entry.VectorRank = item.Rank;
                entry.VectorScore = item.Score;
            }
        }
        foreach (var entry in entries.Values)
        {
            entry.Fused = score(entry);
        }
        // Ties: the better best-rank in either list wins, then the chunk found by both lists, then chunk id, so the
        // order never depends on dictionary order.
        var ordered = entries.Values
            .OrderByDescending(e => e.Fused)
            .ThenBy(e => Math.Min(e.TextRank ?? int.MaxValue, e.VectorRank ?? int.MaxValue))
            .ThenBy(e => (e.TextRank is null ? 1 : 0) + (e.VectorRank is null ? 1 : 0))
            .ThenBy(e => e.Chunk.ChunkId, StringComparer.Ordinal);

        var perDocument = new Dictionary<Guid, int>();
        var hits = new List<HybridHit>(topK);
        foreach (var entry in ordered)
        {
            if (maxChunksPerDocument is { } cap)
            {
                var taken = perDocument.GetValueOrDefault(entry.Chunk.DocumentId);
                if (taken >= cap)
                {
                    continue;
                }
                perDocument[entry.Chunk.DocumentId] = taken + 1;
            }
            hits.Add(new HybridHit(entry.Chunk, hits.Count + 1, entry.Fused, entry.TextRank, entry.TextScore, entry.VectorRank, entry.VectorScore));
            if (hits.Count == topK)
            {
                break;
            }
        }
        return hits;
    }

    private sealed class Entry(ChunkRecord chunk)
    {
        public ChunkRecord Chunk { get; } = chunk;
        public int? TextRank { get; set; }
        public double? TextScore { get; set; }
        public int? VectorRank { get; set; }
        public double? VectorScore { get; set; }
        public double Fused { get; set; }
    }

    private readonly record struct Scale(double Min, double Max)
    {
        public static Scale Of(IReadOnlyList<RankedChunk> list) =>
            list.Count == 0 ? new Scale(0, 0) : new Scale(list.Min(c => c.Score), list.Max(c => c.Score));

        public double Normalise(double score) => Max > Min ? (score - Min) / (Max - Min) : 1.0;
    }
}
