namespace Compliance.Discord.Rest;

/// <summary>
/// The process-wide limit for bot-authorized routes: at most N requests in any second, and a full pause after a
/// global 429 (or a 429 without a usable body, which is likely Cloudflare's).
/// </summary>
internal sealed class GlobalRateLimit(int perSecond, TimeProvider time)
{
    private readonly Lock _gate = new();
    private readonly Queue<long> _sent = new();
    private long _pausedUntil;

    public async Task WaitAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            TimeSpan wait;
            lock (_gate)
            {
                var now = time.GetTimestamp();
                if (_pausedUntil > now)
                {
                    wait = time.GetElapsedTime(now, _pausedUntil);
                }
                else
                {
                    while (_sent.Count > 0 && time.GetElapsedTime(_sent.Peek(), now) >= TimeSpan.FromSeconds(1))
                    {
                        _sent.Dequeue();
                    }
                    if (_sent.Count < perSecond)
                    {
                        _sent.Enqueue(now);
                        return;
                    }
                    wait = TimeSpan.FromSeconds(1) - time.GetElapsedTime(_sent.Peek(), now);
                }
            }
            await Task.Delay(wait > TimeSpan.Zero ? wait : TimeSpan.FromMilliseconds(1), time, cancellationToken);
        }
    }

    /// <summary>Pauses every bot-authorized request for <paramref name="duration"/>.</summary>
    public void Pause(TimeSpan duration)
    {
        lock (_gate)
        {
            var until = time.GetTimestamp() + (long)(duration.TotalSeconds * time.TimestampFrequency);
            _pausedUntil = Math.Max(_pausedUntil, until);
        }
    }
}
