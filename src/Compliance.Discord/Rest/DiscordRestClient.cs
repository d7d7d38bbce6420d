using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Compliance.Discord.Json;
using Compliance.Discord.Limits;
using Compliance.Discord.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Compliance.Discord.Rest;

/// <summary>
/// Discord REST v10: the calls a bot needs, with per-bucket rate limits learned from <c>X-RateLimit-*</c>, the
/// global limit, 429 and 5xx handling, and limit checks before sending. Interaction callbacks and interaction
/// webhooks go without the bot token: the interaction token in the path is their credential.
/// </summary>
public sealed class DiscordRestClient
{
    private const string CommandsTemplate = "/applications/{application.id}/commands";
    private const string GuildCommandsTemplate = "/applications/{application.id}/guilds/{guild.id}/commands";
    private const string CallbackTemplate = "/interactions/{interaction.id}/{interaction.token}/callback";
    private const string WebhookTemplate = "/webhooks/{application.id}/{interaction.token}";
    private const string OriginalTemplate = "/webhooks/{application.id}/{interaction.token}/messages/@original";
    private const string FollowupTemplate = "/webhooks/{application.id}/{interaction.token}/messages/{message.id}";

    private readonly HttpClient _http;
    private readonly DiscordOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly RestRateLimiter _buckets;
    private readonly GlobalRateLimit _global;
    private readonly string _userAgent;
    private long _invalidRequests;

    public DiscordRestClient(HttpClient http, DiscordOptions options, ILogger<DiscordRestClient>? logger = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(options);
        options.ThrowIfInvalid();
        _http = http;
        _options = options;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _time = time ?? TimeProvider.System;
        _buckets = new RestRateLimiter(_time);
        _global = new GlobalRateLimit(options.Rest.GlobalRequestsPerSecond, _time);
        _userAgent = $"DiscordBot ({options.UserAgentUrl}, {options.UserAgentVersion})";
    }

    /// <summary>
    /// Responses that count toward Discord's invalid-request ban (10,000 per 10 min): 401, 403, and 429 other than
    /// the <c>shared</c> scope. For metrics and tests; a healthy bot keeps this near zero.
    /// </summary>
    public long InvalidRequestCount => Interlocked.Read(ref _invalidRequests);

    // ---- Gateway and application -------------------------------------------------------------------------------

    /// <summary><c>GET /gateway/bot</c>: the gateway URL, recommended shards and identify budget.</summary>
    public Task<GatewayBotInfo> GetGatewayBotAsync(CancellationToken cancellationToken = default) =>
        SendAsync<GatewayBotInfo>(RestRoute.Bot(HttpMethod.Get, "/gateway/bot", ""), null, cancellationToken);

    /// <summary><c>GET /applications/@me</c>.</summary>
    public Task<Application> GetCurrentApplicationAsync(CancellationToken cancellationToken = default) =>
        SendAsync<Application>(RestRoute.Bot(HttpMethod.Get, "/applications/@me", ""), null, cancellationToken);

    // ---- Application commands ----------------------------------------------------------------------------------

    public Task<IReadOnlyList<ApplicationCommand>> GetGlobalCommandsAsync(ulong applicationId, CancellationToken cancellationToken = default) =>
        SendAsync<IReadOnlyList<ApplicationCommand>>(RestRoute.Bot(HttpMethod.Get, CommandsTemplate, "", applicationId), null, cancellationToken);

    /// <summary>Replaces every global command with <paramref name="commands"/> (PUT, idempotent).</summary>
    public Task<IReadOnlyList<ApplicationCommand>> BulkOverwriteGlobalCommandsAsync(ulong applicationId, IReadOnlyList<ApplicationCommand> commands, CancellationToken cancellationToken = default) =>
        SendAsync<IReadOnlyList<ApplicationCommand>>(RestRoute.Bot(HttpMethod.Put, CommandsTemplate, "", applicationId), commands, cancellationToken);

