using System.ComponentModel.DataAnnotations;

namespace Compliance.Discord.Gateway;

/// <summary>
/// Gateway timing and limits. Defaults follow Discord's documented rules; tests shrink them to test size.
/// </summary>
public sealed class GatewayOptions
{
    /// <summary>Delay before the second consecutive failed connection attempt; doubles per failure.</summary>
    public TimeSpan ReconnectBackoffBase { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Upper bound of the reconnect back-off.</summary>
    public TimeSpan ReconnectBackoffMax { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Lower bound of the random wait after op 9 (invalid session, not resumable) before identifying again.</summary>
    public TimeSpan InvalidSessionDelayMin { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Upper bound of the random wait after op 9 (invalid session, not resumable).</summary>
    public TimeSpan InvalidSessionDelayMax { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Events Discord accepts per connection per <see cref="SendWindow"/> before closing with 4008.</summary>
    public int SendLimit { get; set; } = 120;

    /// <summary>The window of <see cref="SendLimit"/>.</summary>
    public TimeSpan SendWindow { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Slots per window kept free beyond the heartbeats' own reserve, for identify/resume and heartbeats the
    /// server requests with op 1.
    /// </summary>
    public int SendSafetyMargin { get; set; } = 5;

    /// <summary>How long to wait for the TCP/WebSocket handshake and for Hello.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Identify's <c>large_threshold</c> (50–250).</summary>
    [Range(50, 250)]
    public int LargeThreshold { get; set; } = 50;

    /// <summary>Largest message accepted from the gateway after reassembling its frames.</summary>
    public int MaxReceiveMessageBytes { get; set; } = 16 * 1024 * 1024;

    internal IEnumerable<ValidationResult> Validate()
    {
        if (ReconnectBackoffBase <= TimeSpan.Zero || ReconnectBackoffMax < ReconnectBackoffBase)
        {
            yield return new("Discord:Gateway:ReconnectBackoffBase must be positive and not above ReconnectBackoffMax.");
        }
        if (InvalidSessionDelayMin < TimeSpan.Zero || InvalidSessionDelayMax < InvalidSessionDelayMin)
        {
            yield return new("Discord:Gateway:InvalidSessionDelayMin must be non-negative and not above InvalidSessionDelayMax.");
        }
        if (SendLimit < 2 || SendWindow <= TimeSpan.Zero || SendSafetyMargin < 0 || SendSafetyMargin >= SendLimit)
        {
            yield return new("Discord:Gateway:SendLimit, SendWindow and SendSafetyMargin must describe a usable budget.");
        }
        if (ConnectTimeout <= TimeSpan.Zero)
        {
            yield return new("Discord:Gateway:ConnectTimeout must be positive.");
        }
        if (LargeThreshold is < 50 or > 250)
        {
            yield return new("Discord:Gateway:LargeThreshold must be between 50 and 250.");
        }
        if (MaxReceiveMessageBytes < 4096)
        {
            yield return new("Discord:Gateway:MaxReceiveMessageBytes must be at least 4096.");
        }
    }
}
