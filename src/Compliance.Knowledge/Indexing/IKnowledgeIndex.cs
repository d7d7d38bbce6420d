namespace Compliance.Knowledge.Indexing;

/// <summary>The tenant whose chunks every tenant can see.</summary>
public static class Tenants
{
    public const string Global = "global";
}

/// <summary>Whether a chunk answers searches. New versions are written active before the old version is removed.</summary>
public static class ChunkStatus
{
    public const string Active = "active";
    public const string Disabled = "disabled";
}

/// <summary>
/// One searchable passage of one document version, with everything a citation needs. <see cref="ChunkId"/> is
/// deterministic (<c>{documentId:N}-v{version}-{ordinal}</c>) so re-ingesting the same text yields the same ids.
/// </summary>
public sealed record ChunkRecord(
    string ChunkId,
    Guid DocumentId,
    int DocumentVersion,
    string TenantId,
    string Title,
    string? SectionPath,
    int? PageStart,
    int? PageEnd,
    int Ordinal,
    int CharStart,
    int CharEnd,
    string Text,
    IReadOnlyList<string> Tags,
    DateOnly? EffectiveDate,
    string Status,
    float[]? Embedding)
{
    public static string IdFor(Guid documentId, int version, int ordinal) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{documentId:N}-v{version}-{ordinal}");
}

/// <summary>
/// What a search may see: always global chunks plus those of <see cref="TenantId"/> (never another tenant's), only
/// active chunks, optionally narrowed to documents or tags.
/// </summary>
public sealed record SearchFilter(
    string TenantId,
    IReadOnlyCollection<Guid>? DocumentIds = null,
    IReadOnlyCollection<string>? Tags = null)
{
    /// <summary>Whether a search under this filter may return <paramref name="chunk"/> (the rule both indexes apply: documents and tags are any-of).</summary>
    public bool Admits(ChunkRecord chunk)
    {
        ArgumentNullException.ThrowIfNull(chunk);
        return (chunk.TenantId == Tenants.Global || chunk.TenantId == TenantId)
            && chunk.Status == ChunkStatus.Active
            && (DocumentIds is not { Count: > 0 } || DocumentIds.Contains(chunk.DocumentId))
            && (Tags is not { Count: > 0 } || chunk.Tags.Any(Tags.Contains));
    }
}

/// <summary>A chunk in one ranked list: 1-based rank and that list's own score (BM25, or cosine similarity).</summary>
public sealed record RankedChunk(ChunkRecord Chunk, int Rank, double Score);

/// <summary>Size of the index for health output and benchmarks.</summary>
public sealed record IndexStatistics(long Chunks, long Documents, long? SizeBytes, int? Dimensions, string Backend, string? Version);

/// <summary>
/// A store of chunks searchable by text (BM25) and by vector (cosine KNN) under identical filters. Implementations:
/// an embedded SQLite file, and Redis with RediSearch. Neither knows of HTTP or of the database of documents.
/// </summary>
public interface IKnowledgeIndex
{
    /// <summary>embedded or redisearch.</summary>
    string Backend { get; }

    /// <summary>Creates the index if missing; fails if it exists with another vector dimension.</summary>
    Task EnsureCreatedAsync(int dimensions, CancellationToken cancellationToken);

    /// <summary>Adds or replaces chunks by id. Chunks without an embedding are text-searchable only.</summary>
    Task UpsertAsync(IReadOnlyList<ChunkRecord> chunks, CancellationToken cancellationToken);

    /// <summary>Removes one version of a document, or every version when <paramref name="version"/> is null.</summary>
    Task<int> DeleteDocumentAsync(Guid documentId, int? version, CancellationToken cancellationToken);

    /// <summary>BM25 over chunk text and title. User text is searched literally, never parsed as query syntax.</summary>
    Task<IReadOnlyList<RankedChunk>> SearchTextAsync(string query, SearchFilter filter, int limit, CancellationToken cancellationToken);

    /// <summary>Nearest chunks by cosine similarity to a normalised query vector.</summary>
    Task<IReadOnlyList<RankedChunk>> SearchVectorAsync(ReadOnlyMemory<float> vector, SearchFilter filter, int limit, CancellationToken cancellationToken);

    Task<IndexStatistics> GetStatisticsAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Records which embedding model (name, recipe and model hash; see <c>OnnxTextEmbedder.ModelIdentity</c>) the
    /// index's vectors come from. When the index records another model, or none, every stored vector is removed
    /// first (the chunks stay, text-searchable), so the index never holds vectors of two models at once; the caller
    /// re-embeds. Call after <see cref="EnsureCreatedAsync"/>.
    /// </summary>
    Task<EmbeddingModelChange> UseEmbeddingModelAsync(string model, CancellationToken cancellationToken);
}

/// <summary>
/// What <see cref="IKnowledgeIndex.UseEmbeddingModelAsync"/> found: the model the index recorded before (null for a
/// new index or one made before models were recorded), whether that differs, and how many vectors were removed.
/// </summary>
public sealed record EmbeddingModelChange(string? PreviousModel, bool Changed, long VectorsRemoved);
