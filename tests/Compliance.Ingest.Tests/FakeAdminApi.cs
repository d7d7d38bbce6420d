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
/// <c>duplicate</c> for bytes already seen, 201 with the next version for new bytes from a known source.
/// </summary>
internal sealed class FakeAdminApi : IAsyncDisposable
{
    public const string AdminToken = "test-admin-token";

    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, DocumentResponse> _bySha = new();
    private readonly ConcurrentDictionary<string, DocumentResponse> _bySource = new();

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
        var document = new DocumentResponse(
            Guid.NewGuid(), upload.Tenant.Length > 0 ? upload.Tenant : "global", file.FileName, source, "text/markdown", sha,
            bytes.Length, version, "indexed", null, upload.Tags.Split(',', StringSplitOptions.RemoveEmptyEntries), 0, chunks,
            "admin", DateTimeOffset.UtcNow, DateTimeOffset.UtcNow, null, null);
        _bySha[sha] = document;
        _bySource[source] = document;
        return ReportTokenCount
            ? Results.Json(new { document.Id, document.Version, document.Status, document.ChunkCount, document.PageCount, document.Title, document.TenantId, document.Source, document.ContentType, document.Sha256, document.Tags, document.CreatedAt, tokenCount = chunks * 7 }, statusCode: 201)
            : Results.Json(document, statusCode: 201);
    }

    // The types the real API sends (a 401 comes from ASP.NET Core's status-code problem, not from a handler).
    private static IResult Problem(int status, string title, string detail) =>
        Results.Problem(detail: detail, statusCode: status, title: title, type: status switch
        {
            400 => ProblemTypes.Validation,
            413 => ProblemTypes.PayloadTooLarge,
            415 => ProblemTypes.UnsupportedMediaType,
            422 => ProblemTypes.DocumentUnreadable,
            _ => "https://tools.ietf.org/html/rfc9110#section-15.5.2",
        });
}

/// <summary>What the CLI sent for one file.</summary>
internal sealed record ReceivedUpload(string Authorization, string? FileName, string Source, string Tenant, string Tags, string EffectiveDate);
