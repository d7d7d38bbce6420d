namespace Compliance.Knowledge.Indexing;

/// <summary>
/// A chunk in one ranked list known by its id alone: what fusion needs (the per-document cap reads
/// <see cref="DocumentId"/>), without the chunk's text and citation fields.
/// </summary>
public sealed record RankedCandidate(string ChunkId, Guid DocumentId, int Rank, double Score);

/// <summary>
/// An index that can rank candidates without sending their chunks, and load the few chunks a fused result keeps.
/// Hybrid search asks each list for 200 candidates and keeps 5: over a network (RediSearch) returning every
/// candidate's text and fields was most of a question's time (docs/search-performance.md). The candidates rank
/// exactly as <see cref="IKnowledgeIndex.SearchTextAsync"/> and <see cref="IKnowledgeIndex.SearchVectorAsync"/> rank
/// their chunks.
/// </summary>
public interface ICandidateSearch
{
    /// <summary>The ids and scores of what <see cref="IKnowledgeIndex.SearchTextAsync"/> returns for the same arguments.</summary>
    Task<IReadOnlyList<RankedCandidate>> SearchTextCandidatesAsync(string query, SearchFilter filter, int limit, CancellationToken cancellationToken);

    /// <summary>The ids and scores of what <see cref="IKnowledgeIndex.SearchVectorAsync"/> returns for the same arguments.</summary>
    Task<IReadOnlyList<RankedCandidate>> SearchVectorCandidatesAsync(ReadOnlyMemory<float> vector, SearchFilter filter, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// The chunks (without their embeddings) with these ids, by id, in one round trip. A chunk removed since it was
    /// found, or no longer admitted by <paramref name="filter"/> (disabled meanwhile), is left out.
    /// </summary>
    Task<IReadOnlyDictionary<string, ChunkRecord>> LoadChunksAsync(IReadOnlyCollection<string> chunkIds, SearchFilter filter, CancellationToken cancellationToken);
}
