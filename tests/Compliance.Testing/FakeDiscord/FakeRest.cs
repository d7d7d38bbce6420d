using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Compliance.Testing.FakeDiscord;

internal enum FakeRouteAuth
{
    Bot,
    InteractionToken,
}

/// <summary>A REST route of the fake: method plus template, e.g. <c>PATCH /webhooks/{app}/{token}/messages/@original</c>.</summary>
internal sealed record FakeRoute(string Method, string Template, FakeRouteAuth Auth, Regex Pattern, Func<FakeRest, RequestContext, Task<IResult>> Handler)
{
    public string Key => $"{Method} {Template}";
}

/// <summary>One request being handled: its route values and parsed JSON body.</summary>
internal sealed record RequestContext(HttpContext Http, IReadOnlyDictionary<string, string> Values, JsonNode? Body);

/// <summary>
/// The fake's REST API under <c>/api/v10</c>: the routes the bot uses, Discord's auth rules, validation,
/// interaction lifecycle and rate limits, with counters for tests.
/// </summary>
public sealed partial class FakeRest
{
    /// <summary>Route keys, for scripting faults and reading counters.</summary>
    public static class Routes
    {
        public const string GatewayBot = "GET /gateway/bot";
        public const string CurrentApplication = "GET /applications/@me";
        public const string GetGlobalCommands = "GET /applications/{app}/commands";
        public const string OverwriteGlobalCommands = "PUT /applications/{app}/commands";
        public const string CreateGlobalCommand = "POST /applications/{app}/commands";
        public const string GetGuildCommands = "GET /applications/{app}/guilds/{guild}/commands";
        public const string OverwriteGuildCommands = "PUT /applications/{app}/guilds/{guild}/commands";
        public const string CreateGuildCommand = "POST /applications/{app}/guilds/{guild}/commands";
        public const string InteractionCallback = "POST /interactions/{id}/{token}/callback";
        public const string GetOriginal = "GET /webhooks/{app}/{token}/messages/@original";
        public const string EditOriginal = "PATCH /webhooks/{app}/{token}/messages/@original";
        public const string DeleteOriginal = "DELETE /webhooks/{app}/{token}/messages/@original";
        public const string CreateFollowup = "POST /webhooks/{app}/{token}";
        public const string EditFollowup = "PATCH /webhooks/{app}/{token}/messages/{message}";
        public const string DeleteFollowup = "DELETE /webhooks/{app}/{token}/messages/{message}";
        public const string CreateMessage = "POST /channels/{channel}/messages";
        public const string TriggerTyping = "POST /channels/{channel}/typing";
        public const string EditMessage = "PATCH /channels/{channel}/messages/{message}";
        public const string StartThread = "POST /channels/{channel}/messages/{message}/threads";
    }

    // HttpContext.Items key: the matched route's key, to name it in the invalid-request tally.
    private const string RouteKeyItem = "fake-discord.route";

    private readonly FakeDiscordServer _server;
    private readonly FakeRateLimits _limits;
    private readonly List<FakeRoute> _routes = [];
    private readonly ConcurrentDictionary<string, int> _requestsByRoute = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<(string Route, int Status, string Body)> _errors = new();
    private readonly ConcurrentQueue<(string RouteKey, int Status)> _scriptedErrors = new();
    private readonly ConcurrentQueue<(string RouteKey, int Status)> _scriptedLostResponses = new();
    private readonly ConcurrentDictionary<ulong, int> _typing = new();
    private readonly ConcurrentQueue<JsonObject> _channelMessages = new();
    private readonly ConcurrentDictionary<string, JsonArray> _commands = new(StringComparer.Ordinal);
    private int _requests;
    private readonly FakeDiscordInvalidRequests _tally = InvalidRequestTally.Register();
    private int _invalid;
    private int _scriptedInvalid;
    private int _rateLimited;
    private int _tokenLeaks;
    private int _missingUserAgent;
    private int _commandWrites;
    private readonly FakeNonces _nonces;
    private int _deduplicatedPosts;

