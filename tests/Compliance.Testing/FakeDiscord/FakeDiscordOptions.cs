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
    // ---- Strictness added for issue 13 (defaults are Discord's documented behaviour) ----------------------------

    /// <summary>
    /// <c>GET /gateway/bot</c>'s <c>session_start_limit</c>: every Identify spends one of <c>remaining</c>; an Identify
    /// with none left terminates every session and resets the bot token (Discord's documented penalty); more than
    /// <c>max_concurrency</c> identifies per <see cref="IdentifyWindow"/> in one rate-limit bucket get op 9 <c>false</c>.
    /// </summary>
    public FakeSessionStartLimit SessionStartLimit { get; set; } = new();

    /// <summary>The window <c>max_concurrency</c> applies to: 5 s on Discord.</summary>
    public TimeSpan IdentifyWindow { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long a session whose connection ended (without a 1000/1001 close) stays resumable, on
    /// <see cref="FakeDiscordServer.Clock"/>. Discord: "timeout after a few minutes"; the figure is the fake's choice.
    /// </summary>
    public TimeSpan SessionResumeWindow { get; set; } = TimeSpan.FromMinutes(3);

    /// <summary>
    /// When true, READY's <c>resume_gateway_url</c> points at a loopback port that refuses connections, so a client
    /// must give up resuming and identify again on the URL from <c>GET /gateway/bot</c>.
    /// </summary>
    public bool ResumeGatewayUnreachable { get; set; }

    /// <summary>
    /// How long a <c>nonce</c> sent with <c>enforce_nonce: true</c> deduplicates channel message posts, on
    /// <see cref="FakeDiscordServer.Clock"/>. Discord: "the past few minutes"; the figure is the fake's choice.
    /// </summary>
    public TimeSpan EnforcedNonceWindow { get; set; } = TimeSpan.FromMinutes(3);

    /// <summary>
    /// Routes that share one rate-limit bucket (one <c>X-RateLimit-Bucket</c> hash, one count per major parameter),
    /// as Discord groups routes. Default: editing and deleting <c>@original</c> are the Edit/Delete Webhook Message
    /// routes with the message id <c>@original</c>, so each pair is one bucket.
    /// </summary>
    public IList<string[]> SharedBuckets { get; } =
    [
        [FakeRest.Routes.EditOriginal, FakeRest.Routes.EditFollowup],
        [FakeRest.Routes.DeleteOriginal, FakeRest.Routes.DeleteFollowup],
    ];

    /// <summary>Per-route (or per shared bucket, by any of its routes) limits that differ from <see cref="RouteLimit"/>.</summary>
    public IDictionary<string, (int Limit, TimeSpan Window)> RouteLimits { get; } = new Dictionary<string, (int Limit, TimeSpan Window)>(StringComparer.Ordinal);
}

/// <summary>The session start limit the fake starts with (<c>GET /gateway/bot</c>'s <c>session_start_limit</c>).</summary>
public sealed class FakeSessionStartLimit
{
    /// <summary>Session starts per reset period: 1000 per 24 h for bots under 150,000 guilds.</summary>
    public int Total { get; set; } = 1000;

    /// <summary>Starts left when the fake starts.</summary>
    public int Remaining { get; set; } = 1000;

    /// <summary>Time from the fake's start to the reset, when <c>remaining</c> returns to <see cref="Total"/>.</summary>
    public TimeSpan ResetAfter { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Identifies allowed per <see cref="FakeDiscordOptions.IdentifyWindow"/> (per rate-limit key <c>shard_id % max_concurrency</c>).</summary>
    public int MaxConcurrency { get; set; } = 1;
}
