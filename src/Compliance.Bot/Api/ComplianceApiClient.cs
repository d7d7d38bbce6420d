using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using Compliance.Bot.Configuration;
using Compliance.Contracts.Common;
using Compliance.Contracts.Feedback;
using Compliance.Contracts.Questions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace Compliance.Bot.Api;

/// <summary>A user's stored preferences (<c>PUT /api/v1/users/{userId}/settings</c>).</summary>
public sealed record UserSettings(bool AnswerPrivately);

/// <summary>
/// The bot's typed client of the Compliance API, over the shared contracts. Every call carries the service token
/// and ends in a value or an <see cref="ApiFailure"/> whose message the bot shows as is; only the caller's own
/// cancellation throws. Questions stream over Server-Sent Events.
/// </summary>
public sealed class ComplianceApiClient
{
    /// <summary>
    /// Key of an optional <see cref="HttpMessageHandler"/> service that replaces the socket transport to the API
    /// (tests run the real API in-process); the resilience handler and service token stay in front of it.
    /// </summary>
    public const string TransportServiceKey = "compliance-api-transport";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly HttpClient _http;
    private readonly BotSettings _settings;
    private readonly ILogger _logger;

    /// <param name="http">A client with the API's base address whose handler chain is <see cref="ComplianceApiResilience"/>'s.</param>
    /// <param name="settings">Timeouts.</param>
    /// <param name="logger">Logs statuses and error kinds, never bodies or tokens.</param>
    public ComplianceApiClient(HttpClient http, BotSettings settings, ILogger<ComplianceApiClient>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(settings);
        _http = http;
        _settings = settings;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>
    /// <c>POST /api/v1/query</c> with <c>Accept: text/event-stream</c>. Yields meta, deltas, then exactly one
    /// terminal event; never throws except for <paramref name="cancellationToken"/>. A JSON reply (an API that does
    /// not stream) is accepted and surfaces as a single done event.
    /// </summary>
    public async IAsyncEnumerable<QueryEvent> AskAsync(QueryRequest request, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        using var overall = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        overall.CancelAfter(_settings.QueryTimeout);
        using var message = new HttpRequestMessage(HttpMethod.Post, "api/v1/query") { Content = JsonContent.Create(request, options: Json) };
        message.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        message.Options.Set(ComplianceApiResilience.AttemptTimeout, _settings.QueryIdleTimeout);

        var (response, failure) = await SendAsync(message, overall.Token, cancellationToken);
        if (failure is not null)
        {
            yield return new QueryFailedEvent(failure);
            yield break;
        }
        using (response)
        {
            if (response!.Content.Headers.ContentType?.MediaType != "text/event-stream")
            {
                var (whole, jsonFailure) = await ReadJsonAsync<QueryResponse>(response, overall.Token, cancellationToken);
                yield return whole is not null ? new QueryDoneEvent(whole) : new QueryFailedEvent(jsonFailure!);
                yield break;
            }

            // The idle timer restarts on every line, keep-alive comments included.
            using var idle = CancellationTokenSource.CreateLinkedTokenSource(overall.Token);
            idle.CancelAfter(_settings.QueryIdleTimeout);
            var stream = await response.Content.ReadAsStreamAsync(idle.Token);
            using var reader = new ServerSentEventReader(stream, () => idle.CancelAfter(_settings.QueryIdleTimeout));
            while (true)
            {
                QueryEvent? next;
                var terminal = false;
                try
                {
                    var sse = await reader.ReadAsync(idle.Token);
                    if (sse is null)
                    {
                        next = new QueryFailedEvent(new ApiFailure(ApiFailureKind.Unavailable,
                            "The answer was cut off before it finished. Please ask again."));
                        terminal = true;
                    }
                    else
                    {
                        next = Parse(sse, out terminal);
                    }
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    next = new QueryFailedEvent(ApiFailure.Timeout());
                    terminal = true;
                }
                catch (Exception ex) when (ex is HttpRequestException or IOException or JsonException)
                {
                    _logger.LogWarning("The answer stream broke: {Error}", ex.GetType().Name);
                    next = new QueryFailedEvent(new ApiFailure(ApiFailureKind.Unavailable,
                        "The connection to the compliance service broke while answering. Please ask again."));
                    terminal = true;
                }
                if (next is not null)
                {
                    yield return next;
                }
                if (terminal)
                {
                    yield break;
                }
            }
        }
    }

    /// <summary><c>GET /api/v1/history/{userId}?limit=n</c>: the user's latest questions, newest first.</summary>
    public async Task<ApiResult<IReadOnlyList<HistoryItem>>> GetHistoryAsync(string userId, int limit, CancellationToken cancellationToken = default)
    {
        // The API pages with pageSize (1-50); limit is kept for older API versions.
        var path = $"api/v1/history/{Escape(userId)}?limit={limit.ToString(CultureInfo.InvariantCulture)}&pageSize={limit.ToString(CultureInfo.InvariantCulture)}";
        var result = await CallAsync<JsonNode>(HttpMethod.Get, path, null, cancellationToken);
        if (!result.Succeeded)
        {
            return result.Failure!;
        }
        // A plain array, or a page object with items: the history endpoint may page.
        var items = result.Value switch
        {
            JsonArray array => array,
            JsonObject page when page["items"] is JsonArray array => array,
            _ => [],
        };
        return ApiResult.Ok<IReadOnlyList<HistoryItem>>(items.Deserialize<List<HistoryItem>>(Json) ?? []);
    }

    /// <summary><c>POST /api/v1/feedback</c>.</summary>
    public Task<ApiResult<FeedbackResponse>> SendFeedbackAsync(FeedbackRequest feedback, CancellationToken cancellationToken = default) =>
        CallAsync<FeedbackResponse>(HttpMethod.Post, "api/v1/feedback", feedback, cancellationToken);

    /// <summary><c>DELETE /api/v1/history/{userId}</c>: erases the user's questions and answers.</summary>
    public Task<ApiResult<JsonNode>> ForgetHistoryAsync(string userId, CancellationToken cancellationToken = default) =>
        CallAsync<JsonNode>(HttpMethod.Delete, $"api/v1/history/{Escape(userId)}", null, cancellationToken);

    /// <summary>
    /// <c>DELETE /api/v1/conversations/{conversationId}?userId=&amp;guildId=</c>: the user's next question there starts
    /// afresh (the API keys conversations by guild and user too).
    /// </summary>
    public Task<ApiResult<ConversationResetResponse>> ResetConversationAsync(string conversationId, string userId, string? guildId, CancellationToken cancellationToken = default) =>
        CallAsync<ConversationResetResponse>(HttpMethod.Delete,
            $"api/v1/conversations/{Escape(conversationId)}?userId={Escape(userId)}" + (guildId is null ? "" : $"&guildId={Escape(guildId)}"), null, cancellationToken);

    /// <summary><c>GET /api/v1/users/{userId}/settings</c>.</summary>
    public Task<ApiResult<UserSettings>> GetSettingsAsync(string userId, CancellationToken cancellationToken = default) =>
        CallAsync<UserSettings>(HttpMethod.Get, $"api/v1/users/{Escape(userId)}/settings", null, cancellationToken);

    /// <summary><c>PUT /api/v1/users/{userId}/settings</c>.</summary>
    public Task<ApiResult<UserSettings>> UpdateSettingsAsync(string userId, UserSettings settings, CancellationToken cancellationToken = default) =>
        CallAsync<UserSettings>(HttpMethod.Put, $"api/v1/users/{Escape(userId)}/settings", settings, cancellationToken);

    /// <summary>
    /// <c>GET /admin/stats</c> on behalf of <paramref name="userId"/>: the bot holds only the service token and names
    /// the Discord user it acts for in <c>X-Discord-User-Id</c>; the API applies that user's stored role (admins
    /// only; 403 otherwise) and only to reads.
    /// </summary>
    public Task<ApiResult<Compliance.Contracts.Admin.StatsResponse>> GetStatsAsync(string userId, CancellationToken cancellationToken = default) =>
        CallAsync<Compliance.Contracts.Admin.StatsResponse>(HttpMethod.Get, "admin/stats", null, cancellationToken, actingUser: userId);

    /// <summary><c>GET /health</c>: the anonymous summary; a 503 with a report is a report, not a failure.</summary>
    public Task<ApiResult<JsonObject>> GetHealthAsync(CancellationToken cancellationToken = default) =>
        CallAsync<JsonObject>(HttpMethod.Get, "health", null, cancellationToken, acceptServiceUnavailable: true);

    /// <summary>The header naming the Discord user the bot acts for on admin reads.</summary>
    public const string ActingUserHeader = "X-Discord-User-Id";

    private async Task<ApiResult<T>> CallAsync<T>(HttpMethod method, string path, object? body, CancellationToken cancellationToken,
        bool acceptServiceUnavailable = false, string? actingUser = null)
        where T : class
    {
        using var message = new HttpRequestMessage(method, path);
        if (actingUser is not null)
        {
            message.Headers.Add(ActingUserHeader, actingUser);
        }
        if (body is not null)
        {
            message.Content = JsonContent.Create(body, body.GetType(), options: Json);
        }
        message.Options.Set(ComplianceApiResilience.AttemptTimeout, _settings.ApiRequestTimeout);
        // The whole call, retries included, is bounded too.
        using var overall = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        overall.CancelAfter(_settings.ApiRequestTimeout * (2 + _settings.IdempotentRetries));

        var (response, failure) = await SendAsync(message, overall.Token, cancellationToken, acceptServiceUnavailable);
        if (failure is not null)
        {
            return failure;
        }
        using (response)
        {
            if (response!.StatusCode == HttpStatusCode.NoContent || response.Content.Headers.ContentLength == 0)
            {
                return typeof(T) == typeof(JsonNode) ? ApiResult.Ok((T)(object)new JsonObject()) : new ApiFailure(ApiFailureKind.ServerError,
                    "The compliance service gave an empty answer. Please try again.", (int)response.StatusCode);
            }
            var (value, readFailure) = await ReadJsonAsync<T>(response, overall.Token, cancellationToken);
            return value is not null ? ApiResult.Ok(value) : readFailure!;
        }
    }

    /// <summary>Sends and maps status codes and exceptions to failures; a returned response is 2xx (or an accepted 503).</summary>
    private async Task<(HttpResponseMessage? Response, ApiFailure? Failure)> SendAsync(HttpRequestMessage message, CancellationToken token, CancellationToken callerToken, bool acceptServiceUnavailable = false)
    {
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, token);
        }
        catch (BrokenCircuitException)
        {
            return (null, ApiFailure.CircuitOpen());
        }
        catch (TimeoutRejectedException)
        {
            return (null, ApiFailure.Timeout());
        }
        catch (OperationCanceledException) when (!callerToken.IsCancellationRequested)
        {
            return (null, ApiFailure.Timeout());
        }
        catch (HttpRequestException ex)
        {
            _logger.LogWarning("The API could not be reached: {Error}", ex.HttpRequestError);
            return (null, ApiFailure.Unavailable());
        }

