namespace Compliance.Api.Tests.Infrastructure;

/// <summary>
/// The system clock for dates and timers, but timestamps (what elapsed-time checks such as ingestion's progress
/// throttle read) move only when the test steps them: "more than the interval has passed" without waiting for it.
/// </summary>
public sealed class SteppedTimestamps : TimeProvider
{
    private long _ticks;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp() => Interlocked.Read(ref _ticks);

    public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
}
