using Compliance.Knowledge.Indexing;

namespace Compliance.Knowledge.Search;

/// <summary>Which lists produced a result.</summary>
public enum SearchMode
{
    /// <summary>BM25 and vector lists fused.</summary>
    Hybrid,

    /// <summary>BM25 only: asked for, or no embedder is loaded.</summary>
    LexicalOnly,

    /// <summary>Vector only (evaluation and diagnostics).</summary>
    VectorOnly,
}

/// <summary>
/// One fused result, with its place in each list for diagnostics: a chunk found only by one list has null rank
/// and score in the other. <see cref="FusedScore"/> is the score that ordered it: for the fused top
/// <see cref="HybridSearchOptions.LexicalRerankDepth"/>, the lexical re-ranking's blend of z-scores; below them, the
/// fusion score.
/// </summary>
public sealed record HybridHit(
    ChunkRecord Chunk,
    int Rank,
    double FusedScore,
    int? TextRank,
    double? TextScore,
    int? VectorRank,
    double? VectorScore);

/// <summary>Where the time of one search went. Text and vector searches overlap, so they do not add up to the total.</summary>
public sealed record SearchTimings(TimeSpan Embed, TimeSpan Text, TimeSpan Vector, TimeSpan Total);

/// <summary>The ranked results of one search, how they were found, and how long it took.</summary>
public sealed record HybridSearchResult(
    IReadOnlyList<HybridHit> Hits,
    SearchMode Mode,
    string? ModeReason,
    FusionMethod? Fusion,
    SearchTimings Timings)
{
    /// <summary>
    /// The cosine similarity of the passage closest to the query in the whole vector list, whether or not fusion kept
    /// it among <see cref="Hits"/>; null when no vector search ran. The answer gate reads it: how close the policies
    /// come to the question in meaning, independent of how the lists were fused.
    /// </summary>
    public double? TopVectorSimilarity { get; init; }
}

/// <summary>
/// A fused result known by id (<see cref="RankFusion.FuseCandidates"/>), before its chunk is loaded: the same rank,
/// scores and list positions as the <see cref="HybridHit"/> it becomes.
/// </summary>
public sealed record FusedCandidate(
    string ChunkId,
    Guid DocumentId,
    int Rank,
    double FusedScore,
    int? TextRank,
    double? TextScore,
    int? VectorRank,
    double? VectorScore);
