namespace Compliance.Discord.Gateway;

/// <summary>What the client does after the gateway connection closes with a given code.</summary>
public enum GatewayCloseAction
{
    /// <summary>Reconnect to <c>resume_gateway_url</c> and Resume the session.</summary>
    Resume,
    /// <summary>Forget the session; reconnect to the gateway URL and Identify.</summary>
    NewSession,
    /// <summary>Retrying cannot help (bad token, intents, shard, version): stop and report.</summary>
    Fatal,
}

/// <summary>The gateway close-code table (discord-protocol.md §1.9).</summary>
public static class GatewayCloseCode
{
    public const int UnknownError = 4000;
    public const int UnknownOpcode = 4001;
    public const int DecodeError = 4002;
    public const int NotAuthenticated = 4003;
    public const int AuthenticationFailed = 4004;
    public const int AlreadyAuthenticated = 4005;
    public const int InvalidSequence = 4007;
    public const int RateLimited = 4008;
    public const int SessionTimedOut = 4009;
    public const int InvalidShard = 4010;
    public const int ShardingRequired = 4011;
    public const int InvalidApiVersion = 4012;
    public const int InvalidIntents = 4013;
    public const int DisallowedIntents = 4014;

    /// <summary>
    /// Classifies a close. <paramref name="code"/> is null when the connection dropped without a close frame,
    /// which leaves the session resumable.
    /// </summary>
    public static GatewayCloseAction Classify(int? code) => code switch
    {
        AuthenticationFailed or InvalidShard or ShardingRequired or InvalidApiVersion or InvalidIntents or DisallowedIntents => GatewayCloseAction.Fatal,
        // These mean the session is gone (or never was): resuming would only earn an op 9.
        NotAuthenticated or AlreadyAuthenticated or InvalidSequence or SessionTimedOut => GatewayCloseAction.NewSession,
        // A server-side 1000/1001 close invalidates the session (the docs say so for either side's normal close).
        1000 or 1001 => GatewayCloseAction.NewSession,
        // 4000, 4001, 4002 and 4008 keep the session; so do abnormal closes and drops.
        _ => GatewayCloseAction.Resume,
    };

    /// <summary>A human explanation of a close code, for logs and the fatal exception.</summary>
    public static string Describe(int? code) => code switch
    {
        null => "connection dropped without a close frame",
        UnknownError => "4000 unknown error",
        UnknownOpcode => "4001 unknown opcode (a client bug)",
        DecodeError => "4002 decode error: invalid JSON or a payload over 4096 bytes (a client bug)",
        NotAuthenticated => "4003 not authenticated: a payload was sent before Identify",
        AuthenticationFailed => "4004 authentication failed: the bot token is invalid; fix Discord:BotToken",
        AlreadyAuthenticated => "4005 already authenticated: a second Identify was sent",
        InvalidSequence => "4007 invalid sequence on Resume",
        RateLimited => "4008 rate limited: more than 120 events were sent in 60 s (a client bug)",
        SessionTimedOut => "4009 session timed out",
        InvalidShard => "4010 invalid shard: check Discord:ShardId and Discord:ShardCount",
        ShardingRequired => "4011 sharding required: the bot is in too many guilds for one shard; raise Discord:ShardCount",
        InvalidApiVersion => "4012 invalid API version",
        InvalidIntents => "4013 invalid intents: Discord:Intents contains an invalid bit",
        DisallowedIntents => "4014 disallowed intents: a privileged intent is not enabled in the Developer Portal",
        1000 => "1000 normal closure",
        1001 => "1001 going away",
        _ => $"{code} (unlisted close code)",
    };
}

/// <summary>
/// The gateway closed with a code that retrying cannot fix (4004, 4010–4014). The connection has stopped.
/// </summary>
public sealed class GatewayFatalCloseException : Exception
{
    public GatewayFatalCloseException(int closeCode, string? serverReason)
        : base($"Discord gateway closed the connection for good: {GatewayCloseCode.Describe(closeCode)}.")
    {
        CloseCode = closeCode;
        ServerReason = serverReason;
    }

    public GatewayFatalCloseException() : this(0, null) { }

    public GatewayFatalCloseException(string message) : base(message) { }

    public GatewayFatalCloseException(string message, Exception innerException) : base(message, innerException) { }

    /// <summary>The close code Discord sent.</summary>
    public int CloseCode { get; }

    /// <summary>The close description Discord sent, if any.</summary>
    public string? ServerReason { get; }
}
