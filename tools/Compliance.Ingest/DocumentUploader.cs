using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Compliance.Contracts.Common;
using Compliance.Contracts.Documents;

namespace Compliance.Ingest;

/// <summary>Uploads one file to <c>POST /admin/documents</c> and turns the answer, success or problem details, into a row.</summary>
internal sealed class DocumentUploader(HttpClient http, IngestSettings settings)
{
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

    public async Task<UploadOutcome> UploadAsync(DiscoveredFile file, CancellationToken cancellationToken)
    {
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
