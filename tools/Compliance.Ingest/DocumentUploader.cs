using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Compliance.Contracts.Common;
using Compliance.Contracts.Documents;

namespace Compliance.Ingest;

/// <summary>Where a file's ingestion is, as its status URL reports it: the status, and chunks done / total once known.</summary>
internal sealed record IngestionStep(string Status, int ChunksDone, int ChunksTotal);

/// <summary>
/// Uploads one file to <c>POST /admin/documents</c>, follows the status URL of an accepted (202) upload until the
/// background ingestion is indexed or failed, and turns the outcome, success or problem details, into a row.
/// </summary>
internal sealed class DocumentUploader(HttpClient http, IngestSettings settings)
{
    /// <summary>How often the status URL is read while a document is ingested.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// Tokens assumed per chunk when the API does not report a token count: chunks are cut at up to 510 tokens
    /// and average a little over 400 on prose, so tokens/s is an estimate until the API reports <c>tokenCount</c>.
    /// </summary>
    public const int EstimatedTokensPerChunk = 400;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Attempts per file when the API says its trouble is passing (a dependency outage, a rate limit).</summary>
    public const int MaxAttempts = 3;

    /// <summary>The longest wait between attempts, whatever Retry-After asks: a run should not hang for minutes.</summary>
    public static readonly TimeSpan MaxRetryWait = TimeSpan.FromSeconds(30);