    internal FakeRest(FakeDiscordServer server)
    {
        _server = server;
        _limits = new FakeRateLimits(server.Options);
        _nonces = new FakeNonces(server.Options, server.Clock);
        Add("GET", "/gateway/bot", FakeRouteAuth.Bot, (r, c) => r.GatewayBotAsync());
        Add("GET", "/applications/@me", FakeRouteAuth.Bot, (r, c) => r.CurrentApplicationAsync());
        Add("GET", "/applications/{app}/commands", FakeRouteAuth.Bot, (r, c) => r.GetCommandsAsync(c));
        Add("PUT", "/applications/{app}/commands", FakeRouteAuth.Bot, (r, c) => r.OverwriteCommandsAsync(c));
        Add("POST", "/applications/{app}/commands", FakeRouteAuth.Bot, (r, c) => r.UpsertCommandAsync(c));
        Add("GET", "/applications/{app}/guilds/{guild}/commands", FakeRouteAuth.Bot, (r, c) => r.GetCommandsAsync(c));
        Add("PUT", "/applications/{app}/guilds/{guild}/commands", FakeRouteAuth.Bot, (r, c) => r.OverwriteCommandsAsync(c));
        Add("POST", "/applications/{app}/guilds/{guild}/commands", FakeRouteAuth.Bot, (r, c) => r.UpsertCommandAsync(c));
        Add("POST", "/interactions/{id}/{token}/callback", FakeRouteAuth.InteractionToken, (r, c) => r.CallbackAsync(c));
        Add("GET", "/webhooks/{app}/{token}/messages/@original", FakeRouteAuth.InteractionToken, (r, c) => r.OriginalAsync(c));
        Add("PATCH", "/webhooks/{app}/{token}/messages/@original", FakeRouteAuth.InteractionToken, (r, c) => r.OriginalAsync(c));
        Add("DELETE", "/webhooks/{app}/{token}/messages/@original", FakeRouteAuth.InteractionToken, (r, c) => r.OriginalAsync(c));
        Add("POST", "/webhooks/{app}/{token}", FakeRouteAuth.InteractionToken, (r, c) => r.CreateFollowupAsync(c));
        Add("PATCH", "/webhooks/{app}/{token}/messages/{message}", FakeRouteAuth.InteractionToken, (r, c) => r.FollowupAsync(c));
        Add("DELETE", "/webhooks/{app}/{token}/messages/{message}", FakeRouteAuth.InteractionToken, (r, c) => r.FollowupAsync(c));
        Add("POST", "/channels/{channel}/messages", FakeRouteAuth.Bot, (r, c) => r.CreateMessageAsync(c));
        Add("POST", "/channels/{channel}/typing", FakeRouteAuth.Bot, (r, c) => r.TypingAsync(c));
        Add("PATCH", "/channels/{channel}/messages/{message}", FakeRouteAuth.Bot, (r, c) => r.EditMessageAsync(c));
        Add("POST", "/channels/{channel}/messages/{message}/threads", FakeRouteAuth.Bot, (r, c) => r.StartThreadAsync(c));
    }

    public FakeInteractionRegistry Interactions { get; } = new();

    /// <summary>Every REST request received.</summary>
    public int RequestCount => Volatile.Read(ref _requests);

    /// <summary>Responses that count toward Discord's invalid-request ban: 401, 403, 429 other than shared.</summary>
    public int InvalidRequestCount => Volatile.Read(ref _invalid);

    /// <summary>The part of <see cref="InvalidRequestCount"/> that a test scripted (<see cref="ScriptRateLimit"/>).</summary>
    public int ScriptedInvalidRequestCount => Volatile.Read(ref _scriptedInvalid);

    /// <summary>Invalid requests the client caused on its own; these also go to <see cref="InvalidRequestTally"/>.</summary>
    public int UnscriptedInvalidRequestCount => InvalidRequestCount - ScriptedInvalidRequestCount;

    /// <summary>429 responses of any scope.</summary>
    public int RateLimitedCount => Volatile.Read(ref _rateLimited);

    /// <summary>Requests on interaction/webhook routes that carried an Authorization header (they must not).</summary>
    public int BotTokenSentOnInteractionRoutes => Volatile.Read(ref _tokenLeaks);

    public int RequestsWithoutUserAgent => Volatile.Read(ref _missingUserAgent);

    /// <summary>Accepted command writes (PUT/POST), to check registration only happens when needed.</summary>
    public int CommandWrites => Volatile.Read(ref _commandWrites);

    /// <summary>Channel message posts answered with an earlier message because of <c>nonce</c> + <c>enforce_nonce</c>.</summary>
    public int DeduplicatedPosts => Volatile.Read(ref _deduplicatedPosts);

    /// <summary>The rate-limit bucket a route counts against (shared buckets are named after their first route).</summary>
    public string BucketOf(string routeKey) => _limits.BucketOf(routeKey);

    /// <summary>Messages posted with <c>POST /channels/{id}/messages</c>.</summary>
    public IReadOnlyCollection<JsonObject> ChannelMessages => _channelMessages;

    /// <summary>Every 429 the fake sent, with the reason.</summary>
    public IReadOnlyCollection<string> RateLimitLog => _limits.Log;

    /// <summary>Every 4xx/5xx the fake answered, with its body, to explain failures.</summary>
    public IReadOnlyCollection<(string Route, int Status, string Body)> Errors => _errors;