        if (response.IsSuccessStatusCode || (acceptServiceUnavailable && response.StatusCode == HttpStatusCode.ServiceUnavailable))
        {
            return (response, null);
        }
        using (response)
        {
            var failure = await DescribeFailureAsync(response, token);
            _logger.LogWarning("The API answered {Method} {Path} with {Status}", message.Method, message.RequestUri?.AbsolutePath, (int)response.StatusCode);
            return (null, failure);
        }
    }

    private static async Task<ApiFailure> DescribeFailureAsync(HttpResponseMessage response, CancellationToken token)
    {
        var status = (int)response.StatusCode;
        var (type, detail) = await ReadProblemAsync(response, token);
        var retryAfter = response.Headers.RetryAfter?.Delta
            ?? (response.Headers.RetryAfter?.Date is { } date ? date - DateTimeOffset.UtcNow : null);
        // The problem type says what happened; the status code is the fallback for answers without one (a proxy's page).
        switch (type)
        {
            case ProblemTypes.RateLimited:
                return RateLimited(detail, status, retryAfter);
            case ProblemTypes.Banned or ProblemTypes.Forbidden:
                return new ApiFailure(ApiFailureKind.Forbidden,
                    detail ?? "You don't have access to this. Ask the compliance team if you think that's a mistake.", status);
            case ProblemTypes.NotFound:
                return new ApiFailure(ApiFailureKind.NotFound, detail ?? "There was nothing to find for that.", status);
            case ProblemTypes.DependencyUnavailable or ProblemTypes.NotYetStored:
                // A passing outage, not a bug: say so, and when to come back if the API said.
                return ApiFailure.Unavailable() with { StatusCode = status, RetryAfter = retryAfter };
            case ProblemTypes.Validation or ProblemTypes.Conflict or ProblemTypes.PayloadTooLarge
                or ProblemTypes.UnsupportedMediaType or ProblemTypes.DocumentUnreadable:
                return new ApiFailure(ApiFailureKind.Rejected, detail ?? "The compliance service couldn't accept that request.", status);
        }
        switch (response.StatusCode)
        {
            case HttpStatusCode.TooManyRequests:
                return RateLimited(detail, status, retryAfter);
            case HttpStatusCode.Unauthorized:
                return new ApiFailure(ApiFailureKind.Unauthorized,
                    "The assistant isn't set up correctly (the compliance service refused the bot). Please tell an administrator.", status);
            case HttpStatusCode.Forbidden:
                return new ApiFailure(ApiFailureKind.Forbidden,
                    detail ?? "You don't have access to this. Ask the compliance team if you think that's a mistake.", status);
            case HttpStatusCode.NotFound:
                return new ApiFailure(ApiFailureKind.NotFound, detail ?? "There was nothing to find for that.", status);
            case >= HttpStatusCode.InternalServerError:
                return ApiFailure.ServerError(status);
            default:
                return new ApiFailure(ApiFailureKind.Rejected, detail ?? "The compliance service couldn't accept that request.", status);
        }

        static ApiFailure RateLimited(string? detail, int status, TimeSpan? retryAfter)
        {
            var wait = retryAfter is { } delay && delay > TimeSpan.Zero
                ? $" You can ask again in {FormatWait(delay)}."
                : " Please wait a little before asking again.";
            return new ApiFailure(ApiFailureKind.RateLimited, (detail ?? "You're asking faster than the assistant allows.") + wait, status, retryAfter);
        }
    }

    /// <summary>
    /// The RFC 7807 <c>type</c>, and its <c>detail</c> (or <c>title</c>) trimmed to a sentence's length; nulls when absent.
    /// </summary>
    private static async Task<(string? Type, string? Detail)> ReadProblemAsync(HttpResponseMessage response, CancellationToken token)
    {
        try
        {
            var media = response.Content.Headers.ContentType?.MediaType;
            if (media is not ("application/problem+json" or "application/json"))
            {
                return (null, null);
            }
            var body = await response.Content.ReadAsStringAsync(token);
            var text = ProblemText.Of(body);
            return (ProblemText.TypeOf(body), text is null ? null : text.Length > 300 ? text[..300] + "…" : text);
        }
        catch (Exception ex) when (ex is InvalidOperationException or HttpRequestException or OperationCanceledException)
        {
            return (null, null);
        }
    }

    private async Task<(T? Value, ApiFailure? Failure)> ReadJsonAsync<T>(HttpResponseMessage response, CancellationToken token, CancellationToken callerToken)
        where T : class
    {
        try
        {
            var value = await response.Content.ReadFromJsonAsync<T>(Json, token);
            return value is null
                ? (null, new ApiFailure(ApiFailureKind.ServerError, "The compliance service gave an empty answer. Please try again.", (int)response.StatusCode))
                : (value, null);
        }
        catch (OperationCanceledException) when (!callerToken.IsCancellationRequested)
        {
            return (null, ApiFailure.Timeout());
        }
        catch (Exception ex) when (ex is JsonException or HttpRequestException or IOException or NotSupportedException)
        {
            _logger.LogWarning("The API's reply could not be read: {Error}", ex.GetType().Name);
            return (null, new ApiFailure(ApiFailureKind.ServerError, "The compliance service gave an answer I couldn't read. Please try again.", (int)response.StatusCode));
        }
    }

    private static QueryEvent? Parse(ServerSentEvent sse, out bool terminal)
    {
        terminal = false;
        switch (sse.Name)
        {
            case QueryStreamEvents.Meta:
                return JsonSerializer.Deserialize<QueryStreamMeta>(sse.Data, Json) is { } meta ? new QueryMetaEvent(meta) : null;
            case QueryStreamEvents.Delta:
                return JsonSerializer.Deserialize<QueryStreamDelta>(sse.Data, Json) is { Text.Length: > 0 } delta ? new QueryDeltaEvent(delta.Text) : null;
            case QueryStreamEvents.Done:
                terminal = true;
                return JsonSerializer.Deserialize<QueryResponse>(sse.Data, Json) is { } done
                    ? new QueryDoneEvent(done)
                    : new QueryFailedEvent(new ApiFailure(ApiFailureKind.ServerError, "The compliance service gave an empty answer. Please try again."));
            case QueryStreamEvents.Error:
                terminal = true;
                return JsonSerializer.Deserialize<QueryStreamError>(sse.Data, Json) is { } error
                    ? new QueryErrorEvent(error)
                    : new QueryFailedEvent(ApiFailure.ServerError(500));
            default:
                // Unknown events are for newer clients.
                return null;
        }
    }

    private static string FormatWait(TimeSpan delay) => delay.TotalSeconds < 90
        ? $"{Math.Ceiling(delay.TotalSeconds).ToString(CultureInfo.InvariantCulture)} seconds"
        : $"{Math.Ceiling(delay.TotalMinutes).ToString(CultureInfo.InvariantCulture)} minutes";

    private static string Escape(string segment) => Uri.EscapeDataString(segment);
}
