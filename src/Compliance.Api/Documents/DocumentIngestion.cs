using System.Text.Json;
using Compliance.Api.Knowledge;
using Compliance.Api.Persistence;
using Compliance.Api.Persistence.Entities;
using Compliance.Knowledge.Chunking;
using Compliance.Knowledge.Extraction;
using Compliance.Knowledge.Indexing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Compliance.Api.Documents;

/// <summary>What an upload asked for besides the bytes.</summary>
public sealed record IngestRequest(string TenantId, string? Title, string? Source, IReadOnlyList<string> Tags, DateOnly? EffectiveDate, string? UploadedBy);

/// <summary>What an upload came to before any extraction: see <see cref="DocumentIngestion.AcceptAsync"/>.</summary>
public enum UploadOutcome
{
    /// <summary>A new document (or a new version of its source) is queued for the worker.</summary>
    Queued,

    /// <summary>The same bytes failed before; they are queued again.</summary>
    Retried,

    /// <summary>The same bytes are being ingested (or were interrupted and are now resumed): that job is returned.</summary>
    InProgress,

    /// <summary>The same bytes are indexed already; nothing is redone.</summary>
    Duplicate,

    /// <summary>Refused at once (empty, unsupported type, too large) and recorded as failed with the reason.</summary>
    Refused,
}

/// <summary>What an upload came to; <see cref="Failure"/> says why a refused one was refused.</summary>
public sealed record UploadResult(UploadOutcome Outcome, ComplianceDocument Document, ExtractionFailure? Failure = null);

