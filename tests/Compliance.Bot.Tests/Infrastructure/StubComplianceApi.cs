using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Compliance.Contracts.Feedback;
using Compliance.Contracts.Questions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Compliance.Bot.Tests.Infrastructure;

/// <summary>One request the stub API received.</summary>
public sealed record StubRequest(string Method, string Path, string Query, string? Authorization, string? TraceParent, string? Accept, JsonNode? Body);

/// <summary>How the stub answers the next question.</summary>
public sealed record StubAnswer
{
    public string Text { get; init; } = "You may not trade during the blackout window [1]. Pre-clearance is required for exceptions [2].";
    public string Status { get; init; } = QueryStatuses.Answered;
    public string Mode { get; init; } = AnswerModes.Generated;
    public string? Warning { get; init; }
    public int WordsPerDelta { get; init; } = 2;
    public TimeSpan DelayBeforeHeaders { get; init; }
    public TimeSpan DelayBetweenDeltas { get; init; } = TimeSpan.FromMilliseconds(30);

    /// <summary>Instead of an answer: an HTTP status (with an RFC 7807 body and optional Retry-After).</summary>
    public int? FailWithStatus { get; init; }
    public string? ProblemDetail { get; init; }
    public int? RetryAfterSeconds { get; init; }
    /// <summary>The problem <c>type</c> the API would send (<see cref="Compliance.Contracts.Common.ProblemTypes"/>); null: <c>about:blank</c>, as a proxy would.</summary>
    public string? ProblemType { get; init; }

    /// <summary>Instead of done: an SSE error event with this user message.</summary>
    public string? StreamError { get; init; }

    /// <summary>Wait this long before done (after the deltas), e.g. to script gateway faults mid-stream.</summary>
    public TimeSpan DelayBeforeDone { get; init; }

    /// <summary>Send a keep-alive comment between deltas.</summary>
    public bool KeepAlives { get; init; } = true;
}

/// <summary>
/// A stand-in for the Compliance API at the network edge (Kestrel on 127.0.0.1:0), written from the contracts:
/// bearer auth with the service token, <c>POST /api/v1/query</c> as Server-Sent Events (meta, deltas, keep-alive
/// comments, done or error) or JSON, feedback, history, erase, conversation reset, settings, stats and health,
/// RFC 7807 errors with Retry-After. It records every request so tests can assert on what the bot sent.
/// </summary>
public sealed class StubComplianceApi : IAsyncDisposable
{
    public const string ServiceToken = "service-token-for-bot-tests-0123456789";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly WebApplication _app;
    private readonly ConcurrentQueue<StubRequest> _requests = new();
    private readonly ConcurrentQueue<StubAnswer> _answers = new();
    private readonly ConcurrentDictionary<string, List<HistoryItem>> _history = new();
    private readonly ConcurrentDictionary<string, bool> _settings = new();
    private readonly ConcurrentQueue<int> _scriptedStatuses = new();

    private StubComplianceApi(WebApplication app) => _app = app;

    public Uri BaseUrl { get; private set; } = null!;

    public IReadOnlyCollection<StubRequest> Requests => _requests;

    /// <summary>Feedback bodies received.</summary>
    public IReadOnlyList<FeedbackRequest> Feedback => [.. _requests.Where(r => r.Path == "/api/v1/feedback" && r.Body is not null).Select(r => r.Body.Deserialize<FeedbackRequest>(Json)!)];

    /// <summary>Questions received.</summary>
    public IReadOnlyList<QueryRequest> Questions => [.. _requests.Where(r => r.Path == "/api/v1/query" && r.Body is not null).Select(r => r.Body.Deserialize<QueryRequest>(Json)!)];

    /// <summary>Answers every question after the queue is empty.</summary>
    public StubAnswer DefaultAnswer { get; set; } = new();

    /// <summary>When set, settings GETs answer 404 (the endpoint missing, as before the other helper's work lands).</summary>
    public bool SettingsMissing { get; set; }

    /// <summary>Stats the admin command receives; null answers 403 (the user is not an API reviewer).</summary>
    public Compliance.Contracts.Admin.StatsResponse? Stats { get; set; } = new(
        new DateOnly(2026, 11, 15), new DateOnly(2026, 11, 21),
        [new Compliance.Contracts.Admin.DailyStats(new DateOnly(2026, 11, 21), 42, 0.75, 0.05, 0.2, 0, 900, 2100, 5, 0.8, 1000, 500, 0.01m)],
        [new Compliance.Contracts.Admin.CitedDocument(Guid.Empty, "Gifts and Entertainment Policy", 30, 20)],
        [new Compliance.Contracts.Admin.CoverageGap(["parental", "leave"], 4, 4, 0, ["What is the parental leave policy?"])]);

