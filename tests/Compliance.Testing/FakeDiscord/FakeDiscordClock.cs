namespace Compliance.Testing.FakeDiscord;

/// <summary>
/// The fake's clock for interaction deadlines: real time plus an offset tests move forward, so "the 3-second
/// deadline passed" or "15 minutes later" needs no waiting.
/// </summary>
public sealed class FakeDiscordClock : TimeProvider
{
    private long _offsetTicks;

    public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + TimeSpan.FromTicks(Interlocked.Read(ref _offsetTicks));

    /// <summary>Moves the clock forward.</summary>
    public void Advance(TimeSpan by)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(by, TimeSpan.Zero);
        Interlocked.Add(ref _offsetTicks, by.Ticks);
    }
}
