using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Compliance.Testing.FakeDiscord;

/// <summary>
/// The fake gateway: fresh connects on <c>/gateway</c>, resumes on <c>/gateway-resume</c> (the READY
/// <c>resume_gateway_url</c>), sessions with replay, and counters tests assert on.
/// </summary>
public sealed class FakeGateway
{
    internal const long KnownIntents = 0b11_0011_0001_1111_1111_1111_1111;
    internal const long PrivilegedIntents = (1 << 1) | (1 << 8) | (1 << 15);

    private readonly FakeDiscordServer _server;
    private readonly ConcurrentDictionary<string, FakeGatewaySession> _sessions = new();
    private readonly List<FakeGatewayConnection> _connections = [];
    private readonly ConcurrentQueue<int> _serverCloses = new();
    private readonly ConcurrentQueue<int> _scriptedCloses = new();
    private int _identifies;
    private int _resumes;
    private int _ordinarySends;
    private FakeGatewaySession? _current;
    // Guilds the bot is in and their text channels: announced in READY (unavailable) and by GUILD_CREATE after it.
    private readonly ConcurrentDictionary<ulong, ConcurrentDictionary<ulong, byte>> _guilds = new();

    internal FakeGateway(FakeDiscordServer server)
    {
        _server = server;
        SessionStarts = new FakeSessionStarts(server.Options, server.Clock);
    }

    /// <summary>The session start limit: <c>remaining</c>, identifies too fast, token resets.</summary>
    public FakeSessionStarts SessionStarts { get; }

    internal TimeProvider Clock => _server.Clock;

    internal FakeDiscordOptions Options => _server.Options;

    /// <summary>Fresh-connect URL (what <c>GET /gateway/bot</c> returns).</summary>
    public Uri Url => new(_server.BaseUrl.Replace("http://", "ws://", StringComparison.Ordinal) + "gateway");

    /// <summary>The <c>resume_gateway_url</c> sent in READY: a different path than <see cref="Url"/>.</summary>
    public Uri ResumeUrl => Options.ResumeGatewayUnreachable
        ? FakeUnreachableHost.Url("gateway-resume")
        : new(_server.BaseUrl.Replace("http://", "ws://", StringComparison.Ordinal) + "gateway-resume");

    public int IdentifyCount => Volatile.Read(ref _identifies);

    public int ResumeCount => Volatile.Read(ref _resumes);

    /// <summary>Op 3/4/8 events accepted from clients.</summary>
    public int OrdinarySendCount => Volatile.Read(ref _ordinarySends);

    /// <summary>Close codes the fake has sent, in order.</summary>
    public IReadOnlyCollection<int> ServerCloseCodes => _serverCloses;

    /// <summary>All connections so far, oldest first.</summary>
    public IReadOnlyList<FakeGatewayConnection> Connections
    {
        get
        {
            lock (_connections)
            {
                return [.. _connections];
            }
        }
    }

    /// <summary>The newest session that has not been invalidated.</summary>
    public FakeGatewaySession? CurrentSession => _current is { Invalidated: false } session ? session : null;

    /// <summary>The next <paramref name="count"/> connections are closed with <paramref name="closeCode"/> right after Hello.</summary>
    public void CloseNextConnections(int count, int closeCode)
    {
        for (var i = 0; i < count; i++)
        {
            _scriptedCloses.Enqueue(closeCode);
        }
    }