    /// <summary>Requests per route key (see <see cref="Routes"/>).</summary>
    public int RequestsTo(string routeKey) => _requestsByRoute.GetValueOrDefault(routeKey);

    /// <summary>Typing indicators triggered in a channel.</summary>
    public int TypingTriggers(ulong channelId) => _typing.GetValueOrDefault(channelId);

    /// <summary>Registered commands: global, or for one guild.</summary>
    public JsonArray Commands(ulong? guildId = null) => _commands.TryGetValue(CommandScope(guildId), out var list) ? (JsonArray)list.DeepClone() : [];

    /// <summary>The next <paramref name="count"/> requests to <paramref name="routeKey"/> (null: any route) get a 429 of <paramref name="scope"/>.</summary>
    public void ScriptRateLimit(string? routeKey, FakeRateLimitScope scope, TimeSpan retryAfter, int count = 1) => _limits.Script(routeKey, scope, retryAfter, count);

    /// <summary>The next <paramref name="count"/> requests to <paramref name="routeKey"/> get <paramref name="status"/> (5xx).</summary>
    public void ScriptServerError(string routeKey, int status, int count = 1)
    {
        for (var i = 0; i < count; i++)
        {
            _scriptedErrors.Enqueue((routeKey, status));
        }
    }

    /// <summary>
    /// The next <paramref name="count"/> requests to <paramref name="routeKey"/> take effect (a post is stored) and are
    /// then answered with <paramref name="status"/> (5xx): the case a client must not repeat blindly.
    /// </summary>
    public void ScriptServerErrorAfterStoring(string routeKey, int status, int count = 1)
    {
        for (var i = 0; i < count; i++)
        {
            _scriptedLostResponses.Enqueue((routeKey, status));
        }
    }

    /// <summary>Sets a route's bucket size and window (default <see cref="FakeDiscordOptions.RouteLimit"/>).</summary>
    public void SetRouteLimit(string routeKey, int limit, TimeSpan window) => _limits.SetRouteLimit(routeKey, limit, window);

    internal void Map(WebApplication app) => app.Map("/api/v10/{**path}", HandleAsync);

    private void Add(string method, string template, FakeRouteAuth auth, Func<FakeRest, RequestContext, Task<IResult>> handler)
    {
        var pattern = "^" + Regex.Replace(Regex.Escape(template), @"\\\{(\w+)}", "(?<$1>[^/]+)") + "$";
        _routes.Add(new FakeRoute(method, template, auth, new Regex(pattern, RegexOptions.CultureInvariant), handler));
    }

    private async Task HandleAsync(HttpContext http)
    {
        Interlocked.Increment(ref _requests);
        var path = http.Request.Path.Value!["/api/v10".Length..];
        var result = await RouteAsync(http, path);
        await result.ExecuteAsync(http);
        var status = http.Response.StatusCode;
        if (status is 401 or 403 || (status == 429 && http.Response.Headers["X-RateLimit-Scope"] != "shared"))
        {
            Interlocked.Increment(ref _invalid);
            var scripted = http.Items.ContainsKey(FakeRateLimits.ScriptedItem);
            if (scripted)
            {
                Interlocked.Increment(ref _scriptedInvalid);
            }
            var detail = $"{status} " + (http.Items[FakeRateLimits.ReasonItem] as string ?? http.Items[RouteKeyItem] as string ?? http.Request.Method + " ?");
            _tally.Record(scripted, detail);
        }
        if (status == 429)
        {
            Interlocked.Increment(ref _rateLimited);
        }
    }

