using System.Globalization;
using Compliance.Api.Audit;
using Compliance.Api.Hosting;
using Compliance.Api.Persistence;
using Compliance.Api.Persistence.Entities;
using Compliance.Api.Persistence.EntityConfigurations;
using Compliance.Api.Problems;
using Compliance.Contracts.Common;
using Compliance.Contracts.Documents;
using Compliance.Knowledge.Extraction;
using Compliance.Knowledge.Indexing;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Compliance.Api.Documents;

/// <summary>Admin endpoints for the document lifecycle: upload, list, get, delete, re-index.</summary>
public static class DocumentsApi
{
    private const int MaxTags = 20;
    private const int MaxTagLength = 50;

    // The same page bound as the other admin lists.
    private const int MaxPage = 1_000_000;

    // The names clients send and receive (snake_case of DocumentStatus), and nothing else: Enum.TryParse would also
    // take "7", "-1" or "indexed,failed" and filter on a status no document can have.
    private static readonly IReadOnlyDictionary<string, DocumentStatus> StatusNames =
        Enum.GetValues<DocumentStatus>().ToDictionary(s => SnakeCase.From(s.ToString()), StringComparer.OrdinalIgnoreCase);

    /// <summary>Maps into the <c>/admin</c> group (admin token; every change audited by the group).</summary>
    public static RouteGroupBuilder MapDocumentsApi(this RouteGroupBuilder admin)
    {
        var group = admin.MapGroup("").WithTags("Documents");

        group.MapPost("/documents", UploadAsync).WithName("UploadDocument").Audited("document.upload")
            .WithSummary("Upload a policy or regulation (multipart: file, title, tenant, tags, effectiveDate, source); it is ingested in the background.")
            .WithDescription("202: accepted (or the same bytes are already being ingested); poll the Location (GET /admin/documents/{id}) " +
                "until its status is indexed or failed. 200: the same bytes are indexed already (duplicate: true). Empty files, unsupported " +
                "types, oversized uploads and malformed forms are refused at once; unreadable PDFs and limits end as status failed with the reason.")
            .DisableAntiforgery()
            .Accepts<IFormFile>("multipart/form-data").WithDocumentUploadForm()
            .Produces<DocumentResponse>(StatusCodes.Status202Accepted)
            .Produces<DocumentResponse>(StatusCodes.Status200OK)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        group.MapGet("/documents", ListAsync).WithName("ListDocuments").WithSummary("List document versions, newest first.");
        group.MapGet("/documents/{id:guid}", GetAsync).WithName("GetDocument")
            .WithSummary("One document version, with its ingestion status: queued, extracting, embedding (progress: chunks done / total), indexed, or failed (error: the reason).");
        group.MapDelete("/documents/{id:guid}", DeleteAsync).WithName("DeleteDocument").Audited("document.delete").WithSummary("Remove a document from search and mark it deleted.");
        group.MapPost("/documents/{id:guid}/reindex", ReindexOneAsync).WithName("ReindexDocument").Audited("document.reindex").WithSummary("Re-chunk and re-embed one document.");
        group.MapPost("/documents/reindex", StartReindex).WithName("ReindexAllDocuments").Audited("documents.reindex").WithSummary("Re-index every document as a background job.");
        group.MapGet("/jobs/{id:guid}", GetJob).WithName("GetJob").WithSummary("Progress of a background job.");
        return admin;
    }

    private static async Task<Results<Accepted<DocumentResponse>, Ok<DocumentResponse>, ProblemHttpResult>> UploadAsync(
        HttpContext context, DocumentIngestion ingestion, IngestionBacklog queue, IOptions<Configuration.RetrievalOptions> options,
        IOptions<IngestionOptions> ingestionOptions, CancellationToken cancellationToken)
    {
        if (!queue.HasRoom)
        {
            // Refused before the body is read: nothing is stored, and the client knows to come back.
            context.Response.Headers.RetryAfter = "30";
            return ApiProblems.Create(StatusCodes.Status503ServiceUnavailable, ProblemTypes.IngestionBusy, "Ingestion queue full",
                $"{queue.Count} documents are waiting to be ingested (INGEST_QUEUE_CAPACITY is {ingestionOptions.Value.QueueCapacity}); try again later.");
        }

        DocumentUpload upload;
        try
        {
            upload = await DocumentUploadReader.ReadAsync(context.Request, options.Value.UploadMaxBytes, cancellationToken);
        }
        catch (UploadRejectedException ex)
        {
            return ex.StatusCode switch
            {
                StatusCodes.Status413PayloadTooLarge => ApiProblems.Create(ex.StatusCode, ProblemTypes.PayloadTooLarge, "Document too large", ex.Message),
                StatusCodes.Status415UnsupportedMediaType => ApiProblems.Create(ex.StatusCode, ProblemTypes.UnsupportedMediaType, "Unsupported upload", ex.Message),
                _ => ApiProblems.Validation(ex.Message),
            };
        }
        catch (InvalidDataException ex)
        {
            return ApiProblems.Validation("The multipart body is malformed: " + ex.Message);
        }
        catch (IOException ex) when (ex is not BadHttpRequestException)
        {
            // MultipartReader reports a body that ends before its closing boundary as an IOException: a client error.
            return ApiProblems.Validation("The multipart body ended before its closing boundary.");
        }

        if (ParseRequest(upload.Fields, context.User.Identity?.Name) is not { } request)
        {
            return ApiProblems.Validation(
                $"Check the form fields: tenant is 'global' or a Discord guild id; at most {MaxTags} tags of up to {MaxTagLength} letters, digits, '-' or '_'; " +
                "effectiveDate is yyyy-MM-dd; title up to 300 and source up to 500 characters.");
        }

        var result = await ingestion.AcceptAsync(upload, request, queue, cancellationToken);
        var document = result.Document;
        return result.Outcome switch
        {
            UploadOutcome.Duplicate => TypedResults.Ok(ToResponse(document, duplicate: true)),
            UploadOutcome.Refused => result.Failure switch
            {
                ExtractionFailure.UnsupportedType => ApiProblems.Create(StatusCodes.Status415UnsupportedMediaType, ProblemTypes.UnsupportedMediaType,
                    "Unsupported document type", document.Error!, Extensions(document)),
                ExtractionFailure.TooLarge => ApiProblems.Create(StatusCodes.Status413PayloadTooLarge, ProblemTypes.PayloadTooLarge,
                    "Document too large", document.Error!, Extensions(document)),
                _ => ApiProblems.Create(StatusCodes.Status422UnprocessableEntity, ProblemTypes.DocumentUnreadable,
                    "The document could not be read", document.Error ?? "The document could not be read.", Extensions(document)),
            },
            _ => TypedResults.Accepted(StatusUrl(document.Id), ToResponse(document)),
        };
    }