    public Task<IReadOnlyList<ApplicationCommand>> GetGuildCommandsAsync(ulong applicationId, ulong guildId, CancellationToken cancellationToken = default) =>
        SendAsync<IReadOnlyList<ApplicationCommand>>(RestRoute.Bot(HttpMethod.Get, GuildCommandsTemplate, Major("guild", guildId), applicationId, guildId), null, cancellationToken);

    /// <summary>Replaces every command of one guild (instant propagation; use for development guilds).</summary>
    public Task<IReadOnlyList<ApplicationCommand>> BulkOverwriteGuildCommandsAsync(ulong applicationId, ulong guildId, IReadOnlyList<ApplicationCommand> commands, CancellationToken cancellationToken = default) =>
        SendAsync<IReadOnlyList<ApplicationCommand>>(RestRoute.Bot(HttpMethod.Put, GuildCommandsTemplate, Major("guild", guildId), applicationId, guildId), commands, cancellationToken);

    // ---- Interactions ------------------------------------------------------------------------------------------

    /// <summary>
    /// Answers an interaction (must happen within 3 s of its dispatch, once). Throws <see cref="DiscordApiException"/>
    /// with <see cref="DiscordApiException.IsUnknownInteraction"/> when too late, or
    /// <see cref="DiscordApiException.IsAlreadyAcknowledged"/> when answered twice.
    /// </summary>
    public async Task CreateInteractionResponseAsync(ulong interactionId, string interactionToken, InteractionResponse response, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(response);
        RequireToken(interactionToken);
        MessageValidator.Validate(response);
        await SendAsync<JsonElement?>(RestRoute.Interaction(HttpMethod.Post, CallbackTemplate, Major("interaction", interactionId, interactionToken), interactionId, interactionToken), response, cancellationToken);
    }

    public Task<Message> GetOriginalResponseAsync(ulong applicationId, string interactionToken, CancellationToken cancellationToken = default)
    {
        RequireToken(interactionToken);
        return SendAsync<Message>(WebhookRoute(HttpMethod.Get, OriginalTemplate, applicationId, interactionToken), null, cancellationToken);
    }

    /// <summary>Edits the interaction's original response (the deferred "thinking…" message, for example).</summary>
    public Task<Message> EditOriginalResponseAsync(ulong applicationId, string interactionToken, WebhookMessage edit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(edit);
        RequireToken(interactionToken);
        MessageValidator.Validate(edit, isCreate: false);
        return SendAsync<Message>(WebhookRoute(HttpMethod.Patch, OriginalTemplate, applicationId, interactionToken), edit, cancellationToken);
    }

    public async Task DeleteOriginalResponseAsync(ulong applicationId, string interactionToken, CancellationToken cancellationToken = default)
    {
        RequireToken(interactionToken);
        await SendAsync<JsonElement?>(WebhookRoute(HttpMethod.Delete, OriginalTemplate, applicationId, interactionToken), null, cancellationToken);
    }

    /// <summary>Sends a followup message (set <see cref="MessageFlags.Ephemeral"/> for a private one).</summary>
    public Task<Message> CreateFollowupMessageAsync(ulong applicationId, string interactionToken, WebhookMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        RequireToken(interactionToken);
        MessageValidator.Validate(message, isCreate: true);
        return SendAsync<Message>(WebhookRoute(HttpMethod.Post, WebhookTemplate, applicationId, interactionToken), message, cancellationToken);
    }

    public Task<Message> EditFollowupMessageAsync(ulong applicationId, string interactionToken, ulong messageId, WebhookMessage edit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(edit);
        RequireToken(interactionToken);
        MessageValidator.Validate(edit, isCreate: false);
        return SendAsync<Message>(WebhookRoute(HttpMethod.Patch, FollowupTemplate, applicationId, interactionToken, messageId), edit, cancellationToken);
    }

    public async Task DeleteFollowupMessageAsync(ulong applicationId, string interactionToken, ulong messageId, CancellationToken cancellationToken = default)
    {
        RequireToken(interactionToken);
        await SendAsync<JsonElement?>(WebhookRoute(HttpMethod.Delete, FollowupTemplate, applicationId, interactionToken, messageId), null, cancellationToken);
    }

