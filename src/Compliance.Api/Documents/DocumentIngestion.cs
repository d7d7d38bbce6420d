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

/// <summary>How an ingestion ended.</summary>
public enum IngestOutcome
{
    Created,
    NewVersion,
    Duplicate,
    Failed,
}

/// <summary>How an ingestion ended; <see cref="Limit"/> names the per-document limit a refused document passed.</summary>
public sealed record IngestResult(IngestOutcome Outcome, ComplianceDocument Document, ExtractionFailure? Failure = null, DocumentLimit? Limit = null);

/// <summary>
/// The document lifecycle: same bytes → the existing document; same source with new bytes → a new version that is
/// searchable before the old one is superseded and removed from the index; delete → out of the index; failures
/// recorded with their reason. Every step is idempotent (chunk ids are deterministic), so a crash at any point is
/// resumed by <see cref="ResumeInterruptedAsync"/> from the extracted text kept in the database. A document past a
/// <see cref="DocumentLimitsOptions"/> limit is refused before anything of it reaches the index.
/// </summary>
public sealed class DocumentIngestion(
    ComplianceDbContext db,
    KnowledgeRuntime knowledge,
    DocumentExtractor extractor,
    IOptions<DocumentLimitsOptions> limits,
    CorpusVersion corpus,
    TimeProvider clock,
    ILogger<DocumentIngestion> logger)
{
    private static readonly JsonSerializerOptions StructureJson = new(JsonSerializerDefaults.Web);

    public async Task<IngestResult> IngestAsync(DocumentUpload upload, IngestRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(upload);
        ArgumentNullException.ThrowIfNull(request);

        var existing = await FindBySha(request.TenantId, upload.Sha256, cancellationToken);
        if (existing is { Status: not DocumentStatus.Failed })
        {
            return new IngestResult(IngestOutcome.Duplicate, existing);
        }

        var source = FileNames.Sanitize(request.Source ?? upload.FileName);
        var (document, created) = existing is null
            ? await CreateRowAsync(upload, request, source, cancellationToken)
            : (existing, true);
        if (!created)
        {
            // A concurrent upload of the same bytes won the insert: one document, returned as a duplicate.
            return new IngestResult(IngestOutcome.Duplicate, document);
        }

        ExtractedDocument extracted;
        try
        {
            extracted = await extractor.ExtractAsync(upload.Content, cancellationToken);
        }
        catch (DocumentExtractionException ex)
        {
            await MarkFailedAsync(document, ex.Message, cancellationToken);
            return new IngestResult(IngestOutcome.Failed, document, ex.Failure, ex.Limit);
        }

        document.Title = Truncate(request.Title ?? extracted.Title ?? Path.GetFileNameWithoutExtension(source), 300);
        document.ContentType = extracted.ContentType;
        document.PageCount = Math.Max(extracted.Pages.Count, 1);
        document.ExtractedText = extracted.Text;
        document.ExtractedStructure = JsonSerializer.Serialize(new StoredStructure(extracted.Kind, extracted.Title, extracted.Headings, extracted.Pages), StructureJson);
        document.Status = DocumentStatus.Indexing;
        document.Error = null;
        document.UpdatedAt = clock.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken);

        var indexed = await IndexAndPublishAsync(document, extracted, cancellationToken);
        return indexed.Refusal is { } refusal
            ? new IngestResult(IngestOutcome.Failed, document, refusal.Failure, refusal.Limit)
            : new IngestResult(indexed.HadPrevious ? IngestOutcome.NewVersion : IngestOutcome.Created, document);
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

    /// <summary>Re-chunks and re-embeds one indexed document from its stored text (after a model change).</summary>
    public async Task ReindexAsync(ComplianceDocument document, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(document);
        var extracted = Restore(document);
        await IndexAndPublishAsync(document, extracted, cancellationToken);
    }

    /// <summary>
    /// Finishes what a crash interrupted: documents extracted but not yet searchable are indexed; documents whose
    /// bytes were never extracted are marked failed (the upload must be repeated); a new version that is searchable
    /// while its predecessor is still marked indexed supersedes it.
    /// </summary>
    public async Task<int> ResumeInterruptedAsync(CancellationToken cancellationToken)
    {
        var resumed = 0;
        var interrupted = await db.Documents
            .Where(d => d.Status == DocumentStatus.Pending || d.Status == DocumentStatus.Indexing)
            .OrderBy(d => d.CreatedAt).ToListAsync(cancellationToken);
        foreach (var document in interrupted)
        {
            if (document.ExtractedText is null)
            {
                await MarkFailedAsync(document, "Ingestion was interrupted before the text was extracted; upload the document again.", cancellationToken);
                continue;
            }
            logger.LogInformation("Resuming interrupted ingestion of document {DocumentId} v{Version}", document.Id, document.Version);
            await ReindexAsync(document, cancellationToken);
            resumed++;
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

    private async Task<(bool HadPrevious, DocumentExtractionException? Refusal)> IndexAndPublishAsync(
        ComplianceDocument document, ExtractedDocument extracted, CancellationToken cancellationToken)
    {
        var chunks = knowledge.Chunker.Chunk(extracted, cancellationToken);
        if (chunks.Count == 0)
        {
            await MarkFailedAsync(document, "The document has no text to index.", cancellationToken);
            return (false, null);
        }

        if (chunks.Count > limits.Value.MaxChunks)
        {
            // Checked before a single chunk is embedded or indexed; a re-index that finds the limit lowered also
            // takes what an earlier run indexed out of search, so a failed document is never cited.
            var refusal = DocumentExtractionException.LimitExceeded(DocumentLimit.Chunks,
                $"The document makes {chunks.Count:N0} chunks, more than the limit of {limits.Value.MaxChunks:N0} chunks per document.");
            await knowledge.Index.DeleteDocumentAsync(document.Id, document.Version, cancellationToken);
            await MarkFailedAsync(document, refusal.Message, cancellationToken);
            return (false, refusal);
        }

        float[][]? vectors = null;
        if (knowledge.Embedder is { } embedder)
        {
            // The section path goes into the embedded text: a passage reads differently under "Gifts" than "Trading".
            vectors = await embedder.EmbedPassagesAsync(chunks.Select(c => EmbeddingText(document.Title, c)).ToList(), cancellationToken);
        }

        var records = chunks.Select((chunk, i) => new ChunkRecord(
            ChunkRecord.IdFor(document.Id, document.Version, chunk.Ordinal),
            document.Id, document.Version, document.TenantId, document.Title, chunk.SectionPath,
            chunk.PageStart, chunk.PageEnd, chunk.Ordinal, chunk.CharStart, chunk.CharEnd, chunk.Text,
            document.Tags, document.EffectiveDate, ChunkStatus.Active, vectors?[i])).ToList();
        await knowledge.Index.UpsertAsync(records, cancellationToken);

        document.Status = DocumentStatus.Indexed;
        document.ChunkCount = records.Count;
        document.IndexedAt = clock.GetUtcNow();
        document.UpdatedAt = document.IndexedAt.Value;
        await db.SaveChangesAsync(cancellationToken);

        // Only now, with the new version searchable, is the old one retired: there is never a moment with neither.
        var hadPrevious = await SupersedePreviousAsync(document, cancellationToken);
        await corpus.BumpAsync();
        logger.LogInformation("Indexed document {DocumentId} v{Version}: {Chunks} chunks, {Mode}",
            document.Id, document.Version, records.Count, vectors is null ? "lexical-only" : "embedded");
        return (hadPrevious, null);
    }

    private async Task<bool> SupersedePreviousAsync(ComplianceDocument current, CancellationToken cancellationToken)
    {
        var previous = await db.Documents
            .Where(d => d.TenantId == current.TenantId && d.Source == current.Source && d.Id != current.Id &&
                        d.Version < current.Version && (d.Status == DocumentStatus.Indexed || d.Status == DocumentStatus.Indexing))
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
        return current.Version > 1;
    }

    private async Task<(ComplianceDocument Document, bool Created)> CreateRowAsync(DocumentUpload upload, IngestRequest request, string source, CancellationToken cancellationToken)
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
                Status = DocumentStatus.Pending,
                EffectiveDate = request.EffectiveDate,
                Tags = [.. request.Tags],
                UploadedBy = request.UploadedBy,
                CreatedAt = now,
                UpdatedAt = now,
            };
            db.Documents.Add(document);
            try
            {
                await db.SaveChangesAsync(cancellationToken);
                return (document, true);
            }
            catch (DbUpdateException ex) when (ex.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation } && attempt < 2)
            {
                db.Entry(document).State = EntityState.Detached;
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