    private static async Task<Results<Ok<PagedResponse<DocumentResponse>>, ProblemHttpResult>> ListAsync(
        ComplianceDbContext db, string? tenant, string? status, int? page, int? pageSize, CancellationToken cancellationToken)
    {
        var (number, size) = (page ?? 1, pageSize ?? 50);
        // Bounded like the other admin lists, so (page - 1) * pageSize can never overflow into a 500.
        if (number is < 1 or > MaxPage || size is < 1 or > 200)
        {
            return ApiProblems.Validation($"page is 1-{MaxPage}; pageSize is 1-200.");
        }
        if (!string.IsNullOrEmpty(tenant) && !Users.DiscordIds.IsTenant(tenant))
        {
            // Checked before it reaches the database: Postgres refuses some characters (NUL) with an error, not a miss.
            return ApiProblems.Validation("tenant is 'global' or a Discord guild id (digits only).");
        }
        DocumentStatus? wanted = null;
        if (!string.IsNullOrEmpty(status))
        {
            if (!StatusNames.TryGetValue(status, out var parsed))
            {
                return ApiProblems.Validation($"status is one of {string.Join(", ", StatusNames.Keys)}.");
            }
            wanted = parsed;
        }

        var query = ListQuery(db, tenant, wanted);
        var total = await query.LongCountAsync(cancellationToken);
        var rows = await query.Skip((number - 1) * size).Take(size).ToListAsync(cancellationToken);
        return TypedResults.Ok(new PagedResponse<DocumentResponse>(rows.Select(ToResponse).ToList(), number, size, total));
    }

    /// <summary>
    /// The listing's query: newest first, projected to <see cref="DocumentListRow"/> in SQL, so a page of documents
    /// never reads their extracted text (up to DOCUMENT_MAX_CHARS each) or structure.
    /// </summary>
    internal static IQueryable<DocumentListRow> ListQuery(ComplianceDbContext db, string? tenant, DocumentStatus? status)
    {
        var query = db.Documents.AsNoTracking();
        if (!string.IsNullOrEmpty(tenant))
        {
            query = query.Where(d => d.TenantId == tenant);
        }
        if (status is { } wanted)
        {
            query = query.Where(d => d.Status == wanted);
        }
        return query.OrderByDescending(d => d.CreatedAt).ThenByDescending(d => d.Id).Select(d => new DocumentListRow(
            d.Id, d.TenantId, d.Title, d.Source, d.ContentType, d.Sha256, d.SizeBytes, d.Version, d.Status, d.EffectiveDate,
            d.Tags, d.PageCount, d.ChunkCount, d.ChunksEmbedded, d.UploadedBy, d.CreatedAt, d.IndexedAt, d.Error, d.SupersededById));
    }

    private static async Task<Results<Ok<DocumentResponse>, ProblemHttpResult>> GetAsync(Guid id, ComplianceDbContext db, CancellationToken cancellationToken) =>
        await db.Documents.AsNoTracking().FirstOrDefaultAsync(d => d.Id == id, cancellationToken) is { } document
            ? TypedResults.Ok(ToResponse(document))
            : ApiProblems.NotFound($"Document {id}");

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(Guid id, DocumentIngestion ingestion, CancellationToken cancellationToken) =>
        await ingestion.DeleteAsync(id, cancellationToken) ? TypedResults.NoContent() : ApiProblems.NotFound($"Document {id}");

