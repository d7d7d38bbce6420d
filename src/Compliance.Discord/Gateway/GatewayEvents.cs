using System.Text.Json;
using Compliance.Discord.Models;

namespace Compliance.Discord.Gateway;

/// <summary>A dispatch (op 0) received from the gateway, surfaced in order.</summary>
public abstract record GatewayDispatch(string EventName, long Sequence);

/// <summary><c>READY</c>: a new session was established.</summary>
public sealed record ReadyDispatch(long Sequence, ReadyEvent Ready) : GatewayDispatch("READY", Sequence);

/// <summary><c>RESUMED</c>: the session was resumed and missed dispatches were replayed before this.</summary>
public sealed record ResumedDispatch(long Sequence) : GatewayDispatch("RESUMED", Sequence);

/// <summary><c>INTERACTION_CREATE</c>: a slash command, component click or modal submit.</summary>
public sealed record InteractionCreateDispatch(long Sequence, Interaction Interaction) : GatewayDispatch("INTERACTION_CREATE", Sequence);

/// <summary><c>MESSAGE_CREATE</c>.</summary>
public sealed record MessageCreateDispatch(long Sequence, Message Message) : GatewayDispatch("MESSAGE_CREATE", Sequence);

/// <summary>Any other dispatch, with its raw payload.</summary>
public sealed record RawDispatch(string Name, long Sequence, JsonElement Data) : GatewayDispatch(Name, Sequence);

/// <summary>The <c>d</c> of READY (the fields the bot uses).</summary>
public sealed record ReadyEvent
{
    public int V { get; init; }
    public User User { get; init; } = new();
    public string SessionId { get; init; } = "";
    public Uri ResumeGatewayUrl { get; init; } = null!;
    public IReadOnlyList<int>? Shard { get; init; }
    public Application Application { get; init; } = new();
}

/// <summary>Connection states, for health probes and logs.</summary>
public enum GatewayConnectionState
{
    /// <summary>Not started.</summary>
    Idle,
    /// <summary>Opening the socket and waiting for Hello.</summary>
    Connecting,
    /// <summary>Identify sent; waiting for READY.</summary>
    Identifying,
    /// <summary>Resume sent; waiting for replay and RESUMED.</summary>
    Resuming,
    /// <summary>Session established; dispatches flow.</summary>
    Connected,
    /// <summary>Between connections (back-off, invalid-session wait).</summary>
    Reconnecting,
    /// <summary>Stopped by the owner, or after a fatal close.</summary>
    Stopped,
}

/// <summary>Why a connection ended and what happens next; raised for logs, metrics and tests.</summary>
public sealed record GatewayDisconnect(string Reason, int? CloseCode, GatewayCloseAction Action, TimeSpan DelayBeforeReconnect, int ConsecutiveFailures);
