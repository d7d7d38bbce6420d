namespace Compliance.Testing.FakeDiscord;

/// <summary>Settings of the fake Discord. Defaults are Discord's real limits with test-sized timings.</summary>
public sealed class FakeDiscordOptions
{
    /// <summary>
    /// The only bot token the fake accepts. Shaped like a real one (base64 of the bot's user id, a timestamp, an
    /// HMAC; at least 58 characters), because Discord.Net checks that shape before it logs in.
    /// </summary>
    public string BotToken { get; set; } = "MTExMDAwMDAwMDAwMDAwMDAx.ZmFrZQ.fake-bot-token-abcdefghijklmnopqrstuvwxyz";
    public ulong ApplicationId { get; set; } = 333_000_000_000_000_001;
    public ulong BotUserId { get; set; } = 111_000_000_000_000_001;
    public string BotUsername { get; set; } = "compliance-bot";

    /// <summary>Hello's heartbeat_interval. Discord sends ~41 s; tests want fractions of a second.</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// How long without a heartbeat before the fake closes with 4009 and ends the session. Null: three intervals
    /// plus two seconds, generous enough for a busy test machine.
    /// </summary>
    public TimeSpan? HeartbeatTimeout { get; set; }

    /// <summary>Events a client may send per <see cref="SendWindow"/> before a 4008 close.</summary>
    public int SendLimit { get; set; } = 120;
    public TimeSpan SendWindow { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Privileged intents "enabled in the portal"; asking for others closes with 4014.</summary>
    public int EnabledPrivilegedIntents { get; set; }

    /// <summary>When set, an Identify with fewer shards than this closes with 4011.</summary>
    public int? RequiredShardCount { get; set; }

    /// <summary>Dispatches kept per session for replay on resume.</summary>
    public int MaxBufferedDispatches { get; set; } = 10_000;

    /// <summary>Time to the first interaction callback before it is 404/10062.</summary>
    public TimeSpan InteractionResponseDeadline { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>Lifetime of an interaction token for edits and followups, then 401/50027.</summary>
    public TimeSpan InteractionTokenLifetime { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Per-route bucket size advertised in X-RateLimit-Limit and enforced with 429s.</summary>
    public int RouteLimit { get; set; } = 5;

    /// <summary>Per-route bucket window (real Discord: usually a few seconds).</summary>
    public TimeSpan RouteWindow { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Global requests per second for bot-authorized routes, enforced with global 429s.</summary>
    public int GlobalLimitPerSecond { get; set; } = 50;
}