    public static async Task<StubComplianceApi> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var stub = new StubComplianceApi(app);
        app.Run(stub.HandleAsync);
        await app.StartAsync();
        stub.BaseUrl = new Uri(app.Urls.Single().TrimEnd('/') + "/");
        return stub;
    }

    public void Enqueue(params StubAnswer[] answers)
    {
        foreach (var answer in answers)
        {
            _answers.Enqueue(answer);
        }
    }

    /// <summary>The next requests (any route except health) fail with these statuses, in order.</summary>
    public void FailNext(params int[] statuses)
    {
        foreach (var status in statuses)
        {
            _scriptedStatuses.Enqueue(status);
        }
    }

    public void SetPreference(string userId, bool answerPrivately) => _settings[userId] = answerPrivately;

    public int CountRequests(string method, string pathPrefix) =>
        _requests.Count(r => r.Method == method && r.Path.StartsWith(pathPrefix, StringComparison.Ordinal));

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    private async Task HandleAsync(HttpContext http)
    {
        JsonNode? body = null;
        if (http.Request.ContentLength > 0 || http.Request.Headers.TransferEncoding.Count > 0)
        {
            body = await JsonNode.ParseAsync(http.Request.Body);
        }
        var path = http.Request.Path.Value ?? "";
        _requests.Enqueue(new StubRequest(http.Request.Method, path, http.Request.QueryString.Value ?? "",
            http.Request.Headers.Authorization.ToString(), http.Request.Headers["traceparent"].ToString() is { Length: > 0 } tp ? tp : null,
            http.Request.Headers.Accept.ToString(), body));

        if (path == "/health")
        {
            await http.Response.WriteAsJsonAsync(new JsonObject { ["status"] = "Healthy", ["failing"] = new JsonArray(), ["checks"] = new JsonObject { ["postgres"] = "Healthy", ["redis"] = "Healthy" } });
            return;
        }
        if (http.Request.Headers.Authorization != "Bearer " + ServiceToken)
        {
            await ProblemAsync(http, 401, "The bearer token is not valid.");
            return;
        }
        if (_scriptedStatuses.TryDequeue(out var scripted))
        {
            await ProblemAsync(http, scripted, scripted == 429 ? "You have asked 10 questions in the last minute." : null, scripted == 429 ? 30 : null);
            return;
        }

        var segments = path.Trim('/').Split('/');
        switch (http.Request.Method, segments)
        {
            case ("POST", ["api", "v1", "query"]):
                await QueryAsync(http, body.Deserialize<QueryRequest>(Json)!);
                break;
            case ("POST", ["api", "v1", "feedback"]):
                var feedback = body.Deserialize<FeedbackRequest>(Json)!;
                var rating = feedback.Rating ?? (feedback.Helpful == true ? 5 : 1);
                await http.Response.WriteAsJsonAsync(new FeedbackResponse(feedback.QueryId, rating, feedback.Category, Replaced: false, Flagged: rating <= 2), Json);
                break;
            case ("GET", ["api", "v1", "history", var user]):
                var items = _history.GetValueOrDefault(Uri.UnescapeDataString(user)) ?? [];
                var limit = int.TryParse(http.Request.Query["limit"], out var n) ? n : 20;
                List<HistoryItem> page;
                lock (items)
                {
                    page = [.. items.AsEnumerable().Reverse().Take(limit)];
                }
                await http.Response.WriteAsJsonAsync(page, Json);
                break;
            case ("DELETE", ["api", "v1", "history", var user]):
                _history.TryRemove(Uri.UnescapeDataString(user), out var erased);
                await http.Response.WriteAsJsonAsync(new JsonObject { ["userId"] = Uri.UnescapeDataString(user), ["queriesErased"] = erased?.Count ?? 0 });
                break;
            case ("DELETE", ["api", "v1", "conversations", var conversation]):
                // As the API: a reset names whose conversation it is.
                if (string.IsNullOrEmpty(http.Request.Query["userId"]))
                {
                    await ProblemAsync(http, 400, "userId is the asker's Discord user id (digits only).");
                    break;
                }
                await http.Response.WriteAsJsonAsync(new ConversationResetResponse(Uri.UnescapeDataString(conversation), 1), Json);
                break;
            case ("GET", ["api", "v1", "users", var user, "settings"]):
                if (SettingsMissing || !_settings.TryGetValue(Uri.UnescapeDataString(user), out var preference))
                {
                    await ProblemAsync(http, 404, "No settings stored for this user.");
                    return;
                }
                await http.Response.WriteAsJsonAsync(new { answerPrivately = preference });
                break;
            case ("PUT", ["api", "v1", "users", var user, "settings"]):
                var wanted = body?["answerPrivately"]?.GetValue<bool>() ?? false;
                _settings[Uri.UnescapeDataString(user)] = wanted;
                await http.Response.WriteAsJsonAsync(new { answerPrivately = wanted });
                break;
            case ("GET", ["admin", "stats"]):
                if (Stats is null || http.Request.Headers["X-Discord-User-Id"].Count == 0)
                {
                    await ProblemAsync(http, 403, "Only reviewers and admins can see usage figures.");
                    return;
                }
                await http.Response.WriteAsJsonAsync(Stats);
                break;
            default:
                await ProblemAsync(http, 404, "Not found.");
                break;
        }
    }

    private async Task QueryAsync(HttpContext http, QueryRequest request)
    {
        var answer = _answers.TryDequeue(out var next) ? next : DefaultAnswer;
        if (answer.DelayBeforeHeaders > TimeSpan.Zero)
        {
            await Task.Delay(answer.DelayBeforeHeaders);
        }
        if (answer.FailWithStatus is { } status)
        {
            await ProblemAsync(http, status, answer.ProblemDetail, answer.RetryAfterSeconds, answer.ProblemType);
            return;
        }

        var queryId = Guid.NewGuid();
        var sources = new List<Citation>
        {
            new(1, Guid.NewGuid(), "Personal Trading Policy", 3, "4.2 Blackout windows", 7, "chunk-1", 0.91, "No trading during blackout windows.", new DateOnly(2026, 1, 1)),
            new(2, Guid.NewGuid(), "Pre-clearance Procedure", 1, "2 Requests", 2, "chunk-2", 0.77, "Requests go to compliance."),
        };
        var cited = answer.Status == QueryStatuses.Refused ? [] : sources.Where(s => answer.Text.Contains($"[{s.Number}]", StringComparison.Ordinal)).ToList();
        var response = new QueryResponse(queryId, answer.Status, answer.Mode, answer.Text, cited, sources, answer.Warning, "grok-4-latest", "answer-v1",
            new QueryUsage(100, 20, 0.001m), new QueryTimings(5, 10, 50, 300), CacheHit: false, request.ConversationId);
        var history = _history.GetOrAdd(request.UserId, _ => []);
        lock (history)
        {
            history.Add(new HistoryItem(queryId, DateTimeOffset.UtcNow, request.Question, answer.Status, answer.Text[..Math.Min(80, answer.Text.Length)], cited.Count));
        }

        if (!http.Request.Headers.Accept.ToString().Contains("text/event-stream", StringComparison.Ordinal))
        {
            await http.Response.WriteAsJsonAsync(response, Json);
            return;
        }
        http.Response.ContentType = "text/event-stream";
        await http.Response.WriteAsync(": stream opened\n\n");
        await SendAsync(http, QueryStreamEvents.Meta, new QueryStreamMeta(queryId, answer.Mode, sources));
        var words = answer.Text.Split(' ');
        for (var i = 0; i < words.Length; i += answer.WordsPerDelta)
        {
            await Task.Delay(answer.DelayBetweenDeltas);
            var chunk = string.Join(' ', words.Skip(i).Take(answer.WordsPerDelta)) + (i + answer.WordsPerDelta < words.Length ? " " : "");
            await SendAsync(http, QueryStreamEvents.Delta, new QueryStreamDelta(chunk));
            if (answer.KeepAlives)
            {
                await http.Response.WriteAsync(":\n\n");
            }
        }
        if (answer.DelayBeforeDone > TimeSpan.Zero)
        {
            await Task.Delay(answer.DelayBeforeDone);
        }
        if (answer.StreamError is { } error)
        {
            await SendAsync(http, QueryStreamEvents.Error, new QueryStreamError(queryId, "llm_unavailable", error));
            return;
        }
        await SendAsync(http, QueryStreamEvents.Done, response);
    }

    private static async Task SendAsync<T>(HttpContext http, string name, T data)
    {
        await http.Response.WriteAsync($"event: {name}\ndata: {JsonSerializer.Serialize(data, Json)}\n\n");
        await http.Response.Body.FlushAsync();
    }

    private static async Task ProblemAsync(HttpContext http, int status, string? detail, int? retryAfterSeconds = null, string? type = null)
    {
        http.Response.StatusCode = status;
        if (retryAfterSeconds is { } seconds)
        {
            http.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        var problem = new JsonObject { ["type"] = type ?? "about:blank", ["title"] = ((HttpStatusCode)status).ToString(), ["status"] = status };
        if (detail is not null)
        {
            problem["detail"] = detail;
        }
        http.Response.ContentType = "application/problem+json";
        await http.Response.WriteAsync(problem.ToJsonString());
    }
}
