using Compliance.Knowledge.Indexing;

namespace Compliance.Knowledge.Search;

/// <summary>
/// Pure fusion maths, separate from the I/O so it can be tested exactly: combine ranked lists, de-duplicate by chunk
/// id, cap per document, cut to top k.
/// </summary>
public static class RankFusion
{
    /// <summary>
    /// Fuses the two lists as <paramref name="options"/> say (method, k, weights, normalisation, per-document cap),
    /// without the query-dependent steps: no lexical re-ranking. <see cref="HybridSearch"/> calls the overload with the query.
    /// </summary>
    public static IReadOnlyList<HybridHit> Fuse(
        IReadOnlyList<RankedChunk> text, IReadOnlyList<RankedChunk> vector, HybridSearchOptions options, int topK) =>
        Fuse(null, text, vector, options, topK);

    /// <summary>
    /// Fuses the two lists as <paramref name="options"/> say: method, k, weights (per query when
    /// <see cref="HybridSearchOptions.AdaptiveTextZThreshold"/> is set), normalisation, lexical re-ranking of the fused
    /// top <see cref="HybridSearchOptions.LexicalRerankDepth"/> for <paramref name="query"/>, per-document cap.
    /// </summary>
    public static IReadOnlyList<HybridHit> Fuse(
        string? query, IReadOnlyList<RankedChunk> text, IReadOnlyList<RankedChunk> vector, HybridSearchOptions options, int topK)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(vector);
        return Hits(Fuse(query, Items(text), Items(vector), options, topK));
    }

    /// <summary>
    /// The same fusion over candidates known by id alone (<see cref="ICandidateSearch"/>): the same order, scores and
    /// ranks as <see cref="Fuse(string?, IReadOnlyList{RankedChunk}, IReadOnlyList{RankedChunk}, HybridSearchOptions, int)"/>
    /// gives for the same lists, without the chunks. The lexical re-ranking reads the chunks' text, so it is refused here.
    /// </summary>
    public static IReadOnlyList<FusedCandidate> FuseCandidates(
        IReadOnlyList<RankedCandidate> text, IReadOnlyList<RankedCandidate> vector, HybridSearchOptions options, int topK)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(vector);
        ArgumentNullException.ThrowIfNull(options);
        if (options.LexicalRerankDepth > 0 && options.Fusion == FusionMethod.Weighted && text.Count > 0 && vector.Count > 0)
        {
            throw new ArgumentException("HybridSearchOptions.LexicalRerankDepth is set: the lexical re-ranking reads the candidates' text, so fuse the chunks, not their ids.", nameof(options));
        }
        return [.. Fuse(null, Items(text), Items(vector), options, topK).Select(e =>
            new FusedCandidate(e.ChunkId, e.DocumentId, e.FusedRank, e.Fused, e.TextRank, e.TextScore, e.VectorRank, e.VectorScore))];
    }

    private static List<Entry> Fuse(string? query, IReadOnlyList<Item> text, IReadOnlyList<Item> vector, HybridSearchOptions options, int topK)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Fusion == FusionMethod.Rrf)
        {
            return Rrf(text, vector, options.RrfK, options.TextWeight, options.VectorWeight, topK, options.MaxChunksPerDocument);
        }
        var (textWeight, vectorWeight) = WeightsFor(text, options);
        var textScale = Scale.Of(text, options.Normalization);
        var vectorScale = Scale.Of(vector, options.Normalization);
        // Re-ranking re-scores a fusion: a single list (lexical-only mode, vector-only diagnostics) keeps its backend's order.
        var rerank = query is null || text.Count == 0 || vector.Count == 0 ? 0 : options.LexicalRerankDepth;
        return Fuse(text, vector, (entry) =>
            textWeight * textScale.Normalise(entry.TextScore) + vectorWeight * vectorScale.Normalise(entry.VectorScore),
            topK, options.MaxChunksPerDocument, rerank == 0 ? null : ordered => RerankLexically(query!, ordered, rerank, options.LexicalRerankWeight));
    }

    /// <summary>
    /// The text and vector weights for this query: the configured ones, or, when the BM25 list's best z-score is
    /// below <see cref="HybridSearchOptions.AdaptiveTextZThreshold"/>, the same total split with the vector list's
    /// share at <see cref="HybridSearchOptions.AdaptiveVectorWeight"/>. A BM25 list whose best passage hardly stands
    /// out from the rest means the question's rare words pick out nothing; meaning is then the better guide.
    /// </summary>
    public static (double Text, double Vector) WeightsFor(IReadOnlyList<RankedChunk> text, HybridSearchOptions options)
    {
        ArgumentNullException.ThrowIfNull(text);
        return WeightsFor(Items(text), options);
    }

    private static (double Text, double Vector) WeightsFor(IReadOnlyList<Item> text, HybridSearchOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.AdaptiveTextZThreshold is not { } threshold || text.Count < 2)
        {
            return (options.TextWeight, options.VectorWeight);
        }
        var z = Scale.Of(text, ScoreNormalization.ZScore).Normalise(text.Max(c => c.Score));
        if (z >= threshold)
        {
            return (options.TextWeight, options.VectorWeight);
        }
        var total = options.TextWeight + options.VectorWeight;
        return (total * (1 - options.AdaptiveVectorWeight), total * options.AdaptiveVectorWeight);
    }

    /// <summary>
    /// Re-orders the fused top <paramref name="depth"/> by (1 − w) · z(fused score) + w · z(BM25 over these
    /// candidates alone); the rest keep their order below them.
    /// </summary>
    private static List<Entry> RerankLexically(string query, List<Entry> ordered, int depth, double weight)
    {
        var head = ordered.Take(depth).ToList();
        // Only the RankedChunk overloads re-rank (FuseCandidates refuses to), so every entry carries its chunk.
        var lexical = CandidateBm25.Score(query, [.. head.Select(e => e.Chunk!)]);
        var fusedZ = ZScores([.. head.Select(e => e.Fused)]);
        var lexicalZ = ZScores(lexical);
        for (var i = 0; i < head.Count; i++)
        {
            head[i].Fused = ((1 - weight) * fusedZ[i]) + (weight * lexicalZ[i]);
        }
        // A stable sort: equal blends keep the first stage's order (and so its tie-breaks).
        return [.. head.OrderByDescending(e => e.Fused), .. ordered.Skip(depth)];
    }

    /// <summary>(x − mean) / sd; all 0 when the values are equal (they then say nothing about the order).</summary>
    private static double[] ZScores(double[] values)
    {
        if (values.Length == 0)
        {
            return values;
        }
        var mean = values.Average();
        var deviation = Math.Sqrt(values.Average(v => (v - mean) * (v - mean)));
        return [.. values.Select(v => deviation > 0 ? (v - mean) / deviation : 0)];
    }

    /// <summary>Reciprocal rank fusion: score(chunk) = Σ over lists containing it of 1 / (k + rank).</summary>
    public static IReadOnlyList<HybridHit> Rrf(
        IReadOnlyList<RankedChunk> text, IReadOnlyList<RankedChunk> vector, int k, int topK, int? maxChunksPerDocument) =>
        Rrf(text, vector, k, 1, 1, topK, maxChunksPerDocument);

    /// <summary>
    /// Weighted reciprocal rank fusion: score(chunk) = textWeight / (k + text rank) + vectorWeight / (k + vector rank),
    /// a list missing the chunk adding nothing. Equal weights give plain RRF.
    /// </summary>
    public static IReadOnlyList<HybridHit> Rrf(
        IReadOnlyList<RankedChunk> text, IReadOnlyList<RankedChunk> vector, int k, double textWeight, double vectorWeight, int topK, int? maxChunksPerDocument) =>
        Hits(Rrf(Items(text), Items(vector), k, textWeight, vectorWeight, topK, maxChunksPerDocument));

    private static List<Entry> Rrf(
        IReadOnlyList<Item> text, IReadOnlyList<Item> vector, int k, double textWeight, double vectorWeight, int topK, int? maxChunksPerDocument)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        return Fuse(text, vector, (entry) =>
            (entry.TextRank is { } t ? textWeight / (k + t) : 0) + (entry.VectorRank is { } v ? vectorWeight / (k + v) : 0),
            topK, maxChunksPerDocument);
    }

    /// <summary>
    /// Weighted fusion of min-max normalised scores: each list is scaled to [0, 1] (a list whose scores are all
    /// equal scales to 1), a chunk missing from a list gets 0 there.
    /// </summary>
    public static IReadOnlyList<HybridHit> Weighted(
        IReadOnlyList<RankedChunk> text, IReadOnlyList<RankedChunk> vector, double textWeight, double vectorWeight, int topK, int? maxChunksPerDocument) =>
        Weighted(text, vector, textWeight, vectorWeight, ScoreNormalization.MinMax, topK, maxChunksPerDocument);

    /// <summary>
    /// Weighted fusion of per-list normalised scores: textWeight · norm(BM25) + vectorWeight · norm(cosine). A chunk
    /// missing from a list scores there as the list's lowest score does (it ranked below all of them): 0 after
    /// min-max, the lowest z-score after z-score normalisation.
    /// </summary>
    public static IReadOnlyList<HybridHit> Weighted(
        IReadOnlyList<RankedChunk> text, IReadOnlyList<RankedChunk> vector, double textWeight, double vectorWeight,
        ScoreNormalization normalization, int topK, int? maxChunksPerDocument)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(vector);
        var textItems = Items(text);
        var vectorItems = Items(vector);
        var textScale = Scale.Of(textItems, normalization);
        var vectorScale = Scale.Of(vectorItems, normalization);
        return Hits(Fuse(textItems, vectorItems, (entry) =>
            textWeight * textScale.Normalise(entry.TextScore) + vectorWeight * vectorScale.Normalise(entry.VectorScore),
            topK, maxChunksPerDocument));
    }

    private static List<Item> Items(IReadOnlyList<RankedChunk> list) =>
        [.. list.Select(c => new Item(c.Chunk.ChunkId, c.Chunk.DocumentId, c.Rank, c.Score, c.Chunk))];

    private static List<Item> Items(IReadOnlyList<RankedCandidate> list) =>
        [.. list.Select(c => new Item(c.ChunkId, c.DocumentId, c.Rank, c.Score, null))];

    private static List<HybridHit> Hits(List<Entry> fused) =>
        [.. fused.Select(e => new HybridHit(e.Chunk!, e.FusedRank, e.Fused, e.TextRank, e.TextScore, e.VectorRank, e.VectorScore))];

    private static List<Entry> Fuse(
        IReadOnlyList<Item> text, IReadOnlyList<Item> vector, Func<Entry, double> score, int topK, int? maxChunksPerDocument,
        Func<List<Entry>, List<Entry>>? rerank = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(topK, 1);
        var entries = new Dictionary<string, Entry>(StringComparer.Ordinal);
        // A list may repeat a chunk (it should not); its first, best-ranked appearance is the one that counts.
        foreach (var item in text)
        {
            if (!entries.TryGetValue(item.ChunkId, out var entry))
            {
                entries[item.ChunkId] = new Entry(item) { TextRank = item.Rank, TextScore = item.Score };
            }
            else if (entry.TextRank is null)
            {
                entry.TextRank = item.Rank;
                entry.TextScore = item.Score;
            }
        }
        foreach (var item in vector)
        {
            if (!entries.TryGetValue(item.ChunkId, out var entry))
            {
                entries[item.ChunkId] = entry = new Entry(item);
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
            .ThenBy(e => e.ChunkId, StringComparer.Ordinal)
            .ToList();
        if (rerank is not null)
        {
            ordered = rerank(ordered);
        }

        var perDocument = new Dictionary<Guid, int>();
        var hits = new List<Entry>(topK);
        foreach (var entry in ordered)
        {
            if (maxChunksPerDocument is { } cap)
            {
                var taken = perDocument.GetValueOrDefault(entry.DocumentId);
                if (taken >= cap)
                {
                    continue;
                }
                perDocument[entry.DocumentId] = taken + 1;
            }
            entry.FusedRank = hits.Count + 1;
            hits.Add(entry);
            if (hits.Count == topK)
            {
                break;
            }
        }
        return hits;
    }

    /// <summary>One list's entry: the chunk's id and document, and the chunk itself when the list carried it.</summary>
    private readonly record struct Item(string ChunkId, Guid DocumentId, int Rank, double Score, ChunkRecord? Chunk);

    private sealed class Entry(Item item)
    {
        public string ChunkId { get; } = item.ChunkId;
        public Guid DocumentId { get; } = item.DocumentId;
        public ChunkRecord? Chunk { get; } = item.Chunk;
        public int FusedRank { get; set; }
        public int? TextRank { get; set; }
        public double? TextScore { get; set; }
        public int? VectorRank { get; set; }
        public double? VectorScore { get; set; }
        public double Fused { get; set; }
    }

    /// <summary>Maps one list's raw scores to comparable ones; <see cref="Normalise"/>(null) is the floor of the list.</summary>
    private readonly record struct Scale(ScoreNormalization Method, double Min, double Max, double Mean, double Deviation, bool Empty)
    {
        public static Scale Of(IReadOnlyList<Item> list, ScoreNormalization method)
        {
            if (list.Count == 0)
            {
                return new Scale(method, 0, 0, 0, 0, Empty: true);
            }
            var mean = list.Average(c => c.Score);
            var deviation = Math.Sqrt(list.Average(c => (c.Score - mean) * (c.Score - mean)));
            return new Scale(method, list.Min(c => c.Score), list.Max(c => c.Score), mean, deviation, Empty: false);
        }

        public double Normalise(double? score)
        {
            if (Empty)
            {
                return 0;
            }
            var value = score ?? Min;
            return Method switch
            {
                // A list whose scores are all equal: every member is as good as the best (1), the rest 0.
                ScoreNormalization.MinMax => Max > Min ? (value - Min) / (Max - Min) : score is null ? 0 : 1.0,
                _ => Deviation > 0 ? (value - Mean) / Deviation : score is null ? -1 : 0,
            };
        }
    }
}
