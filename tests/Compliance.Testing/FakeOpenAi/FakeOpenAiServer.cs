using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Compliance.Testing.FakeOpenAi;

/// <summary>
/// An OpenAI-compatible chat-completions endpoint on 127.0.0.1 (Kestrel), standing in for xAI at the network edge.
/// It speaks the protocol as the real service does (bearer auth, OpenAI's error JSON, <c>text/event-stream</c> chunks
/// with <c>delta.content</c>, a finish chunk, a usage chunk when <c>stream_options.include_usage</c> is set, then
/// <c>data: [DONE]</c>), follows a script per request (<see cref="Enqueue"/>, then <see cref="RespondWith"/>) and
/// records every request.
/// </summary>
public sealed partial class FakeOpenAiServer : IAsyncDisposable
{
    /// <summary>The key the fake accepts unless another is given to <see cref="StartAsync"/>.</summary>
    public const string DefaultApiKey = "xai-fakeKeyForTests0123456789abcdef";

    /// <summary>How long an early close waits for sent chunks to drain, so the client reads them before the cut.</summary>
    private static readonly TimeSpan CloseDrainPause = TimeSpan.FromMilliseconds(200);

    private static readonly string[] KnownRoles = ["system", "developer", "user", "assistant", "tool"];

    private readonly WebApplication _app;
    private readonly ConcurrentQueue<FakeReply> _script = new();
    private readonly List<RecordedChatRequest> _requests = [];
    private readonly Lock _lock = new();
    private int _received;
    private Func<RecordedChatRequest, FakeReply> _respond = _ => FakeReply.Answer("This is the fake model's answer.");

    private FakeOpenAiServer(WebApplication app, string apiKey)
    {
        _app = app;
        ApiKey = apiKey;
    }

    /// <summary>The key requests must carry as <c>Authorization: Bearer</c>.</summary>
    public string ApiKey { get; }

    /// <summary>The base URL to configure as <c>XAI_BASE_URL</c>, e.g. <c>http://127.0.0.1:41234/v1</c>.</summary>
    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>Every request received so far, in order (rejected ones included).</summary>
    public IReadOnlyList<RecordedChatRequest> Requests
    {
        get
        {
            lock (_lock)
            {
                return [.. _requests];
            }
        }
    }