    // ---- Channels ----------------------------------------------------------------------------------------------

    /// <summary>Posts a message (use <see cref="MessageCreate.MessageReference"/> to reply).</summary>
    public Task<Message> CreateMessageAsync(ulong channelId, MessageCreate message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        MessageValidator.Validate(message);
        return SendAsync<Message>(RestRoute.Bot(HttpMethod.Post, "/channels/{channel.id}/messages", Major("channel", channelId), channelId), message, cancellationToken);
    }

    /// <summary>Shows "bot is typing…" for about 10 s; repeat every ~8 s during long work.</summary>
    public async Task TriggerTypingAsync(ulong channelId, CancellationToken cancellationToken = default) =>
        await SendAsync<JsonElement?>(RestRoute.Bot(HttpMethod.Post, "/channels/{channel.id}/typing", Major("channel", channelId), channelId), null, cancellationToken);

    // ---- Pipeline ----------------------------------------------------------------------------------------------

    private static RestRoute WebhookRoute(HttpMethod method, string template, ulong applicationId, string token, params object[] more) =>
        RestRoute.Interaction(method, template, Major("webhook", applicationId, token), [applicationId, token, .. more]);

    private static string Major(string kind, params object[] values) =>
        kind + ":" + string.Join('/', values.Select(v => Convert.ToString(v, CultureInfo.InvariantCulture)));

    private static void RequireToken(string interactionToken)
    {
        if (string.IsNullOrWhiteSpace(interactionToken))
        {
            throw new ArgumentException("The interaction token is required.", nameof(interactionToken));
        }
    }

    private async Task<T> SendAsync<T>(RestRoute route, object? body, CancellationToken cancellationToken)
    {
        var payload = body is null ? null : JsonSerializer.SerializeToUtf8Bytes(body, body.GetType(), DiscordJson.Options);
        var rateLimitWaits = 0;
        var serverErrors = 0;
        while (true)
        {
            var bucket = _buckets.GetBucket(route);
            await bucket.AcquireAsync(cancellationToken);
            HttpResponseMessage? response = null;
            byte[] content;
            RateLimitHeaders headers;
            try
            {
                if (route.Auth == RouteAuth.Bot)
                {
                    await _global.WaitAsync(cancellationToken);
                }
                using var request = BuildRequest(route, payload);
                using var attemptTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                attemptTimeout.CancelAfter(_options.Rest.RequestTimeout);
                try
                {
                    response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, attemptTimeout.Token);
                    content = await response.Content.ReadAsByteArrayAsync(attemptTimeout.Token);
                }
                catch (Exception ex) when (ex is HttpRequestException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
                {
                    bucket.Abandon();
                    // The request may or may not have reached Discord; callbacks are not retried, as a
                    // duplicate would only earn 40060.
                    if (route.Template == CallbackTemplate || serverErrors++ >= _options.Rest.MaxServerErrorRetries)
                    {
                        throw new DiscordApiException($"Discord {route} failed: {(ex is OperationCanceledException ? "timed out" : ex.Message)}", ex);
                    }
                    await Task.Delay(RetryDelay(serverErrors), _time, cancellationToken);
                    continue;
                }
                headers = RateLimitHeaders.From(response);
                bucket.Complete(headers, _options.Rest.RateLimitSafetyMargin);
                _buckets.LearnHash(route, bucket, headers.Bucket);
            }
            catch (OperationCanceledException)
            {
                response?.Dispose();
                throw;
            }

            using (response)
            {
                var status = (int)response.StatusCode;
                if (status is >= 200 and < 300)
                {
                    return Deserialize<T>(content, route);
                }
                if (status == 429)
                {
                    var wait = HandleRateLimited(route, bucket, headers, content, out var global, out var scope);
                    if (rateLimitWaits++ >= _options.Rest.MaxRateLimitRetries)
                    {
                        throw new DiscordRateLimitedException(route.Key, wait, global, scope);
                    }
                    // The bucket (and for global, the global gate) is now blocked; the next acquire waits it out.
                    continue;
                }
                if (status >= 500 && serverErrors++ < _options.Rest.MaxServerErrorRetries && route.Template != CallbackTemplate)
                {
                    _logger.LogWarning("Discord {Route} answered {Status}; retry {Attempt} of {Max}", route.Key, status, serverErrors, _options.Rest.MaxServerErrorRetries);
                    await Task.Delay(RetryDelay(serverErrors), _time, cancellationToken);
                    continue;
                }
                if (status is 401 or 403)
                {
                    Interlocked.Increment(ref _invalidRequests);
                }
                throw ToException(route, response.StatusCode, content);
            }
        }
    }

