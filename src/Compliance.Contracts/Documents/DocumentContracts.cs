namespace Compliance.Contracts.Documents;

/// <summary>
/// A document version as the admin endpoints return it. <see cref="Status"/> is one of <see cref="DocumentStatuses"/>:
/// an upload answers 202 with <c>queued</c> and <see cref="StatusUrl"/>, which shows <c>extracting</c>, then
/// <c>embedding</c> with <see cref="Progress"/>, then <c>indexed</c> or <c>failed</c> with the reason in
/// <see cref="Error"/>. <see cref="Duplicate"/> is true when an upload carried bytes already indexed for the tenant,
/// in which case this is the existing document and nothing was redone.
/// </summary>
public sealed record DocumentResponse(
    Guid Id,
    string TenantId,
    string Title,
    string Source,
    string ContentType,
    string Sha256,
    long SizeBytes,
    int Version,
    string Status,
    DateOnly? EffectiveDate,
    IReadOnlyList<string> Tags,
    int PageCount,
    int ChunkCount,
    string? UploadedBy,
    DateTimeOffset CreatedAt,
    DateTimeOffset? IndexedAt,
    string? Error,
    Guid? SupersededById,
    bool Duplicate = false,
    IngestionProgress? Progress = null,
    string? StatusUrl = null);

/// <summary>Chunks embedded so far of the document's total (while <c>embedding</c>, and once <c>indexed</c>).</summary>
public sealed record IngestionProgress(int ChunksDone, int ChunksTotal);

/// <summary>The values of <see cref="DocumentResponse.Status"/>.</summary>
public static class DocumentStatuses
{
    /// <summary>Accepted, waiting for the ingestion worker.</summary>
    public const string Queued = "queued";

    /// <summary>Its text is being read out of the file.</summary>
    public const string Extracting = "extracting";

    /// <summary>Chunked; being embedded and indexed (see <see cref="DocumentResponse.Progress"/>).</summary>
    public const string Embedding = "embedding";

    /// <summary>Searchable.</summary>
    public const string Indexed = "indexed";

    /// <summary>Not ingested; <see cref="DocumentResponse.Error"/> says why. Uploading the same bytes again retries.</summary>
    public const string Failed = "failed";

    /// <summary>Replaced by a newer version of the same source.</summary>
    public const string Superseded = "superseded";

    /// <summary>Removed from search.</summary>
    public const string Deleted = "deleted";

    /// <summary>True for <c>indexed</c>, <c>failed</c> and the later states: the ingestion is over, stop polling.</summary>
    public static bool IsSettled(string status) => status is not (Queued or Extracting or Embedding);
}

/// <summary>Form field names of <c>POST /admin/documents</c> (multipart/form-data).</summary>
public static class DocumentUploadFields
{
    /// <summary>The file (required).</summary>
    public const string File = "file";

    /// <summary>A display title; defaults to the first heading or the file name.</summary>
    public const string Title = "title";

    /// <summary>The tenant (Discord guild id) or <c>global</c> (default).</summary>
    public const string Tenant = "tenant";

    /// <summary>Comma-separated tags.</summary>
    public const string Tags = "tags";

    /// <summary>ISO date (yyyy-MM-dd) from which the document applies.</summary>
    public const string EffectiveDate = "effectiveDate";

    /// <summary>Where it came from, when not the file name (e.g. a URL); same source + new bytes = new version.</summary>
    public const string Source = "source";
}

/// <summary>A background job (re-index, re-embed) and how far it got.</summary>
public sealed record JobResponse(
    Guid Id,
    string Kind,
    string Status,
    int Total,
    int Completed,
    int Failed,
    DateTimeOffset StartedAt,
    DateTimeOffset? FinishedAt,
    string? Error);