    /// <summary>Dispatches to the current session (buffered for replay if its client is away). Returns the sequence.</summary>
    public async Task<long> DispatchAsync(string eventName, JsonNode data)
    {
        var session = CurrentSession ?? throw new InvalidOperationException("No live gateway session: the client has not identified.");
        if (eventName is "THREAD_CREATE" or "CHANNEL_CREATE" && data is JsonObject channel
            && ulong.TryParse(channel["guild_id"]?.GetValue<string>(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var guildId)
            && ulong.TryParse(channel["id"]?.GetValue<string>(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var channelId))
        {
            // A channel event only comes for a guild the bot is in; the channel is known from now on (no second CHANNEL_CREATE).
            var parent = ulong.TryParse(channel["parent_id"]?.GetValue<string>(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var parentId) ? parentId : channelId;
            await EnsureGuildChannelAsync(guildId, parent);
            _guilds[guildId].TryAdd(channelId, 0);
        }
        return await session.DispatchAsync(eventName, data);
    }

    /// <summary>Guild ids the bot is in (each was announced with GUILD_CREATE).</summary>
    public IReadOnlyCollection<ulong> Guilds => [.. _guilds.Keys];

    /// <summary>
    /// Makes sure the bot "is in" <paramref name="guildId"/> and can see <paramref name="channelId"/> before a
    /// dispatch from there: a new guild arrives as GUILD_CREATE (as when the bot joins one), a new channel of a known
    /// guild as CHANNEL_CREATE. Clients cache these and, like Discord.Net, ignore messages from unknown channels.
    /// </summary>
    public async Task EnsureGuildChannelAsync(ulong guildId, ulong channelId)
    {
        var isNewGuild = false;
        var channels = _guilds.GetOrAdd(guildId, _ =>
        {
            isNewGuild = true;
            return new ConcurrentDictionary<ulong, byte>();
        });
        var isNewChannel = channels.TryAdd(channelId, 0);
        if (CurrentSession is not { } session || (session.Intents & 1) == 0)
        {
            return;
        }
        if (isNewGuild)
        {
            await session.DispatchAsync("GUILD_CREATE", FakeDispatches.GuildCreate(Options, guildId, channels.Keys, RolesOf(guildId), joined: true));
        }
        else if (isNewChannel)
        {
            await session.DispatchAsync("CHANNEL_CREATE", FakeDispatches.GuildChannel(channelId, guildId));
        }
    }

    internal IEnumerable<(ulong Guild, IReadOnlyCollection<ulong> Channels)> GuildSnapshot() =>
        [.. _guilds.Select(g => (g.Key, (IReadOnlyCollection<ulong>)[.. g.Value.Keys]))];

    // Roles by guild and permission bits: on Discord a member's permissions come from the roles they hold, and
    // libraries (Discord.Net) compute them from the cached role definitions, not from the interaction's summary.
    private readonly ConcurrentDictionary<(ulong Guild, string Permissions), ulong> _roles = new();

    /// <summary>
    /// The id of a role in <paramref name="guildId"/> granting exactly <paramref name="permissions"/>; a new one is
    /// announced with GUILD_ROLE_CREATE (the guild must already be announced).
    /// </summary>
    public async Task<ulong> EnsureRoleAsync(ulong guildId, string permissions)
    {
        var isNew = false;
        var roleId = _roles.GetOrAdd((guildId, permissions), _ =>
        {
            isNew = true;
            return Snowflakes.Next();
        });
        if (isNew && CurrentSession is { } session && (session.Intents & 1) != 0)
        {
            await session.DispatchAsync("GUILD_ROLE_CREATE", new JsonObject { ["guild_id"] = guildId.ToId(), ["role"] = FakeDispatches.Role(roleId, "granted " + permissions, permissions, 1) });
        }
        return roleId;
    }

    internal IEnumerable<JsonObject> RolesOf(ulong guildId) =>
        [.. _roles.Where(r => r.Key.Guild == guildId).Select(r => FakeDispatches.Role(r.Value, "granted " + r.Key.Permissions, r.Key.Permissions, 1))];

    /// <summary>Waits for connection number <paramref name="number"/> (1-based) to exist.</summary>
    public Task<FakeGatewayConnection> WaitForConnectionAsync(int number, TimeSpan? timeout = null) =>
        FakeDiscordServer.WaitForAsync(() => Connections.Count >= number ? Connections[number - 1] : null, timeout, $"gateway connection #{number}");

    /// <summary>Waits until a session is live and its client has received READY or RESUMED on a connection.</summary>
    public Task<FakeGatewaySession> WaitForSessionAsync(TimeSpan? timeout = null) =>
        FakeDiscordServer.WaitForAsync(() => CurrentSession is { Connection: not null } s ? s : null, timeout, "a live gateway session");

    internal void Map(WebApplication app)
    {
        app.Map("/gateway", AcceptAsync);
        app.Map("/gateway-resume", AcceptAsync);
    }

    internal FakeGatewaySession CreateSession(long intents, int[] shard)
    {
        var session = new FakeGatewaySession(this, Guid.NewGuid().ToString("N"), intents, shard);
        _sessions[session.Id] = session;
        _current = session;
        return session;
    }

    /// <summary>
    /// Discord's penalty for an Identify past the session start limit: every session ends and the bot token is
    /// reset (<see cref="FakeDiscordOptions.BotToken"/> changes, so the old token fails on REST too). The close code
    /// live connections get is not documented; the fake sends 4004, since their token is no longer valid.
    /// </summary>
    internal async Task ResetTokenAndTerminateSessionsAsync()
    {
        Options.BotToken = "reset-" + Guid.NewGuid().ToString("N");
        foreach (var session in _sessions.Values)
        {
            session.Invalidate();
        }
        foreach (var connection in Connections.Where(c => c.Session is not null && !c.Closed.IsCompleted))
        {
            await connection.CloseAsync(4004, "Authentication failed.");
        }
    }

    internal FakeGatewaySession? FindSession(string id) => _sessions.TryGetValue(id, out var session) ? session : null;

    internal void RecordIdentify() => Interlocked.Increment(ref _identifies);

    internal void RecordResume() => Interlocked.Increment(ref _resumes);

    internal void RecordOrdinarySend(int op) => Interlocked.Increment(ref _ordinarySends);

    internal void RecordServerClose(int code) => _serverCloses.Enqueue(code);

    private async Task AcceptAsync(HttpContext context)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }
        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        FakeGatewayConnection connection;
        lock (_connections)
        {
            connection = new FakeGatewayConnection(this, context, socket, _connections.Count + 1);
            _connections.Add(connection);
        }
        if (_scriptedCloses.TryDequeue(out var code))
        {
            await connection.SendAsync($$"""{"op":10,"d":{"heartbeat_interval":{{(long)Options.HeartbeatInterval.TotalMilliseconds}}},"s":null,"t":null}""");
            await connection.CloseAsync(code, "scripted");
            await DrainAsync(socket);
            return;
        }
        await connection.RunAsync();
    }

    private static async Task DrainAsync(System.Net.WebSockets.WebSocket socket)
    {
        var buffer = new byte[4096];
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            while (socket.State is System.Net.WebSockets.WebSocketState.Open or System.Net.WebSockets.WebSocketState.CloseSent)
            {
                var result = await socket.ReceiveAsync(buffer, timeout.Token);
                if (result.MessageType == System.Net.WebSockets.WebSocketMessageType.Close)
                {
                    return;
                }
            }
        }
        catch (Exception ex) when (ex is System.Net.WebSockets.WebSocketException or OperationCanceledException or IOException)
        {
            // Client aborted after reading the close; nothing left to drain.
        }
    }
}