    private TimeSpan RetryDelay(int attempt) => _options.Rest.ServerErrorRetryDelay * Math.Pow(2, attempt - 1);

    private TimeSpan HandleRateLimited(RestRoute route, RateLimitBucket bucket, RateLimitHeaders headers, byte[] content, out bool global, out string? scope)
    {
        scope = headers.Scope;
        global = headers.Global;
        TimeSpan? retryAfter = null;
        var parsed = false;
        try
        {
            using var document = JsonDocument.Parse(content);
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("retry_after", out var retry) && retry.ValueKind == JsonValueKind.Number)
            {
                retryAfter = TimeSpan.FromSeconds(retry.GetDouble());
                global |= root.TryGetProperty("global", out var g) && g.ValueKind == JsonValueKind.True;
                parsed = true;
            }
        }
        catch (JsonException)
        {
            // Not Discord's JSON: most likely a Cloudflare-level limit, handled as global below.
        }
        if (!parsed)
        {
            // An unexplained 429 is treated as global: back off everything rather than guess.
            global = true;
            retryAfter = headers.RetryAfter ?? _options.Rest.UnparseableRateLimitPause;
        }
        var wait = (retryAfter ?? headers.RetryAfter ?? TimeSpan.FromSeconds(1)) + _options.Rest.RateLimitSafetyMargin;
        if (global)
        {
            _global.Pause(wait);
        }
        // Block the bucket too: queued requests for it must not fire into the same 429.
        bucket.Block(wait);
        if (!string.Equals(scope, "shared", StringComparison.OrdinalIgnoreCase))
        {
            Interlocked.Increment(ref _invalidRequests);
        }
        _logger.LogWarning("Discord {Route} rate limited ({Scope}{Global}); waiting {Wait} ms", route.Key, scope ?? "user", global ? ", global" : "", (long)wait.TotalMilliseconds);
        return wait;
    }

    private HttpRequestMessage BuildRequest(RestRoute route, byte[]? payload)
    {
        var request = new HttpRequestMessage(route.Method, new Uri(_options.ApiBaseUrl, route.Path.TrimStart('/')));
        request.Headers.TryAddWithoutValidation("User-Agent", _userAgent);
        if (route.Auth == RouteAuth.Bot)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bot", _options.BotToken);
        }
        if (payload is not null)
        {
            request.Content = new ByteArrayContent(payload);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }
        return request;
    }

    private static T Deserialize<T>(byte[] content, RestRoute route)
    {
        if (content.Length == 0)
        {
            return default!;
        }
        try
        {
            return JsonSerializer.Deserialize<T>(content, DiscordJson.Options)!;
        }
        catch (JsonException ex)
        {
            throw new DiscordApiException($"Discord {route} returned a body that is not the expected JSON.", ex);
        }
    }

    private static DiscordApiException ToException(RestRoute route, HttpStatusCode status, byte[] content)
    {
        int? code = null;
        string? message = null;
        JsonElement? errors = null;
        try
        {
            using var document = JsonDocument.Parse(content);
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object)
            {
                code = root.TryGetProperty("code", out var c) && c.ValueKind == JsonValueKind.Number ? c.GetInt32() : null;
                message = root.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;
                errors = root.TryGetProperty("errors", out var e) ? e.Clone() : null;
            }
        }
        catch (JsonException)
        {
            // A non-JSON error body carries no code; the status alone describes it.
        }
        return new DiscordApiException(status, code, message, errors, route.Key);
    }
}