    private async Task<IResult> RouteAsync(HttpContext http, string path)
    {
        FakeRoute? route = null;
        Match? match = null;
        foreach (var candidate in _routes)
        {
            var m = candidate.Pattern.Match(path);
            if (m.Success && (route is null || candidate.Method == http.Request.Method))
            {
                route = candidate;
                match = m;
                if (candidate.Method == http.Request.Method)
                {
                    break;
                }
            }
        }
        if (route is null || match is null)
        {
            return Error(http, "?", 404, 0, "404: Not Found");
        }
        if (route.Method != http.Request.Method)
        {
            return Error(http, route.Key, 405, 0, "405: Method Not Allowed");
        }
        _requestsByRoute.AddOrUpdate(route.Key, 1, (_, n) => n + 1);
        http.Items[RouteKeyItem] = route.Key;
        var values = route.Pattern.GetGroupNames().Where(n => !int.TryParse(n, out _)).ToDictionary(n => n, n => Uri.UnescapeDataString(match.Groups[n].Value), StringComparer.Ordinal);

        // Cloudflare blocks requests without Discord's User-Agent format.
        if (!http.Request.Headers.UserAgent.ToString().StartsWith("DiscordBot (", StringComparison.Ordinal))
        {
            Interlocked.Increment(ref _missingUserAgent);
            return Error(http, route.Key, 403, 0, "Missing or malformed User-Agent: DiscordBot ($url, $version) is required.");
        }
        var authorization = http.Request.Headers.Authorization.ToString();
        if (route.Auth == FakeRouteAuth.Bot)
        {
            if (authorization != "Bot " + _server.Options.BotToken)
            {
                return Error(http, route.Key, 401, 0, "401: Unauthorized");
            }
        }
        else if (authorization.Length > 0)
        {
            // Interaction routes must work without it, and sending the bot token there leaks it to a
            // credential-less endpoint; record it so tests fail.
            Interlocked.Increment(ref _tokenLeaks);
        }

        var major = route.Template.StartsWith("/channels/", StringComparison.Ordinal) ? "channel:" + values["channel"]
            : route.Template.Contains("{guild}", StringComparison.Ordinal) ? "guild:" + values["guild"]
            : route.Template.StartsWith("/webhooks/", StringComparison.Ordinal) ? "webhook:" + values["app"] + "/" + values["token"]
            : route.Template.StartsWith("/interactions/", StringComparison.Ordinal) ? "interaction:" + values["id"]
            : "";
        if (_limits.Check(http, route, major) is { } limited)
        {
            return limited;
        }
        if (_scriptedErrors.TryPeek(out var scripted) && scripted.RouteKey == route.Key && _scriptedErrors.TryDequeue(out _))
        {
            return Error(http, route.Key, scripted.Status, 0, $"{scripted.Status}: scripted server error");
        }

        JsonNode? body = null;
        if (http.Request.ContentLength > 0 || http.Request.Headers.TransferEncoding.Count > 0)
        {
            if (http.Request.ContentType?.StartsWith("application/json", StringComparison.OrdinalIgnoreCase) != true)
            {
                return FormError(http, route.Key, new FakeValidation.FormErrors().Also(e => e.Add("_body", "CONTENT_TYPE_INVALID", "Expected Content-Type application/json.")));
            }
            try
            {
                body = await JsonNode.ParseAsync(http.Request.Body);
            }
            catch (JsonException)
            {
                return Error(http, route.Key, 400, 50109, "The request body contains invalid JSON.");
            }
        }
        var handled = await route.Handler(this, new RequestContext(http, values, body));
        if (_scriptedLostResponses.TryPeek(out var lost) && lost.RouteKey == route.Key && _scriptedLostResponses.TryDequeue(out _))
        {
            // The request took effect; only its answer is lost, as when Discord's edge times out after the write.
            return Error(http, route.Key, lost.Status, 0, $"{lost.Status}: scripted server error after the request took effect");
        }
        return handled;
    }

    // ---- Handlers ----------------------------------------------------------------------------------------------

    private Task<IResult> GatewayBotAsync() => Task.FromResult(Results.Json(new JsonObject
    {
        ["url"] = _server.Gateway.Url.ToString(),
        ["shards"] = 1,
        ["session_start_limit"] = _server.Gateway.SessionStarts.ToJson(),
    }));

    private Task<IResult> CurrentApplicationAsync() => Task.FromResult(Results.Json(new JsonObject
    {
        ["id"] = _server.Options.ApplicationId.ToId(),
        ["name"] = "Compliance Assistant (fake)",
        ["flags"] = 0,
        ["bot_public"] = false,
        ["bot"] = FakeDispatches.UserObject(_server.Options.BotUserId, _server.Options.BotUsername, bot: true),
    }));

    private Task<IResult> GetCommandsAsync(RequestContext c)
    {
        if (c.Values["app"] != _server.Options.ApplicationId.ToId())
        {
            return Task.FromResult(Error(c.Http, "commands", 403, 50001, "Missing Access"));
        }
        return Task.FromResult(Results.Json(Commands(GuildOf(c))));
    }

