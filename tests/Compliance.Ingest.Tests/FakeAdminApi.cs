using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Compliance.Contracts.Common;
using Compliance.Contracts.Documents;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Compliance.Ingest.Tests;

/// <summary>
/// Stands in for the API's <c>POST /admin/documents</c> on 127.0.0.1:0, answering as the real one will: 401 without
/// the admin token, 413 over the size limit, 415 for binary content, 422 for an empty document, 200 with
/// <c>duplicate</c> for bytes already indexed, 202 with a status URL for new bytes (the next version for a known
/// source), whose <c>GET /admin/documents/{id}</c> then goes queued → embedding (chunks done / total) → indexed, or
/// → failed with the reason for a document containing <see cref="UnreadableMarker"/>.
/// </summary>
internal sealed class FakeAdminApi : IAsyncDisposable
{
    public const string AdminToken = "test-admin-token";

    /// <summary>Text that makes a document fail in the background, as a scanned PDF does in the real API.</summary>
    public const string UnreadableMarker = "UNREADABLE";

    public const string UnreadableReason = "The PDF has no text layer: it looks scanned. Run OCR and upload the result.";

    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, DocumentResponse> _bySha = new();
    private readonly ConcurrentDictionary<string, DocumentResponse> _bySource = new();
    private readonly ConcurrentDictionary<Guid, (DocumentResponse Final, int Polls)> _jobs = new();

    private FakeAdminApi(WebApplication app)
    {
        _app = app;
    }

    /// <summary>Every upload received, in order (also the refused ones).</summary>
    public ConcurrentQueue<ReceivedUpload> Uploads { get; } = new();

    public int MaxBytes { get; set; } = 4096;

    /// <summary>Problems to answer the next uploads with before handling them (status, type, Retry-After seconds), as during an outage.</summary>
    public ConcurrentQueue<(int Status, string Type, int RetryAfterSeconds)> Interruptions { get; } = new();

    /// <summary>When set, successful answers include a <c>tokenCount</c> as a future API may.</summary>
    public bool ReportTokenCount { get; set; }

    public Uri BaseUrl { get; private set; } = null!;

    public static async Task<FakeAdminApi> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var fake = new FakeAdminApi(app);
        app.MapPost("/admin/documents", fake.UploadAsync);
        app.MapGet("/admin/documents/{id:guid}", fake.Status);
        await app.StartAsync();
        var address = app.Services.GetService(typeof(IServer)) is IServer server
            ? server.Features.Get<IServerAddressesFeature>()!.Addresses.First()
            : throw new InvalidOperationException("No server.");
        fake.BaseUrl = new Uri(address);
        return fake;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task<IResult> UploadAsync(HttpRequest request)
    {
        var authorization = request.Headers.Authorization.ToString();
        if (!request.HasFormContentType)
        {
            return Problem(400, "Bad request", "Expected multipart/form-data.");
        }

        var form = await request.ReadFormAsync();
        var file = form.Files.GetFile(DocumentUploadFields.File);
        var upload = new ReceivedUpload(
            authorization,
            file?.FileName,
            form[DocumentUploadFields.Source].ToString(),
            form[DocumentUploadFields.Tenant].ToString(),
            form[DocumentUploadFields.Tags].ToString(),
            form[DocumentUploadFields.EffectiveDate].ToString());
        Uploads.Enqueue(upload);

        if (Interruptions.TryDequeue(out var interruption))
        {
            request.HttpContext.Response.Headers.RetryAfter = interruption.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return Results.Problem(detail: "A service the assistant depends on is unavailable. Please try again in a minute.",
                statusCode: interruption.Status, title: "Temporarily unavailable", type: interruption.Type);
        }

        if (authorization != $"Bearer {AdminToken}")
        {
            return Problem(401, "Unauthorized", "A valid admin token is required.");
        }

        if (file is null)
        {
            return Problem(400, "Bad request", "The 'file' field is required.");
        }

        if (file.Length > MaxBytes)
        {
            return Problem(413, "Payload too large", $"The document is larger than the {MaxBytes} byte limit.");
        }

        using var buffer = new MemoryStream();
        await file.CopyToAsync(buffer);
        var bytes = buffer.ToArray();
        if (Array.IndexOf(bytes, (byte)0) >= 0)
        {
            return Problem(415, "Unsupported media type", "The content contains NUL bytes: it is binary data, not a supported document.");
        }

        var text = Encoding.UTF8.GetString(bytes);
        if (string.IsNullOrWhiteSpace(text))
        {
            return Problem(422, "Unprocessable document", "The document contains only whitespace.");
        }

        var sha = Convert.ToHexStringLower(SHA256.HashData(bytes));
        if (_bySha.TryGetValue(sha, out var existing))
        {
            return Results.Ok(existing with { Duplicate = true });
        }

        var source = upload.Source.Length > 0 ? upload.Source : file.FileName;
        var version = _bySource.TryGetValue(source, out var previous) ? previous.Version + 1 : 1;
        var chunks = text.Split("\n\n", StringSplitOptions.RemoveEmptyEntries).Length;
        var id = Guid.NewGuid();
        var statusUrl = $"/admin/documents/{id}";
        var queued = new DocumentResponse(
            id, upload.Tenant.Length > 0 ? upload.Tenant : "global", file.FileName, source, "application/octet-stream", sha,
            bytes.Length, version, DocumentStatuses.Queued, null, upload.Tags.Split(',', StringSplitOptions.RemoveEmptyEntries), 0, 0,
            "admin", DateTimeOffset.UtcNow, null, null, null, StatusUrl: statusUrl);
        var final = text.Contains(UnreadableMarker, StringComparison.Ordinal)
            ? queued with { Status = DocumentStatuses.Failed, Error = UnreadableReason }
            : queued with { Status = DocumentStatuses.Indexed, ContentType = "text/markdown", ChunkCount = chunks, IndexedAt = DateTimeOffset.UtcNow, Progress = new IngestionProgress(chunks, chunks) };
        _jobs[id] = (final, 0);
        if (final.Status == DocumentStatuses.Indexed)
        {
            _bySha[sha] = final;
            _bySource[source] = final;
        }
        return new AcceptedAt(statusUrl, Results.Json(queued, statusCode: 202));
    }

