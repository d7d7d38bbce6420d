namespace Compliance.Api.Persistence.Entities;

/// <summary>
/// The bytes of an accepted upload, kept only until the ingestion worker has extracted their text: they are what
/// lets a <see cref="DocumentStatus.Queued"/> document survive a restart. A table of its own, so reading or
/// listing documents never drags the bytes along.
/// </summary>
public sealed class DocumentUploadContent
{
    public Guid DocumentId { get; set; }

    public required byte[] Content { get; set; }

    /// <summary>The title the uploader gave, if any; else the worker takes the document's own (first heading).</summary>
    public string? Title { get; set; }
}