/// <summary>
/// The document lifecycle: same bytes → the existing document; same source with new bytes → a new version that is
/// searchable before the old one is superseded and removed from the index; delete → out of the index; failures
/// recorded with their reason. An upload is accepted at once (<see cref="AcceptAsync"/>: the cheap checks, the row
/// and the bytes) and ingested by <see cref="IngestionWorker"/> (<see cref="ProcessAsync"/>): queued → extracting →
/// embedding (chunks done / total) → indexed or failed. Every step is idempotent (chunk ids are deterministic), so
/// a crash at any point is resumed by <see cref="ResumeInterruptedAsync"/> from the bytes or the extracted text kept
/// in the database. A document past a <see cref="DocumentLimitsOptions"/> limit is refused before anything of it
/// reaches the index.
/// </summary>
public sealed class DocumentIngestion(
    ComplianceDbContext db,
    KnowledgeRuntime knowledge,
    DocumentExtractor extractor,
    IOptions<DocumentLimitsOptions> limits,
    CorpusVersion corpus,
    TimeProvider clock,
    ILogger<DocumentIngestion> logger,
    IEmbeddingCheckpoint? checkpoint = null)
{
    /// <summary>Chunks embedded per call, so progress can be reported between calls.</summary>
    internal const int EmbeddingSlice = 64;

    /// <summary>Progress is written at most this often: a 5,000-chunk document makes ~80 slices, not 80 writes.</summary>
    internal static readonly TimeSpan ProgressWriteInterval = TimeSpan.FromSeconds(2);

    private static readonly JsonSerializerOptions StructureJson = new(JsonSerializerDefaults.Web);

    /// <summary>
    /// The synchronous part of an upload: what the bytes are already known as (indexed → duplicate; being ingested
    /// → that job, resumed if nothing in this process holds it; failed → retried), the cheap checks of
    /// <see cref="DocumentExtractor.Screen"/>, and a new row queued with its bytes. Nothing here extracts or embeds.
    /// </summary>
    public async Task<UploadResult> AcceptAsync(DocumentUpload upload, IngestRequest request, IngestionBacklog queue, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(upload);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(queue);

        var existing = await FindBySha(request.TenantId, upload.Sha256, cancellationToken);
        if (existing is not null && existing.Status != DocumentStatus.Failed)
        {
            return await AlreadyKnownAsync(existing, upload, queue, cancellationToken);
        }

        var refusal = extractor.Screen(upload.Content);
        ComplianceDocument document;
        if (existing is not null)
        {
            // Failed before: the same row is tried again from these bytes (limits or the extractor may have changed).
            document = existing;
            document.ExtractedText = null;
            document.ExtractedStructure = null;
            document.ChunkCount = 0;
            document.ChunksEmbedded = 0;
            document.Error = null;
            document.Status = DocumentStatus.Queued;
            document.UpdatedAt = clock.GetUtcNow();
            if (refusal is null)
            {
                await StoreBytesAsync(document.Id, upload.Content, request.Title, cancellationToken);
            }
            await db.SaveChangesAsync(cancellationToken);
        }
        else
        {
            var source = FileNames.Sanitize(request.Source ?? upload.FileName);
            var (created, won) = await CreateRowAsync(upload, request, source, storeBytes: refusal is null, cancellationToken);
            if (!won)
            {
                // A concurrent upload of the same bytes won the insert: one document, answered as that one.
                return await AlreadyKnownAsync(created, upload, queue, cancellationToken);
            }
            document = created;
        }

        if (refusal is not null)
        {
            await MarkFailedAsync(document, refusal.Message, cancellationToken);
            return new UploadResult(UploadOutcome.Refused, document, refusal.Failure);
        }

        queue.Enqueue(document.Id);
        return new UploadResult(existing is null ? UploadOutcome.Queued : UploadOutcome.Retried, document);
    }

    private async Task<UploadResult> AlreadyKnownAsync(ComplianceDocument document, DocumentUpload upload, IngestionBacklog queue, CancellationToken cancellationToken)
    {
        switch (document.Status)
        {
            case DocumentStatus.Failed:
                // Only a concurrent insert lands here with a failed winner: the other upload's answer stands.
                return new UploadResult(UploadOutcome.Refused, document);
            case DocumentStatus.Queued or DocumentStatus.Extracting or DocumentStatus.Embedding:
                if (!queue.Holds(document.Id))
                {
                    // Nothing in this process is working on it (a cut-off ingestion, a crash before the worker got
                    // to it): resume it, from these bytes when its text was never extracted.
                    if (document.ExtractedText is null && !await db.DocumentUploads.AnyAsync(u => u.DocumentId == document.Id, cancellationToken))
                    {
                        await StoreBytesAsync(document.Id, upload.Content, title: null, cancellationToken);
                        await db.SaveChangesAsync(cancellationToken);
                    }
                    logger.LogInformation("Re-upload resumes the interrupted ingestion of document {DocumentId} v{Version}", document.Id, document.Version);
                    queue.Enqueue(document.Id);
                }
                return new UploadResult(UploadOutcome.InProgress, document);
            default:
                return new UploadResult(UploadOutcome.Duplicate, document);
        }
    }

    /// <summary>
    /// The worker's part: extracts the stored bytes (unless a resumed document has its text already), chunks,
    /// embeds in slices with throttled progress, indexes and publishes. Failures the uploader can act on (a scanned
    /// or damaged PDF, a limit) end as <see cref="DocumentStatus.Failed"/> with the reason; a stop mid-way leaves the
    /// status for <see cref="ResumeInterruptedAsync"/>.
    /// </summary>
    public async Task ProcessAsync(Guid documentId, CancellationToken cancellationToken)
    {
        var document = await db.Documents.FirstOrDefaultAsync(d => d.Id == documentId, cancellationToken);
        if (document is not { Status: DocumentStatus.Queued or DocumentStatus.Extracting or DocumentStatus.Embedding })
        {
            return; // deleted, or finished by another instance meanwhile
        }

        ExtractedDocument extracted;
        if (document.ExtractedText is not null)
        {
            extracted = Restore(document);
        }
        else
        {
            var stored = await db.DocumentUploads.AsNoTracking().FirstOrDefaultAsync(u => u.DocumentId == document.Id, cancellationToken);
            if (stored is null)
            {
                await MarkFailedAsync(document, "Ingestion was interrupted before the text was extracted and the upload was not kept; upload the document again.", cancellationToken);
                return;
            }
            await SetStatusAsync(document, DocumentStatus.Extracting, cancellationToken);
            try
            {
                extracted = await extractor.ExtractAsync(stored.Content, cancellationToken);
            }
            catch (DocumentExtractionException ex)
            {
                await MarkFailedAsync(document, Reason(ex), cancellationToken);
                await DropBytesAsync(document.Id, cancellationToken);
                return;
            }

            document.Title = Truncate(stored.Title ?? extracted.Title ?? document.Title, 300);
            document.ContentType = extracted.ContentType;
            document.PageCount = Math.Max(extracted.Pages.Count, 1);
            document.ExtractedText = extracted.Text;
            document.ExtractedStructure = JsonSerializer.Serialize(new StoredStructure(extracted.Kind, extracted.Title, extracted.Headings, extracted.Pages), StructureJson);
            document.UpdatedAt = clock.GetUtcNow();
            await db.SaveChangesAsync(cancellationToken);
            // The text is kept from here on (saved first): the bytes are not needed again, not even to resume.
            await DropBytesAsync(document.Id, cancellationToken);
        }

        await IndexAndPublishAsync(document, extracted, cancellationToken);
    }

    /// <summary>Marks the document deleted and removes every chunk of it from the index.</summary>
    public async Task<bool> DeleteAsync(Guid id, CancellationToken cancellationToken)
    {
        var document = await db.Documents.FirstOrDefaultAsync(d => d.Id == id && d.Status != DocumentStatus.Deleted, cancellationToken);
        if (document is null)
        {
            return false;
        }
        // Out of search first: a deleted policy must never be cited, even if the status write below fails.
        await knowledge.Index.DeleteDocumentAsync(document.Id, version: null, cancellationToken);
        document.Status = DocumentStatus.Deleted;
        document.UpdatedAt = clock.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken);
        await corpus.BumpAsync();
        return true;
    }

    /// <summary>
    /// Accepts and ingests in one go, for the sample policies loaded on a first start: they must be searchable
    /// when start-up ends, and nothing else is running yet.
    /// </summary>
    public async Task<ComplianceDocument> IngestNowAsync(DocumentUpload upload, IngestRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(upload);
        ArgumentNullException.ThrowIfNull(request);
        var source = FileNames.Sanitize(request.Source ?? upload.FileName);
        var (document, _) = await CreateRowAsync(upload, request, source, storeBytes: true, cancellationToken);
        await ProcessAsync(document.Id, cancellationToken);
        return document;
    }

    /// <summary>Re-chunks and re-embeds one indexed document from its stored text (after a model change); it stays searchable meanwhile.</summary>
    public async Task ReindexAsync(ComplianceDocument document, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(document);
        var extracted = Restore(document);
        await IndexAndPublishAsync(document, extracted, cancellationToken);
    }

    /// <summary>
    /// Hands the worker what a crash or a stop left half done, oldest first: queued, extracting and embedding
    /// documents resume from their stored bytes or extracted text (<see cref="ProcessAsync"/> marks one failed
    /// when neither was kept); and a new version that is searchable while its predecessor is still marked indexed
    /// supersedes it. Returns how many documents it touched.
    /// </summary>
    public async Task<int> ResumeInterruptedAsync(IngestionBacklog queue, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(queue);
        var resumed = 0;
        var interrupted = await db.Documents
            .Where(d => d.Status == DocumentStatus.Queued || d.Status == DocumentStatus.Extracting || d.Status == DocumentStatus.Embedding)
            .OrderBy(d => d.CreatedAt).Select(d => d.Id).ToListAsync(cancellationToken);
        foreach (var id in interrupted)
        {
            resumed += queue.Enqueue(id) ? 1 : 0;
        }

        var doubles = await db.Documents.Where(d => d.Status == DocumentStatus.Indexed)
            .GroupBy(d => new { d.TenantId, d.Source }).Where(g => g.Count() > 1).Select(g => g.Key).ToListAsync(cancellationToken);
        foreach (var key in doubles)
        {
            var newest = await db.Documents.Where(d => d.TenantId == key.TenantId && d.Source == key.Source && d.Status == DocumentStatus.Indexed)
                .OrderByDescending(d => d.Version).FirstAsync(cancellationToken);
            await SupersedePreviousAsync(newest, cancellationToken);
            resumed++;
        }
        return resumed;
    }

    /// <summary>Records a failure the worker could not attribute to the document itself (an outage, a bug).</summary>
    internal async Task MarkFailedAsync(Guid documentId, string reason, CancellationToken cancellationToken)
    {
        db.ChangeTracker.Clear();
        if (await db.Documents.FirstOrDefaultAsync(d => d.Id == documentId, cancellationToken) is { Status: DocumentStatus.Queued or DocumentStatus.Extracting or DocumentStatus.Embedding } document)
        {
            await MarkFailedAsync(document, reason, cancellationToken);
            await DropBytesAsync(documentId, cancellationToken);
        }
    }

    private async Task IndexAndPublishAsync(ComplianceDocument document, ExtractedDocument extracted, CancellationToken cancellationToken)
    {
        // A document being ingested shows its progress; an indexed one being re-indexed stays "indexed" (and searchable).
        var ingesting = document.Status != DocumentStatus.Indexed;
        var chunks = knowledge.Chunker.Chunk(extracted, cancellationToken);
        if (chunks.Count == 0)
        {
            await MarkFailedAsync(document, "The document has no text to index.", cancellationToken);
            return;
        }

        if (chunks.Count > limits.Value.MaxChunks)
        {
            // Checked before a single chunk is embedded or indexed; a re-index that finds the limit lowered also
            // takes what an earlier run indexed out of search, so a failed document is never cited.
            var refusal = DocumentExtractionException.LimitExceeded(DocumentLimit.Chunks,
                $"The document makes {chunks.Count:N0} chunks, more than the limit of {limits.Value.MaxChunks:N0} chunks per document.");
            await knowledge.Index.DeleteDocumentAsync(document.Id, document.Version, cancellationToken);
            await MarkFailedAsync(document, Reason(refusal), cancellationToken);
            return;
        }

        if (ingesting)
        {
            document.ChunkCount = chunks.Count;
            document.ChunksEmbedded = 0;
            await SetStatusAsync(document, DocumentStatus.Embedding, cancellationToken);
        }

        float[][]? vectors = null;
        if (knowledge.Embedder is { } embedder)
        {
            // The section path goes into the embedded text: a passage reads differently under "Gifts" than "Trading".
            var texts = chunks.Select(c => EmbeddingText(document.Title, c)).ToList();
            vectors = new float[texts.Count][];
            var lastWrite = clock.GetTimestamp();
            for (var start = 0; start < texts.Count; start += EmbeddingSlice)
            {
                if (checkpoint is not null)
                {
                    await checkpoint.ReachedAsync(new EmbeddingProgress(document.Id, !ingesting, start, texts.Count), cancellationToken);
                }
                var slice = texts.GetRange(start, Math.Min(EmbeddingSlice, texts.Count - start));
                (await embedder.EmbedPassagesAsync(slice, cancellationToken)).CopyTo(vectors, start);
                if (ingesting && start + slice.Count < texts.Count && clock.GetElapsedTime(lastWrite) >= ProgressWriteInterval)
                {
                    // Throttled: the status endpoint may be up to ProgressWriteInterval behind, Postgres sees one write per interval.
                    document.ChunksEmbedded = start + slice.Count;
                    await db.SaveChangesAsync(cancellationToken);
                    lastWrite = clock.GetTimestamp();
                }
            }
        }

        var records = chunks.Select((chunk, i) => new ChunkRecord(
            ChunkRecord.IdFor(document.Id, document.Version, chunk.Ordinal),
            document.Id, document.Version, document.TenantId, document.Title, chunk.SectionPath,
            chunk.PageStart, chunk.PageEnd, chunk.Ordinal, chunk.CharStart, chunk.CharEnd, chunk.Text,
            document.Tags, document.EffectiveDate, ChunkStatus.Active, vectors?[i])).ToList();
        await knowledge.Index.UpsertAsync(records, cancellationToken);

        // Only now, with the new version searchable, is the old one retired: there is never a moment with neither.
        // And only then is the new one "indexed": a poller that sees it indexed never finds the old one still live.
        await SupersedePreviousAsync(document, cancellationToken);
        document.Status = DocumentStatus.Indexed;
        document.ChunkCount = records.Count;
        document.ChunksEmbedded = records.Count;
        // Its vectors (if any) are the running model's now: nothing left for a re-embed job to do here.
        document.ReembedPending = false;
        document.Error = null;
        document.IndexedAt = clock.GetUtcNow();
        document.UpdatedAt = document.IndexedAt.Value;
        await db.SaveChangesAsync(cancellationToken);
        await corpus.BumpAsync();
        logger.LogInformation("Indexed document {DocumentId} v{Version}: {Chunks} chunks, {Mode}",
            document.Id, document.Version, records.Count, vectors is null ? "lexical-only" : "embedded");
    }

    private async Task SupersedePreviousAsync(ComplianceDocument current, CancellationToken cancellationToken)
    {
        var previous = await db.Documents
            .Where(d => d.TenantId == current.TenantId && d.Source == current.Source && d.Id != current.Id &&
                        d.Version < current.Version && (d.Status == DocumentStatus.Indexed || d.Status == DocumentStatus.Embedding))
            .ToListAsync(cancellationToken);
        foreach (var old in previous)
        {
            old.Status = DocumentStatus.Superseded;
            old.SupersededById = current.Id;
            old.UpdatedAt = clock.GetUtcNow();
        }
        await db.SaveChangesAsync(cancellationToken);
        foreach (var old in previous)
        {
            await knowledge.Index.DeleteDocumentAsync(old.Id, old.Version, cancellationToken);
        }
    }

    private async Task<(ComplianceDocument Document, bool Created)> CreateRowAsync(
        DocumentUpload upload, IngestRequest request, string source, bool storeBytes, CancellationToken cancellationToken)
    {
        // Two attempts: a concurrent upload may take the same version number or the same bytes between our read and insert.
        for (var attempt = 0; ; attempt++)
        {
            var latestVersion = await db.Documents.Where(d => d.TenantId == request.TenantId && d.Source == source)
                .MaxAsync(d => (int?)d.Version, cancellationToken) ?? 0;
            var now = clock.GetUtcNow();
            var document = new ComplianceDocument
            {
                Id = Guid.CreateVersion7(),
                TenantId = request.TenantId,
                Title = Truncate(request.Title ?? Path.GetFileNameWithoutExtension(source), 300),
                Source = source,
                ContentType = "application/octet-stream",
                Sha256 = upload.Sha256,
                SizeBytes = upload.Content.LongLength,
                Version = latestVersion + 1,
                Status = DocumentStatus.Queued,
                EffectiveDate = request.EffectiveDate,
                Tags = [.. request.Tags],
                UploadedBy = request.UploadedBy,
                CreatedAt = now,
                UpdatedAt = now,
            };
            db.Documents.Add(document);
            // The row and its bytes in one transaction: a queued document always has what the worker needs.
            var bytes = storeBytes ? db.DocumentUploads.Add(new DocumentUploadContent { DocumentId = document.Id, Content = upload.Content, Title = request.Title }) : null;
            try
            {
                await db.SaveChangesAsync(cancellationToken);
                return (document, true);
            }
            catch (DbUpdateException ex) when (ex.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation } && attempt < 2)
            {
                db.Entry(document).State = EntityState.Detached;
                if (bytes is not null)
                {
                    bytes.State = EntityState.Detached;
                }
                if (await FindBySha(request.TenantId, upload.Sha256, cancellationToken) is { } winner)
                {
                    return (winner, false);
                }
            }
        }
    }

    private Task<ComplianceDocument?> FindBySha(string tenantId, string sha256, CancellationToken cancellationToken) =>
        db.Documents.FirstOrDefaultAsync(d => d.TenantId == tenantId && d.Sha256 == sha256 && d.Status != DocumentStatus.Deleted, cancellationToken);

    private async Task MarkFailedAsync(ComplianceDocument document, string reason, CancellationToken cancellationToken)
    {
        document.Status = DocumentStatus.Failed;
        document.Error = Truncate(reason, 2000);
        document.UpdatedAt = clock.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken);
        logger.LogWarning("Document {DocumentId} v{Version} failed: {Reason}", document.Id, document.Version, document.Error);
    }

    private async Task SetStatusAsync(ComplianceDocument document, DocumentStatus status, CancellationToken cancellationToken)
    {
        document.Status = status;
        document.UpdatedAt = clock.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken);
    }

    private async Task StoreBytesAsync(Guid documentId, byte[] content, string? title, CancellationToken cancellationToken)
    {
        var stored = await db.DocumentUploads.FirstOrDefaultAsync(u => u.DocumentId == documentId, cancellationToken);
        if (stored is null)
        {
            db.DocumentUploads.Add(new DocumentUploadContent { DocumentId = documentId, Content = content, Title = title });
        }
        else
        {
            stored.Content = content;
            stored.Title = title;
        }
    }

    private async Task DropBytesAsync(Guid documentId, CancellationToken cancellationToken) =>
        await db.DocumentUploads.Where(u => u.DocumentId == documentId).ExecuteDeleteAsync(cancellationToken);

    /// <summary>The reason an uploader reads in the status; a limit names the variable that raises it.</summary>
    private static string Reason(DocumentExtractionException refusal) =>
        refusal.Limit is { } limit ? $"{refusal.Message} Split the document, or raise {DocumentLimitsOptions.VariableOf(limit)}." : refusal.Message;

    private static ExtractedDocument Restore(ComplianceDocument document)
    {
        var structure = document.ExtractedStructure is null
            ? new StoredStructure(DocumentKind.PlainText, null, [], [])
            : JsonSerializer.Deserialize<StoredStructure>(document.ExtractedStructure, StructureJson)!;
        return new ExtractedDocument(structure.Kind, document.ContentType, document.ExtractedText ?? string.Empty,
            structure.Title, structure.Headings, structure.Pages);
    }

    internal static string EmbeddingText(string title, TextChunk chunk) =>
        chunk.SectionPath is null ? $"{title}\n{chunk.Text}" : $"{title} › {chunk.SectionPath}\n{chunk.Text}";

    private static string Truncate(string value, int length) => value.Length <= length ? value : value[..length];

    private sealed record StoredStructure(DocumentKind Kind, string? Title, IReadOnlyList<DocumentHeading> Headings, IReadOnlyList<DocumentPage> Pages);
}