    /// <summary>Starts the fake on a free loopback port.</summary>
    public static async Task<FakeOpenAiServer> StartAsync(string apiKey = DefaultApiKey, CancellationToken cancellationToken = default)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var server = new FakeOpenAiServer(app, apiKey);
        app.Run(server.HandleAsync);
        await app.StartAsync(cancellationToken);
        server.BaseUrl = new Uri(app.Urls.Single().TrimEnd('/') + "/v1");
        return server;
    }

    /// <summary>Queues replies for the next requests, one each, in order.</summary>
    public void Enqueue(params FakeReply[] replies)
    {
        ArgumentNullException.ThrowIfNull(replies);
        foreach (var reply in replies)
        {
            _script.Enqueue(reply);
        }
    }

    /// <summary>How to answer once the queue is empty: a function of the request (the prompt, the settings).</summary>
    public void RespondWith(Func<RecordedChatRequest, FakeReply> respond) => _respond = respond ?? throw new ArgumentNullException(nameof(respond));

    /// <summary>Answers with the last user message, quoted: lets a test see exactly what the model was asked.</summary>
    public static FakeReply Echo(RecordedChatRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return FakeReply.Answer("You asked: " + request.LastUserMessage);
    }

    /// <summary>How the fake counts tokens for usage: one per whitespace-separated word.</summary>
    public static int CountTokens(string? text) => string.IsNullOrEmpty(text) ? 0 : WordRun().Count(text);

    /// <summary>Waits until at least <paramref name="count"/> requests have arrived.</summary>
    public async Task WaitForRequestsAsync(int count, CancellationToken cancellationToken)
    {
        while (Requests.Count < count)
        {
            await Task.Delay(10, cancellationToken);
        }
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    private async Task HandleAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body);
        var body = await reader.ReadToEndAsync(context.RequestAborted);
        var (record, parseError) = Record(context, body);
        lock (_lock)
        {
            _requests.Add(record);
        }
        using var disconnected = context.RequestAborted.Register(record.MarkDisconnected);
        try
        {
            await ReplyAsync(context, record, parseError);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException && context.RequestAborted.IsCancellationRequested)
        {
            // The client went away mid-reply: exactly what some tests provoke.
        }
        finally
        {
            record.MarkFinished();
        }
    }

    private async Task ReplyAsync(HttpContext context, RecordedChatRequest request, string? parseError)
    {
        if (!string.Equals(context.Request.Path, "/v1/chat/completions", StringComparison.Ordinal) || context.Request.Method != "POST")
        {
            await ErrorAsync(context, request, 404, $"Invalid URL ({context.Request.Method} {context.Request.Path})", "invalid_request_error", null, null);
            return;
        }
        var authorization = context.Request.Headers.Authorization.ToString();
        if (!authorization.StartsWith("Bearer ", StringComparison.Ordinal))
        {
            await ErrorAsync(context, request, 401,
                "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth.",
                "invalid_request_error", null, null);
            return;
        }
        var key = authorization["Bearer ".Length..];
        if (!string.Equals(key, ApiKey, StringComparison.Ordinal))
        {
            // Like OpenAI: the key is echoed masked, first and last characters only.
            var masked = key.Length <= 8 ? "****" : $"{key[..3]}****{key[^4..]}";
            await ErrorAsync(context, request, 401, $"Incorrect API key provided: {masked}.", "invalid_request_error", "invalid_api_key", null);
            return;
        }
        if (parseError is not null)
        {
            await ErrorAsync(context, request, 400, parseError, "invalid_request_error", null, null);
            return;
        }

        var reply = _script.TryDequeue(out var scripted) ? scripted : _respond(request);
        if (reply.DelayBeforeFirstToken != TimeSpan.Zero && (reply.StatusCode is not null || !request.Stream))
        {
            await Task.Delay(reply.DelayBeforeFirstToken, context.RequestAborted);
        }
        if (reply.StatusCode is { } status)
        {
            await ErrorAsync(context, request, status, reply.ErrorMessage ?? DefaultErrorMessage(status),
                status >= 500 ? "server_error" : status == 429 ? "requests" : "invalid_request_error",
                status == 429 ? "rate_limit_exceeded" : null, reply.RetryAfter);
            return;
        }
        if (request.Stream)
        {
            await StreamAsync(context, request, reply);
        }
        else
        {
            await CompleteAsync(context, request, reply);
        }
    }

    private static async Task CompleteAsync(HttpContext context, RecordedChatRequest request, FakeReply reply)
    {
        if (reply.CloseAfterDeltas is not null)
        {
            context.Abort();
            return;
        }
        request.ResponseStatus = 200;
        context.Response.ContentType = "application/json";
        if (reply.MalformedChunkAfterDeltas is not null)
        {
            await context.Response.WriteAsync("{\"id\": \"chatcmpl-broken\", \"object\": \"chat.completion\", \"choices\": [{\"ind", context.RequestAborted);
            return;
        }
        var message = new JsonObject
        {
            ["role"] = "assistant",
            ["content"] = reply.Refusal is null ? reply.FullText : null,
            ["refusal"] = reply.Refusal,
        };
        var completion = Envelope(request, reply, "chat.completion");
        completion["choices"] = new JsonArray(new JsonObject
        {
            ["index"] = 0,
            ["message"] = message,
            ["logprobs"] = null,
            ["finish_reason"] = reply.FinishReason,
        });
        completion["usage"] = Usage(request, reply);
        await context.Response.WriteAsync(completion.ToJsonString(), context.RequestAborted);
    }

    private static async Task StreamAsync(HttpContext context, RecordedChatRequest request, FakeReply reply)
    {
        var aborted = context.RequestAborted;
        request.ResponseStatus = 200;
        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache";
        await context.Response.StartAsync(aborted);

        // OpenAI opens every stream with the role and empty content, before the model produced anything.
        await ChunkAsync(new JsonObject { ["role"] = "assistant", ["content"] = string.Empty, ["refusal"] = null }, null);
        if (reply.DelayBeforeFirstToken != TimeSpan.Zero)
        {
            await Task.Delay(reply.DelayBeforeFirstToken, aborted);
        }

        var deltas = reply.StreamedDeltas();
        for (var i = 0; i <= deltas.Count; i++)
        {
            if (reply.StallAfterDeltas == i)
            {
                await Task.Delay(Timeout.InfiniteTimeSpan, aborted);
            }
            if (reply.MalformedChunkAfterDeltas == i)
            {
                await WriteAsync("data: {\"id\":\"chatcmpl-broken\",\"choices\":[{\"delta\":{\"content\":\"trunc\n\n");
            }
            if (reply.CloseAfterDeltas == i)
            {
                // Let what was sent reach the client, then drop the connection: the HTTP response ends mid-body.
                await context.Response.Body.FlushAsync(aborted);
                await Task.Delay(CloseDrainPause, aborted);
                context.Abort();
                return;
            }
            if (reply.EndAfterDeltas == i)
            {
                // A complete HTTP response whose event stream stops short: no finish chunk, no [DONE].
                return;
            }
            if (i == deltas.Count)
            {
                break;
            }
            if (i > 0 && reply.DelayBetweenDeltas != TimeSpan.Zero)
            {
                await Task.Delay(reply.DelayBetweenDeltas, aborted);
            }
            await ChunkAsync(new JsonObject { ["content"] = deltas[i] }, null);
        }
        if (reply.Refusal is not null)
        {
            await ChunkAsync(new JsonObject { ["refusal"] = reply.Refusal }, null);
        }
        await ChunkAsync(new JsonObject(), reply.FinishReason);
        if (request.IncludeUsage)
        {
            var usage = Envelope(request, reply, "chat.completion.chunk");
            usage["choices"] = new JsonArray();
            usage["usage"] = Usage(request, reply);
            await WriteAsync($"data: {usage.ToJsonString()}\n\n");
        }
        await WriteAsync("data: [DONE]\n\n");

        async Task ChunkAsync(JsonObject delta, string? finishReason)
        {
            var chunk = Envelope(request, reply, "chat.completion.chunk");
            chunk["choices"] = new JsonArray(new JsonObject
            {
                ["index"] = 0,
                ["delta"] = delta,
                ["logprobs"] = null,
                ["finish_reason"] = finishReason,
            });
            if (request.IncludeUsage)
            {
                chunk["usage"] = null;
            }
            await WriteAsync($"data: {chunk.ToJsonString()}\n\n");
        }

        async Task WriteAsync(string text)
        {
            await context.Response.WriteAsync(text, aborted);
            await context.Response.Body.FlushAsync(aborted);
        }
    }

    private static JsonObject Envelope(RecordedChatRequest request, FakeReply reply, string type) => new()
    {
        ["id"] = $"chatcmpl-fake-{request.Number}",
        ["object"] = type,
        ["created"] = request.ReceivedAt.ToUnixTimeSeconds(),
        ["model"] = reply.Model ?? request.Model,
        ["system_fingerprint"] = "fp_fake",
    };

    private static JsonObject Usage(RecordedChatRequest request, FakeReply reply)
    {
        var prompt = reply.PromptTokens ?? request.Messages.Sum(m => CountTokens(m.Content));
        var completion = reply.CompletionTokens ?? CountTokens(reply.FullText) + CountTokens(reply.Refusal);
        var reasoning = reply.ReasoningTokens ?? 0;
        return new JsonObject
        {
            ["prompt_tokens"] = prompt,
            ["completion_tokens"] = completion,
            ["total_tokens"] = prompt + completion + reasoning,
            ["prompt_tokens_details"] = new JsonObject { ["cached_tokens"] = 0 },
            ["completion_tokens_details"] = new JsonObject { ["reasoning_tokens"] = reasoning },
        };
    }

    private static async Task ErrorAsync(HttpContext context, RecordedChatRequest request, int status, string message, string type, string? code, string? retryAfter)
    {
        request.ResponseStatus = status;
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        if (retryAfter is not null)
        {
            context.Response.Headers.RetryAfter = retryAfter;
        }
        var error = new JsonObject
        {
            ["error"] = new JsonObject { ["message"] = message, ["type"] = type, ["param"] = null, ["code"] = code },
        };
        await context.Response.WriteAsync(error.ToJsonString(), context.RequestAborted);
    }

    private static string DefaultErrorMessage(int status) => status switch
    {
        401 => "Incorrect API key provided.",
        403 => "You are not allowed to use this model.",
        404 => "The model does not exist or you do not have access to it.",
        429 => "Rate limit reached for requests. Please try again later.",
        500 => "The server had an error while processing your request. Sorry about that!",
        502 => "Bad gateway.",
        503 => "The engine is currently overloaded, please try again later.",
        _ => $"Request failed with status {status}.",
    };

    /// <summary>Records the request; returns the validation error a real provider would give, if any.</summary>
    private (RecordedChatRequest Record, string? Error) Record(HttpContext context, string body)
    {
        var number = Interlocked.Increment(ref _received);
        var headers = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        JsonNode? root = null;
        string? error = null;
        try
        {
            root = JsonNode.Parse(body);
        }
        catch (JsonException)
        {
            error = "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly.)";
        }

        var messages = new List<RecordedMessage>();
        string? model = null;
        double? temperature = null, topP = null;
        int? maxTokens = null;
        var stream = false;
        var includeUsage = false;
        if (root is JsonObject json)
        {
            model = json["model"] is JsonValue m && m.TryGetValue<string>(out var name) ? name : null;
            temperature = Number(json["temperature"]);
            topP = Number(json["top_p"]);
            maxTokens = (int?)(Number(json["max_completion_tokens"]) ?? Number(json["max_tokens"]));
            stream = json["stream"] is JsonValue s && s.TryGetValue<bool>(out var isStream) && isStream;
            includeUsage = json["stream_options"]?["include_usage"] is JsonValue u && u.TryGetValue<bool>(out var usage) && usage;
            if (json["messages"] is JsonArray array)
            {
                foreach (var item in array.Select(i => i as JsonObject))
                {
                    var role = item?["role"] is JsonValue r && r.TryGetValue<string>(out var roleName) ? roleName : null;
                    var content = item?["content"] switch
                    {
                        JsonValue v when v.TryGetValue<string>(out var text) => text,
                        // Content parts: [{"type":"text","text":"..."}]
                        JsonArray parts => string.Concat(parts.Select(p =>
                            p is JsonObject part && part["text"] is JsonValue t && t.TryGetValue<string>(out var piece) ? piece : string.Empty)),
                        _ => null,
                    };
                    if (role is null || !KnownRoles.Contains(role) || (content is null && role != "assistant"))
                    {
                        error ??= $"Invalid message at index {messages.Count}: each message needs a role ({string.Join(", ", KnownRoles)}) and content.";
                    }
                    messages.Add(new RecordedMessage(role ?? string.Empty, content ?? string.Empty));
                }
            }
            if (string.IsNullOrWhiteSpace(model))
            {
                error ??= "you must provide a model parameter";
            }
            if (json["messages"] is not JsonArray { Count: > 0 })
            {
                error ??= "'messages' is a required property and must be a non-empty array.";
            }
            if (temperature is < 0 or > 2)
            {
                error ??= $"{temperature.Value.ToString(CultureInfo.InvariantCulture)} is greater than the maximum of 2 - 'temperature'";
            }
        }
        else if (error is null)
        {
            error = "The request body must be a JSON object.";
        }

        return (new RecordedChatRequest
        {
            Number = number,
            ReceivedAt = DateTimeOffset.UtcNow,
            ReceivedTimestamp = Stopwatch.GetTimestamp(),
            Method = context.Request.Method,
            Path = context.Request.Path,
            Headers = headers,
            Body = body,
            Model = model,
            Messages = messages,
            Temperature = temperature,
            TopP = topP,
            MaxTokens = maxTokens,
            Stream = stream,
            IncludeUsage = includeUsage,
        }, error);

        static double? Number(JsonNode? node) => node is JsonValue v && v.TryGetValue<double>(out var d) ? d : null;
    }

    [GeneratedRegex(@"\S+", RegexOptions.CultureInvariant)]
    private static partial Regex WordRun();
}
