namespace Compliance.Contracts.Documents;

/// <summary>
/// A document version as the admin endpoints return it. <see cref="Duplicate"/> is true when an upload carried
/// bytes already ingested for the tenant, in which case this is the existing document and nothing was redone.
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
    bool Duplicate = false);

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
