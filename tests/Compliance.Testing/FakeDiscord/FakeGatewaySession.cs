using System.Text.Json.Nodes;

namespace Compliance.Testing.FakeDiscord;

/// <summary>
/// A gateway session: its sequence counter and every dispatch sent in it, so a resume can replay what the client
/// missed. Dispatches are numbered and sent under one lock, so the client sees them in order.
/// </summary>
// A SemaphoreSlim whose wait handle is never touched holds no unmanaged resource; the owner lives as long as the fake.
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "SemaphoreSlim without AvailableWaitHandle needs no disposal.")]
public sealed class FakeGatewaySession
{
    private readonly FakeGateway _gateway;
    private readonly SemaphoreSlim _lock = new(1, 1);
    private readonly List<(long Sequence, string Json)> _buffer = [];
    private FakeGatewayConnection? _connection;
    private long _sequence;
    private DateTimeOffset? _detachedAt;

    internal FakeGatewaySession(FakeGateway gateway, string id, long intents, int[] shard)
    {
        _gateway = gateway;
        Id = id;
        Intents = intents;
        Shard = shard;
    }

    public string Id { get; }

    public long Intents { get; }

    public int[] Shard { get; }

    /// <summary>The last sequence number assigned.</summary>
    public long Sequence => Interlocked.Read(ref _sequence);

    /// <summary>True once the session can no longer be resumed.</summary>
    public bool Invalidated { get; private set; }

    /// <summary>The connection currently receiving this session's dispatches.</summary>
    public FakeGatewayConnection? Connection => _connection;

    internal void Invalidate() => Invalidated = true;

    internal void Detach(FakeGatewayConnection connection)
    {
        if (Interlocked.CompareExchange(ref _connection, null, connection) == connection)
        {
            _detachedAt = _gateway.Clock.GetUtcNow();
        }
    }

    /// <summary>True when no connection has carried the session for longer than <paramref name="window"/>.</summary>
    internal bool ExpiredAt(DateTimeOffset now, TimeSpan window) =>
        _connection is null && _detachedAt is { } detached && now - detached > window;

    /// <summary>Numbers, buffers and (if a live connection is attached) sends a dispatch. Returns its sequence.</summary>
    public async Task<long> DispatchAsync(string eventName, JsonNode data)
    {
        await _lock.WaitAsync();
        try
        {
            var sequence = Interlocked.Increment(ref _sequence);
            var json = Envelope(eventName, sequence, FakeMessageContent.AsDelivered(eventName, data, Intents, _gateway.Options.BotUserId));
            _buffer.Add((sequence, json));
            if (_buffer.Count > _gateway.Options.MaxBufferedDispatches)
            {
                _buffer.RemoveAt(0);
            }
            if (_connection is { Draining: false } connection)
            {
                await connection.SendAsync(json);
            }
            return sequence;
        }
        finally
        {
            _lock.Release();
        }
    }

    internal async Task AttachAndReadyAsync(FakeGatewayConnection connection)
    {
        var options = _gateway.Options;
        await _lock.WaitAsync();
        try
        {
            _connection = connection;
        }
        finally
        {
            _lock.Release();
        }
        var guilds = _gateway.GuildSnapshot().ToList();
        await DispatchAsync("READY", new JsonObject
        {
            ["v"] = 10,
            ["user"] = new JsonObject
            {
                ["id"] = options.BotUserId.ToId(),
                ["username"] = options.BotUsername,
                ["discriminator"] = "0",
                ["global_name"] = null,
                ["avatar"] = null,
                ["bot"] = true,
            },
            // Every guild starts out unavailable; GUILD_CREATE follows for each (with the GUILDS intent).
            ["guilds"] = new JsonArray([.. guilds.Select(g => (JsonNode)new JsonObject { ["id"] = g.Guild.ToId(), ["unavailable"] = true })]),
            // Real READY payloads carry these for bots too (empty); Discord.Net reads private_channels unconditionally.
            ["private_channels"] = new JsonArray(),
            ["relationships"] = new JsonArray(),
            ["presences"] = new JsonArray(),
            ["guild_join_requests"] = new JsonArray(),
            ["user_settings"] = new JsonObject(),
            ["session_type"] = "normal",
            ["session_id"] = Id,
            // A different path than fresh connects, so tests can prove resumes use it.
            ["resume_gateway_url"] = _gateway.ResumeUrl.ToString().TrimEnd('/'),
            ["shard"] = new JsonArray(Shard[0], Shard[1]),
            ["application"] = new JsonObject { ["id"] = options.ApplicationId.ToId(), ["flags"] = 0 },
            ["_trace"] = new JsonArray("[\"fake-gateway\"]"),
        });
        if ((Intents & 1) != 0)
        {
            foreach (var (guild, channels) in guilds)
            {
                await DispatchAsync("GUILD_CREATE", FakeDispatches.GuildCreate(options, guild, channels, _gateway.RolesOf(guild)));
            }
        }
    }

    internal async Task AttachAndReplayAsync(FakeGatewayConnection connection, long fromSequence)
    {
        await _lock.WaitAsync();
        try
        {
            _connection = connection;
            foreach (var (sequence, json) in _buffer)
            {
                if (sequence > fromSequence)
                {
                    await connection.SendAsync(json);
                }
            }
            // RESUMED carries the current sequence and is not itself replayed later.
            await connection.SendAsync(Envelope("RESUMED", Sequence, new JsonObject()));
        }
        finally
        {
            _lock.Release();
        }
    }

    private static string Envelope(string eventName, long sequence, JsonNode data) =>
        new JsonObject { ["op"] = 0, ["t"] = eventName, ["s"] = sequence, ["d"] = data.DeepClone() }.ToJsonString();
}