    private static async Task<Results<Ok<DocumentResponse>, ProblemHttpResult>> ReindexOneAsync(
        Guid id, ComplianceDbContext db, DocumentIngestion ingestion, CancellationToken cancellationToken)
    {
        var document = await db.Documents.FirstOrDefaultAsync(d => d.Id == id, cancellationToken);
        if (document is null)
        {
            return ApiProblems.NotFound($"Document {id}");
        }
        if (document.Status != DocumentStatus.Indexed)
        {
            return ApiProblems.Create(StatusCodes.Status409Conflict, ProblemTypes.Conflict, "Document not indexed",
                $"Only indexed documents can be re-indexed; this one is {SnakeCase.From(document.Status.ToString())}.");
        }
        await ingestion.ReindexAsync(document, cancellationToken);
        return TypedResults.Ok(ToResponse(document));
    }

    private static Accepted<JobResponse> StartReindex(ReindexJobs jobs)
    {
        var job = jobs.Start("reindex");
        return TypedResults.Accepted($"/admin/jobs/{job.Id}", job);
    }

    private static Results<Ok<JobResponse>, ProblemHttpResult> GetJob(Guid id, ReindexJobs jobs) =>
        jobs.Get(id) is { } job ? TypedResults.Ok(job) : ApiProblems.NotFound($"Job {id}");

    internal static IngestRequest? ParseRequest(IReadOnlyDictionary<string, string> fields, string? uploadedBy)
    {
        var tenant = fields.GetValueOrDefault(DocumentUploadFields.Tenant)?.Trim() is { Length: > 0 } t ? t : Tenants.Global;
        if (!Users.DiscordIds.IsTenant(tenant))
        {
            return null;
        }

        var tags = (fields.GetValueOrDefault(DocumentUploadFields.Tags) ?? string.Empty)
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(tag => tag.ToLowerInvariant()).Distinct(StringComparer.Ordinal).ToList();
        if (tags.Count > MaxTags || tags.Any(tag => tag.Length > MaxTagLength || !tag.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_')))
        {
            return null;
        }

        DateOnly? effective = null;
        if (fields.GetValueOrDefault(DocumentUploadFields.EffectiveDate) is { Length: > 0 } dateText)
        {
            if (!DateOnly.TryParseExact(dateText.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
            {
                return null;
            }
            effective = date;
        }

        var title = fields.GetValueOrDefault(DocumentUploadFields.Title)?.Trim();
        var source = fields.GetValueOrDefault(DocumentUploadFields.Source)?.Trim();
        if (title is { Length: > 300 } || source is { Length: > 500 } || (title?.Any(char.IsControl) ?? false))
        {
            return null;
        }
        return new IngestRequest(tenant, string.IsNullOrEmpty(title) ? null : title, string.IsNullOrEmpty(source) ? null : source, tags, effective, uploadedBy);
    }

    internal static DocumentResponse ToResponse(ComplianceDocument d, bool duplicate = false) => new(
        d.Id, d.TenantId, d.Title, d.Source, d.ContentType, d.Sha256, d.SizeBytes, d.Version, SnakeCase.From(d.Status.ToString()),
        d.EffectiveDate, d.Tags, d.PageCount, d.ChunkCount, d.UploadedBy, d.CreatedAt, d.IndexedAt, d.Error, d.SupersededById, duplicate,
        Progress(d.Status, d.ChunksEmbedded, d.ChunkCount), StatusUrl(d.Id));

    /// <summary>Row of the listing: a document without its extracted text and structure.</summary>
    internal sealed record DocumentListRow(
        Guid Id, string TenantId, string Title, string Source, string ContentType, string Sha256, long SizeBytes, int Version,
        DocumentStatus Status, DateOnly? EffectiveDate, List<string> Tags, int PageCount, int ChunkCount, int ChunksEmbedded, string? UploadedBy,
        DateTimeOffset CreatedAt, DateTimeOffset? IndexedAt, string? Error, Guid? SupersededById);

    private static DocumentResponse ToResponse(DocumentListRow d) => new(
        d.Id, d.TenantId, d.Title, d.Source, d.ContentType, d.Sha256, d.SizeBytes, d.Version, SnakeCase.From(d.Status.ToString()),
        d.EffectiveDate, d.Tags, d.PageCount, d.ChunkCount, d.UploadedBy, d.CreatedAt, d.IndexedAt, d.Error, d.SupersededById, false,
        Progress(d.Status, d.ChunksEmbedded, d.ChunkCount), StatusUrl(d.Id));

    /// <summary>Chunks done / total once the document is chunked: while it is embedded, and when it is indexed.</summary>
    private static IngestionProgress? Progress(DocumentStatus status, int done, int total) =>
        status is DocumentStatus.Embedding or DocumentStatus.Indexed ? new IngestionProgress(Math.Min(done, total), total) : null;

    private static string StatusUrl(Guid id) => $"/admin/documents/{id}";

    private static Dictionary<string, object?> Extensions(ComplianceDocument document) => new()
    {
        ["documentId"] = document.Id,
        ["status"] = SnakeCase.From(document.Status.ToString()),
    };
}