    private Task<IResult> OverwriteCommandsAsync(RequestContext c)
    {
        if (c.Values["app"] != _server.Options.ApplicationId.ToId())
        {
            return Task.FromResult(Error(c.Http, "commands", 403, 50001, "Missing Access"));
        }
        if (c.Body is not JsonArray list)
        {
            return Task.FromResult(FormError(c.Http, "commands", new FakeValidation.FormErrors().Also(e => e.Add("_errors", "BASE_TYPE_ARRAY", "Expected an array."))));
        }
        var errors = new FakeValidation.FormErrors();
        if (list.Count > 100)
        {
            errors.Add("_errors", "BASE_TYPE_MAX_LENGTH", "Must be 100 or fewer in length.");
        }
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < list.Count; i++)
        {
            var command = list[i] as JsonObject ?? [];
            FakeValidation.Command(command, errors, i.ToString(CultureInfo.InvariantCulture));
            if (!names.Add($"{FakeValidation.Int(command["type"]) ?? 1}:{FakeValidation.Str(command["name"])}"))
            {
                errors.Add($"{i}.name", "APPLICATION_COMMANDS_DUPLICATE_NAME", "Application command names must be unique");
            }
        }
        if (errors.Any)
        {
            return Task.FromResult(FormError(c.Http, "commands", errors));
        }
        Interlocked.Increment(ref _commandWrites);
        var scope = CommandScope(GuildOf(c));
        var existing = _commands.GetValueOrDefault(scope) ?? [];
        var stored = new JsonArray();
        foreach (var command in list.OfType<JsonObject>())
        {
            stored.Add(Stored(command, existing, GuildOf(c)));
        }
        _commands[scope] = stored;
        return Task.FromResult(Results.Json(stored.DeepClone()));
    }

    private Task<IResult> UpsertCommandAsync(RequestContext c)
    {
        if (c.Body is not JsonObject command)
        {
            return Task.FromResult(FormError(c.Http, "commands", new FakeValidation.FormErrors().Also(e => e.Add("_errors", "BASE_TYPE_REQUIRED", "Expected an object."))));
        }
        var errors = new FakeValidation.FormErrors();
        FakeValidation.Command(command, errors, "body");
        if (errors.Any)
        {
            return Task.FromResult(FormError(c.Http, "commands", errors));
        }
        Interlocked.Increment(ref _commandWrites);
        var scope = CommandScope(GuildOf(c));
        var list = _commands.GetOrAdd(scope, _ => []);
        lock (list)
        {
            var name = FakeValidation.Str(command["name"]);
            var old = list.OfType<JsonObject>().FirstOrDefault(x => FakeValidation.Str(x["name"]) == name);
            var stored = Stored(command, list, GuildOf(c));
            if (old is not null)
            {
                list.Remove(old);
            }
            list.Add(stored);
            return Task.FromResult(Results.Json(stored.DeepClone(), statusCode: old is null ? 201 : 200));
        }
    }

    private JsonObject Stored(JsonObject command, JsonArray existing, ulong? guildId)
    {
        var name = FakeValidation.Str(command["name"]);
        var old = existing.OfType<JsonObject>().FirstOrDefault(x => FakeValidation.Str(x["name"]) == name);
        var stored = (JsonObject)command.DeepClone();
        stored["id"] = FakeValidation.Str(old?["id"]) ?? Snowflakes.NextString();
        stored["application_id"] = _server.Options.ApplicationId.ToId();
        stored["version"] = Snowflakes.NextString();
        stored["type"] ??= 1;
        if (FakeValidation.Int(stored["type"]) != 1)
        {
            // Context-menu commands come back with an empty description, as on Discord.
            stored["description"] = "";
        }
        if (stored["default_member_permissions"] is JsonValue permissions && permissions.GetValueKind() == JsonValueKind.Number)
        {
            stored["default_member_permissions"] = permissions.GetValue<ulong>().ToString(CultureInfo.InvariantCulture);
        }
        if (guildId is { } guild)
        {
            stored["guild_id"] = guild.ToId();
        }
        return stored;
    }

    private Task<IResult> CallbackAsync(RequestContext c)
    {
        var http = c.Http;
        var interaction = ulong.TryParse(c.Values["id"], NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? Interactions.ById(id) : null;
        if (interaction is null || interaction.Token != c.Values["token"])
        {
            return Task.FromResult(Error(http, Routes.InteractionCallback, 404, 10062, "Unknown interaction"));
        }
        interaction.RecordCallbackAttempt();
        lock (interaction)
        {
            if (interaction.Acknowledged)
            {
                return Task.FromResult(Error(http, Routes.InteractionCallback, 400, 40060, "Interaction has already been acknowledged."));
            }
            if (_server.Clock.GetUtcNow() - interaction.CreatedAt > _server.Options.InteractionResponseDeadline)
            {
                return Task.FromResult(Error(http, Routes.InteractionCallback, 404, 10062, "Unknown interaction"));
            }
            var body = c.Body as JsonObject ?? [];
            var type = FakeValidation.Int(body["type"]);
            var data = body["data"] as JsonObject;
            var errors = new FakeValidation.FormErrors();
            var allowed = type switch
            {
                4 or 5 => interaction.Type is 2 or 3 or 5,
                6 or 7 => interaction.Type is 3 or 5 && interaction.ComponentMessage is not null || interaction.Type == 3,
                8 => interaction.Type == 4,
                9 => interaction.Type is 2 or 3,
                _ => false,
            };
            if (!allowed)
            {
                errors.Add("type", "INTERACTION_RESPONSE_TYPE_INVALID", $"Callback type {type} is not valid for interaction type {interaction.Type}.");
                return Task.FromResult(FormError(http, Routes.InteractionCallback, errors));
            }
            switch (type)
            {
                case 4:
                    if (data is null || FakeValidation.IsEmpty(data))
                    {
                        return Task.FromResult(Error(http, Routes.InteractionCallback, 400, 50006, "Cannot send an empty message"));
                    }
                    FakeValidation.Message(data, errors, "data.");
                    break;
                case 5:
                    if (data is not null && (data.Any(p => p.Key != "flags") || ((FakeValidation.Int(data["flags"]) ?? 0) & ~64) != 0))
                    {
                        errors.Add("data", "INTERACTION_RESPONSE_DEFERRED_DATA_INVALID", "A deferred response may only set the ephemeral flag.");
                    }
                    break;
                case 7:
                    if (data is not null)
                    {
                        FakeValidation.Message(data, errors, "data.");
                    }
                    break;
                case 9:
                    FakeValidation.Modal(data, errors);
                    break;
                case 8:
                    FakeValidation.AutocompleteChoices(data, errors);
                    break;
            }
            if (errors.Any)
            {
                return Task.FromResult(FormError(http, Routes.InteractionCallback, errors));
            }

            interaction.CallbackType = type;
            interaction.CallbackData = (JsonObject?)data?.DeepClone();
            var flags = FakeValidation.Int(data?["flags"]) ?? 0;
            switch (type)
            {
                case 4:
                    interaction.Ephemeral = (flags & 64) != 0;
                    interaction.RecordOriginalState(NewMessage(data!, ChannelOf(interaction), interaction.Id));
                    break;
                case 5:
                    interaction.Ephemeral = (flags & 64) != 0;
                    interaction.RecordOriginalState(NewMessage(new JsonObject { ["content"] = "", ["flags"] = 128 | (flags & 64) }, ChannelOf(interaction), interaction.Id));
                    break;
                case 6:
                    interaction.RecordOriginalState((JsonObject)interaction.ComponentMessage!.DeepClone());
                    break;
                case 7:
                    interaction.RecordOriginalState(Merge((JsonObject)interaction.ComponentMessage!.DeepClone(), data ?? []));
                    break;
            }
            if (interaction.OriginalMessage is { } written)
            {
                interaction.RecordWrite(Routes.InteractionCallback, written);
            }
            if (http.Request.Query["with_response"] == "true" && interaction.OriginalMessage is { } message)
            {
                return Task.FromResult(Results.Json(new JsonObject
                {
                    ["interaction"] = new JsonObject { ["id"] = interaction.Id.ToId(), ["type"] = interaction.Type, ["response_message_id"] = message["id"]?.DeepClone() },
                    ["resource"] = new JsonObject { ["type"] = type, ["message"] = message.DeepClone() },
                }));
            }
            return Task.FromResult(Results.NoContent());
        }
    }

    private Task<IResult> OriginalAsync(RequestContext c)
    {
        var http = c.Http;
        var routeKey = http.Request.Method + " /webhooks/{app}/{token}/messages/@original";
        if (WebhookInteraction(c, routeKey, out var failure) is not { } interaction)
        {
            return Task.FromResult(failure!);
        }
        lock (interaction)
        {
            if (interaction.OriginalMessage is not { } original)
            {
                return Task.FromResult(Error(http, routeKey, 404, 10008, "Unknown Message"));
            }
            switch (http.Request.Method)
            {
                case "GET":
                    return Task.FromResult(Results.Json(original.DeepClone()));
                case "DELETE":
                    interaction.OriginalMessage = null;
                    return Task.FromResult(Results.NoContent());
                default:
                    var edit = c.Body as JsonObject ?? [];
                    var errors = new FakeValidation.FormErrors();
                    FakeValidation.Message(edit, errors);
                    if (errors.Any)
                    {
                        return Task.FromResult(FormError(http, routeKey, errors));
                    }
                    FakeMessageEdits.ValidateFlags(edit, original, errors);
                    if (errors.Any)
                    {
                        return Task.FromResult(FormError(http, routeKey, errors));
                    }
                    var merged = Merge((JsonObject)original.DeepClone(), edit);
                    // The edit replaces the "thinking…" state.
                    merged["flags"] = FakeMessageEdits.MergedFlags(original, edit) & ~128;
                    if (FakeValidation.IsEmpty(merged))
                    {
                        return Task.FromResult(Error(http, routeKey, 400, 50006, "Cannot send an empty message"));
                    }
                    merged["edited_timestamp"] = _server.Clock.GetUtcNow().ToString("O", CultureInfo.InvariantCulture);
                    interaction.RecordOriginalState(merged);
                    interaction.RecordEdit();
                    interaction.RecordWrite(routeKey, merged);
                    return Task.FromResult(Results.Json(merged.DeepClone()));
            }
        }
    }

    private Task<IResult> CreateFollowupAsync(RequestContext c)
    {
        var http = c.Http;
        if (WebhookInteraction(c, Routes.CreateFollowup, out var failure) is not { } interaction)
        {
            return Task.FromResult(failure!);
        }
        var body = c.Body as JsonObject ?? [];
        if (FakeValidation.IsEmpty(body))
        {
            return Task.FromResult(Error(http, Routes.CreateFollowup, 400, 50006, "Cannot send an empty message"));
        }
        var errors = new FakeValidation.FormErrors();
        FakeValidation.Message(body, errors);
        if (errors.Any)
        {
            return Task.FromResult(FormError(http, Routes.CreateFollowup, errors));
        }
        var message = NewMessage(body, ChannelOf(interaction), interaction.Id);
        interaction.FollowupMessages[FakeValidation.Str(message["id"])!] = message;
        interaction.RecordFollowup();
        interaction.RecordWrite(Routes.CreateFollowup, message);
        return Task.FromResult(Results.Json(message.DeepClone()));
    }

    private Task<IResult> FollowupAsync(RequestContext c)
    {
        var http = c.Http;
        var routeKey = http.Request.Method + " /webhooks/{app}/{token}/messages/{message}";
        if (WebhookInteraction(c, routeKey, out var failure) is not { } interaction)
        {
            return Task.FromResult(failure!);
        }
        if (!interaction.FollowupMessages.TryGetValue(c.Values["message"], out var existing))
        {
            return Task.FromResult(Error(http, routeKey, 404, 10008, "Unknown Message"));
        }
        if (http.Request.Method == "DELETE")
        {
            interaction.FollowupMessages.TryRemove(c.Values["message"], out _);
            return Task.FromResult(Results.NoContent());
        }
        var edit = c.Body as JsonObject ?? [];
        var errors = new FakeValidation.FormErrors();
        FakeValidation.Message(edit, errors);
        if (errors.Any)
        {
            return Task.FromResult(FormError(http, routeKey, errors));
        }
        FakeMessageEdits.ValidateFlags(edit, existing, errors);
        if (errors.Any)
        {
            return Task.FromResult(FormError(http, routeKey, errors));
        }
        var merged = Merge((JsonObject)existing.DeepClone(), edit);
        merged["flags"] = FakeMessageEdits.MergedFlags(existing, edit);
        if (FakeValidation.IsEmpty(merged))
        {
            return Task.FromResult(Error(http, routeKey, 400, 50006, "Cannot send an empty message"));
        }
        interaction.FollowupMessages[c.Values["message"]] = merged;
        interaction.RecordEdit();
        interaction.RecordWrite(routeKey, merged);
        return Task.FromResult(Results.Json(merged.DeepClone()));
    }

    private FakeInteraction? WebhookInteraction(RequestContext c, string routeKey, out IResult? failure)
    {
        failure = null;
        if (c.Values["app"] != _server.Options.ApplicationId.ToId())
        {
            failure = Error(c.Http, routeKey, 404, 10015, "Unknown Webhook");
            return null;
        }
        var interaction = Interactions.ByToken(c.Values["token"]);
        if (interaction is null || _server.Clock.GetUtcNow() - interaction.CreatedAt > _server.Options.InteractionTokenLifetime)
        {
            failure = Error(c.Http, routeKey, 401, 50027, "Invalid Webhook Token");
            return null;
        }
        if (!interaction.Acknowledged)
        {
            // Until the callback, there is no webhook message to act on.
            failure = Error(c.Http, routeKey, 404, 10015, "Unknown Webhook");
            return null;
        }
        return interaction;
    }

    private Task<IResult> CreateMessageAsync(RequestContext c)
    {
        var http = c.Http;
        var body = c.Body as JsonObject ?? [];
        if (FakeValidation.IsEmpty(body))
        {
            return Task.FromResult(Error(http, Routes.CreateMessage, 400, 50006, "Cannot send an empty message"));
        }
        var errors = new FakeValidation.FormErrors();
        FakeValidation.Message(body, errors);
        if (FakeValidation.Str(body["nonce"]) is { Length: > 25 })
        {
            errors.Add("nonce", "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.");
        }
        if (((FakeValidation.Int(body["flags"]) ?? 0) & 64) != 0)
        {
            errors.Add("flags", "MESSAGE_FLAGS_INVALID", "Channel messages cannot be ephemeral.");
        }
        if (errors.Any)
        {
            return Task.FromResult(FormError(http, Routes.CreateMessage, errors));
        }
        var nonce = FakeNonces.Key(body["nonce"]);
        if (nonce is not null && FakeNonces.Enforced(body) && _nonces.Earlier(nonce) is { } earlier)
        {
            // A retried post: Discord returns the first message and creates none.
            Interlocked.Increment(ref _deduplicatedPosts);
            return Task.FromResult(Results.Json(earlier));
        }
        var channel = ulong.Parse(c.Values["channel"], CultureInfo.InvariantCulture);
        var message = NewMessage(body, channel, null);
        if (body["nonce"] is { } sentNonce)
        {
            message["nonce"] = sentNonce.DeepClone();
        }
        if (nonce is not null)
        {
            _nonces.Remember(nonce, message);
        }
        if (body["message_reference"] is JsonObject reference)
        {
            message["message_reference"] = reference.DeepClone();
            message["type"] = 19;
        }
        _channelMessages.Enqueue(message);
        _channelMessagesById[FakeValidation.Str(message["id"])!] = (JsonObject)message.DeepClone();
        return Task.FromResult(Results.Json(message.DeepClone()));
    }

    private Task<IResult> TypingAsync(RequestContext c)
    {
        _typing.AddOrUpdate(ulong.Parse(c.Values["channel"], CultureInfo.InvariantCulture), 1, (_, n) => n + 1);
        return Task.FromResult(Results.NoContent());
    }

    // ---- Helpers -----------------------------------------------------------------------------------------------

    private JsonObject NewMessage(JsonObject data, ulong channelId, ulong? interactionId)
    {
        var message = new JsonObject
        {
            ["id"] = Snowflakes.NextString(),
            ["channel_id"] = channelId.ToId(),
            ["author"] = FakeDispatches.UserObject(_server.Options.BotUserId, _server.Options.BotUsername, bot: true),
            ["content"] = FakeValidation.Str(data["content"]) ?? "",
            ["embeds"] = data["embeds"]?.DeepClone() ?? new JsonArray(),
            ["components"] = data["components"]?.DeepClone() ?? new JsonArray(),
            ["mentions"] = new JsonArray(),
            ["timestamp"] = _server.Clock.GetUtcNow().ToString("O", CultureInfo.InvariantCulture),
            ["edited_timestamp"] = null,
            ["flags"] = FakeValidation.Int(data["flags"]) ?? 0,
            ["type"] = interactionId is null ? 0 : 20,
        };
        if (data["allowed_mentions"] is { } mentions)
        {
            // Not part of a real message object; kept so tests can check what the bot asked for.
            message["allowed_mentions"] = mentions.DeepClone();
        }
        if (interactionId is { } id)
        {
            message["application_id"] = _server.Options.ApplicationId.ToId();
            message["webhook_id"] = _server.Options.ApplicationId.ToId();
            message["interaction_metadata"] = new JsonObject { ["id"] = id.ToId() };
        }
        return message;
    }

    private static JsonObject Merge(JsonObject message, JsonObject edit)
    {
        foreach (var (key, value) in edit)
        {
            message[key] = value?.DeepClone();
        }
        return message;
    }

    private static ulong ChannelOf(FakeInteraction interaction) =>
        ulong.TryParse(FakeValidation.Str(interaction.Payload["channel_id"]), NumberStyles.None, CultureInfo.InvariantCulture, out var channel) ? channel : 0;

    private static ulong? GuildOf(RequestContext c) =>
        c.Values.TryGetValue("guild", out var guild) ? ulong.Parse(guild, CultureInfo.InvariantCulture) : null;

    private static string CommandScope(ulong? guildId) => guildId is { } guild ? "guild:" + guild.ToId() : "global";

    private IResult Error(HttpContext http, string route, int status, int code, string message)
    {
        var body = new JsonObject { ["message"] = message, ["code"] = code };
        _errors.Enqueue((route, status, body.ToJsonString()));
        return Results.Json(body, statusCode: status);
    }

    private IResult FormError(HttpContext http, string route, FakeValidation.FormErrors errors)
    {
        var body = new JsonObject { ["code"] = 50035, ["message"] = "Invalid Form Body", ["errors"] = errors.Root };
        _errors.Enqueue((route, 400, body.ToJsonString()));
        return Results.Json(body, statusCode: 400);
    }
}

internal static class FormErrorsExtensions
{
    public static FakeValidation.FormErrors Also(this FakeValidation.FormErrors errors, Action<FakeValidation.FormErrors> add)
    {
        add(errors);
        return errors;
    }
}