    public async Task<UploadOutcome> UploadAsync(DiscoveredFile file, Action<IngestionStep> progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(progress);
        var clock = Stopwatch.StartNew();
        try
        {
            for (var attempt = 1; ; attempt++)
            {
                await using var stream = new FileStream(file.FullPath, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, useAsync: true);
                using var form = BuildForm(file, stream);
                using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(settings.ApiUrl, "admin/documents")) { Content = form };
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", settings.Token);
                using var response = await http.SendAsync(request, cancellationToken);
                var body = await response.Content.ReadAsStringAsync(cancellationToken);
                if (response.StatusCode == HttpStatusCode.Accepted)
                {
                    return await FollowAsync(file, body, response.Headers.Location, progress, clock, cancellationToken);
                }
                if (response.IsSuccessStatusCode)
                {
                    return Succeeded(file, body, clock.Elapsed);
                }
                // The problem type, not the status, says whether trying again can help: a 503 from a proxy is not
                // the API saying "Postgres is back in a moment", and a 413 or 422 never gets better.
                if (attempt < MaxAttempts && ProblemText.TypeOf(body) is ProblemTypes.DependencyUnavailable or ProblemTypes.RateLimited)
                {
                    await Task.Delay(RetryWait(response), cancellationToken);
                    continue;
                }
                return Failed(file, clock.Elapsed, ProblemDetail(response.StatusCode, body));
            }
        }
        catch (HttpRequestException exception)
        {
            return Failed(file, clock.Elapsed, $"Could not reach the API at {settings.ApiUrl}: {exception.Message}");
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return Failed(file, clock.Elapsed, $"The API did not answer within {http.Timeout.TotalSeconds:0} s.");
        }
        catch (IOException exception)
        {
            return Failed(file, clock.Elapsed, $"Could not read the file: {exception.Message}");
        }
        catch (UnauthorizedAccessException exception)
        {
            return Failed(file, clock.Elapsed, $"Could not read the file: {exception.Message}");
        }
    }

    /// <summary>Reads the status URL until the ingestion is settled, reporting each step; a lasting error fails the row, not the run.</summary>
    private async Task<UploadOutcome> FollowAsync(
        DiscoveredFile file, string body, Uri? location, Action<IngestionStep> progress, Stopwatch clock, CancellationToken cancellationToken)
    {
        var document = Parse(body);
        var statusUrl = location ?? (document?.StatusUrl is { } url ? new Uri(url, UriKind.Relative) : null);
        if (document is null || statusUrl is null)
        {
            return Failed(file, clock.Elapsed, "The API accepted the upload but sent no status URL to follow.");
        }
        var absolute = statusUrl.IsAbsoluteUri ? statusUrl : new Uri(settings.ApiUrl, statusUrl.OriginalString.TrimStart('/'));
        var failures = 0;
        while (true)
        {
            progress(Step(document));
            if (DocumentStatuses.IsSettled(document.Status))
            {
                return Succeeded(file, body, clock.Elapsed);
            }
            await Task.Delay(PollInterval, cancellationToken);
            using var request = new HttpRequestMessage(HttpMethod.Get, absolute);
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", settings.Token);
            using var response = await http.SendAsync(request, cancellationToken);
            var answer = await response.Content.ReadAsStringAsync(cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                // A passing outage is waited out like the upload's; anything else ends the row, the document does not.
                if (++failures < MaxAttempts && ProblemText.TypeOf(answer) is ProblemTypes.DependencyUnavailable or ProblemTypes.RateLimited)
                {
                    await Task.Delay(RetryWait(response), cancellationToken);
                    continue;
                }
                return Failed(file, clock.Elapsed,
                    $"The status check at {absolute.AbsolutePath} answered {ProblemDetail(response.StatusCode, answer)}; the API may still be ingesting the document.");
            }
            failures = 0;
            if (Parse(answer) is not { } next)
            {
                return Failed(file, clock.Elapsed, "The status URL did not answer with a document.");
            }
            (document, body) = (next, answer);
        }
    }

    private static IngestionStep Step(DocumentResponse document) =>
        new(document.Status, document.Progress?.ChunksDone ?? 0, document.Progress?.ChunksTotal ?? 0);

    private static DocumentResponse? Parse(string body)
    {
        try
        {
            return JsonSerializer.Deserialize<DocumentResponse>(body, Json);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private MultipartFormDataContent BuildForm(DiscoveredFile file, Stream stream)
    {
        var form = new MultipartFormDataContent();
        // The API sniffs the content; the type sent is only a hint, so the neutral one is honest.
        var content = new StreamContent(stream);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        form.Add(content, DocumentUploadFields.File, Path.GetFileName(file.FullPath));
        form.Add(new StringContent(file.Source), DocumentUploadFields.Source);
        if (settings.Tenant is not null)
        {
            form.Add(new StringContent(settings.Tenant), DocumentUploadFields.Tenant);
        }

        if (settings.Tags.Count > 0)
        {
            form.Add(new StringContent(string.Join(',', settings.Tags)), DocumentUploadFields.Tags);
        }

        if (settings.EffectiveDate is { } date)
        {
            form.Add(new StringContent(date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)), DocumentUploadFields.EffectiveDate);
        }

        return form;
    }

    private static UploadOutcome Succeeded(DiscoveredFile file, string body, TimeSpan elapsed)
    {
        DocumentResponse? document;
        long? tokenCount = null;
        try
        {
            document = JsonSerializer.Deserialize<DocumentResponse>(body, Json);
            using var json = JsonDocument.Parse(body);
            if (json.RootElement.TryGetProperty("tokenCount", out var tokens) && tokens.TryGetInt64(out var count))
            {
                tokenCount = count;
            }
        }
        catch (JsonException)
        {
            document = null;
        }

        if (document is null)
        {
            return Failed(file, elapsed, "The API answered with success but not with a document.");
        }

        var status = document.Duplicate ? UploadStatus.Duplicate : document.Version > 1 ? UploadStatus.NewVersion : UploadStatus.New;
        var tokensIndexed = status == UploadStatus.Duplicate ? 0 : tokenCount ?? (long)document.ChunkCount * EstimatedTokensPerChunk;
        var detail = document.Status.Equals("failed", StringComparison.OrdinalIgnoreCase) ? document.Error : null;
        return new UploadOutcome(file.Source, detail is null ? status : UploadStatus.Failed, document.Version, document.ChunkCount, document.PageCount, tokensIndexed, elapsed, detail);
    }

    private static UploadOutcome Failed(DiscoveredFile file, TimeSpan elapsed, string detail) =>
        new(file.Source, UploadStatus.Failed, null, 0, 0, 0, elapsed, detail);

    private static TimeSpan RetryWait(HttpResponseMessage response)
    {
        var asked = response.Headers.RetryAfter?.Delta ?? (response.Headers.RetryAfter?.Date is { } date ? date - DateTimeOffset.UtcNow : TimeSpan.FromSeconds(1));
        return asked < TimeSpan.Zero ? TimeSpan.Zero : asked > MaxRetryWait ? MaxRetryWait : asked;
    }

    /// <summary>The problem-details <c>detail</c> (else <c>title</c>) of an error answer, after its status line.</summary>
    private static string ProblemDetail(HttpStatusCode status, string body) =>
        ProblemText.Of(body) is { } text ? $"{(int)status} {status}: {text}" : $"{(int)status} {status}";
}