    /// <summary>The status URL: embedding with half the chunks done on the first read, then the final state.</summary>
    private IResult Status(Guid id, HttpRequest request)
    {
        if (request.Headers.Authorization.ToString() != $"Bearer {AdminToken}")
        {
            return Problem(401, "Unauthorized", "A valid admin token is required.");
        }
        if (!_jobs.TryGetValue(id, out var job))
        {
            return Problem(404, "Not found", $"Document {id} was not found.");
        }
        _jobs[id] = job with { Polls = job.Polls + 1 };
        var final = job.Final;
        if (job.Polls == 0 && final.Status == DocumentStatuses.Indexed)
        {
            return Results.Json(final with { Status = DocumentStatuses.Embedding, IndexedAt = null, Progress = new IngestionProgress(final.ChunkCount / 2, final.ChunkCount) });
        }
        return ReportTokenCount && final.Status == DocumentStatuses.Indexed
            ? Results.Json(new { final.Id, final.Version, final.Status, final.ChunkCount, final.PageCount, final.Title, final.TenantId, final.Source, final.ContentType, final.Sha256, final.Tags, final.CreatedAt, final.Progress, tokenCount = final.ChunkCount * 7 })
            : Results.Json(final);
    }

    /// <summary>202 with a Location header, as the real API's <c>TypedResults.Accepted(url, value)</c>.</summary>
    private sealed class AcceptedAt(string location, IResult body) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.Headers.Location = location;
            return body.ExecuteAsync(httpContext);
        }
    }

    // The types the real API sends (a 401 comes from ASP.NET Core's status-code problem, not from a handler).
    private static IResult Problem(int status, string title, string detail) =>
        Results.Problem(detail: detail, statusCode: status, title: title, type: status switch
        {
            400 => ProblemTypes.Validation,
            413 => ProblemTypes.PayloadTooLarge,
            415 => ProblemTypes.UnsupportedMediaType,
            404 => ProblemTypes.NotFound,
            422 => ProblemTypes.DocumentUnreadable,
            _ => "https://tools.ietf.org/html/rfc9110#section-15.5.2",
        });
}

/// <summary>What the CLI sent for one file.</summary>
internal sealed record ReceivedUpload(string Authorization, string? FileName, string Source, string Tenant, string Tags, string EffectiveDate);
