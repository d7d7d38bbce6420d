using System.Text.Json.Serialization;

namespace Compliance.Discord.Gateway;

/// <summary>An outgoing gateway payload. <c>d</c> is always written, even when null (a first heartbeat's <c>d</c>).</summary>
internal sealed record OutgoingPayload(
    [property: JsonPropertyName("op")] int Op,
    [property: JsonPropertyName("d"), JsonIgnore(Condition = JsonIgnoreCondition.Never)] object? D);

internal sealed record IdentifyData(string Token, int Intents, IdentifyProperties Properties, int LargeThreshold, int[] Shard);

internal sealed record IdentifyProperties(string Os, string Browser, string Device);

internal sealed record ResumeData(string Token, string SessionId, long Seq);

/// <summary>Presence update (op 3): the bot's status line.</summary>
public sealed record PresenceUpdate
{
    /// <summary>Unix milliseconds since idle, or null.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public long? Since { get; init; }

    public IReadOnlyList<PresenceActivity> Activities { get; init; } = [];

    /// <summary>online, dnd, idle, invisible or offline.</summary>
    public string Status { get; init; } = "online";
    public bool Afk { get; init; }
}

/// <summary>An activity; type 4 is a custom status whose text is <see cref="State"/>.</summary>
public sealed record PresenceActivity(string Name, int Type)
{
    public string? State { get; init; }
}

/// <summary>A payload over Discord's 4096-byte gateway limit; sending it would close the connection with 4002.</summary>
public sealed class GatewayPayloadTooLargeException : Exception
{
    public GatewayPayloadTooLargeException(int size) : base($"Gateway payload is {size} bytes; Discord accepts at most 4096.") => Size = size;

    public GatewayPayloadTooLargeException() { }

    public GatewayPayloadTooLargeException(string message) : base(message) { }

    public GatewayPayloadTooLargeException(string message, Exception innerException) : base(message, innerException) { }

    public int Size { get; }
}
