namespace Compliance.Api.Persistence.Entities;

/// <summary>
/// Where a document version is in its lifecycle. <see cref="Queued"/>, <see cref="Extracting"/> and
/// <see cref="Embedding"/> are the background worker's steps (a document left in one by a crash is resumed).
/// </summary>
public enum DocumentStatus
{
    /// <summary>Accepted; its bytes wait in <c>document_uploads</c> for the ingestion worker.</summary>
    Queued,

    /// <summary>The worker is reading its text out of the uploaded bytes.</summary>
    Extracting,

    /// <summary>Text extracted and kept; the worker is chunking, embedding and indexing it.</summary>
    Embedding,
    Indexed,
    Failed,
    Superseded,
    Deleted,
}

/// <summary>
/// One version of a policy or regulation. The extracted text is kept so the index can be rebuilt (after a model
/// change) without the original upload.
/// </summary>
public sealed class ComplianceDocument
{
    public Guid Id { get; set; }

    /// <summary>The Discord guild the document belongs to, or <c>global</c> for every tenant.</summary>
    public required string TenantId { get; set; }

    public required string Title { get; set; }

    /// <summary>Where it came from (sanitised file name or URL); a new upload from the same source is a new version.</summary>
    public required string Source { get; set; }

    public required string ContentType { get; set; }

    /// <summary>Lower-case hex SHA-256 of the uploaded bytes; same bytes means nothing to redo.</summary>
    public required string Sha256 { get; set; }

    public long SizeBytes { get; set; }

    public int Version { get; set; } = 1;

    public DocumentStatus Status { get; set; } = DocumentStatus.Queued;

    public DateOnly? EffectiveDate { get; set; }

    public List<string> Tags { get; set; } = [];

    public int PageCount { get; set; }

    /// <summary>Chunks of the document: known once it is chunked (while <see cref="DocumentStatus.Embedding"/>), then those indexed.</summary>
    public int ChunkCount { get; set; }

    /// <summary>Chunks embedded so far while <see cref="DocumentStatus.Embedding"/> (written every few seconds, not per batch).</summary>
    public int ChunksEmbedded { get; set; }

    /// <summary>
    /// The index's vectors for this document come from an embedding model other than the one running: set on every
    /// indexed document when the model changes, cleared as the re-embed job re-embeds each one. A job a stop cut
    /// short is resumed at the next start from what is still set.
    /// </summary>
    public bool ReembedPending { get; set; }

    public string? UploadedBy { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public DateTimeOffset? IndexedAt { get; set; }

    /// <summary>Why ingestion failed, in words an uploader can act on.</summary>
    public string? Error { get; set; }

    public Guid? SupersededById { get; set; }

    public string? ExtractedText { get; set; }

    /// <summary>Headings and page boundaries of <see cref="ExtractedText"/> (JSON), so chunks can be rebuilt exactly.</summary>
    public string? ExtractedStructure { get; set; }
}
