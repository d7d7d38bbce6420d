namespace Compliance.Discord.Gateway;

/// <summary>
/// Keeps one connection under Discord's send limit (120 events per 60 s, heartbeats included). Ordinary events may
/// use the budget minus a reserve that covers every heartbeat the window can need plus a safety margin, so a burst
/// of ordinary sends can never starve the heartbeat, and heartbeats never wait.
/// </summary>
internal sealed class GatewaySendLimiter
{
    private readonly Queue<long> _sent = new();
    private readonly TimeProvider _time;
    private readonly int _limit;
    private readonly TimeSpan _window;
    private readonly int _ordinaryBudget;
    private readonly Lock _gate = new();

    public GatewaySendLimiter(int limit, TimeSpan window, int safetyMargin, TimeSpan heartbeatInterval, TimeProvider time)
    {
        _limit = limit;
        _window = window;
        _time = time;
        // One heartbeat per interval, plus the first jittered one, plus identify/resume and server-requested beats.
        var heartbeatReserve = (int)Math.Ceiling(window / heartbeatInterval) + 1;
        _ordinaryBudget = Math.Max(1, limit - heartbeatReserve - safetyMargin);
    }

    /// <summary>Ordinary events allowed per window.</summary>
    public int OrdinaryBudget => _ordinaryBudget;

    /// <summary>Records a priority send (heartbeat, identify, resume), which never waits.</summary>
    public void RecordPriority()
    {
        lock (_gate)
        {
            Trim();
            _sent.Enqueue(_time.GetTimestamp());
        }
    }

    /// <summary>Waits until an ordinary event fits in the budget, then records it.</summary>
    public async ValueTask WaitOrdinaryAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            TimeSpan wait;
            lock (_gate)
            {
                Trim();
                if (_sent.Count < _ordinaryBudget)
                {
                    _sent.Enqueue(_time.GetTimestamp());
                    return;
                }
                // The oldest send leaves the window first; a slot frees when it does.
                wait = _window - _time.GetElapsedTime(_sent.Peek());
            }
            await Task.Delay(wait > TimeSpan.Zero ? wait : TimeSpan.FromMilliseconds(1), _time, cancellationToken);
        }
    }

    /// <summary>Sends recorded in the current window (for tests and diagnostics).</summary>
    public int InWindow
    {
        get
        {
            lock (_gate)
            {
                Trim();
                return _sent.Count;
            }
        }
    }

    private void Trim()
    {
        while (_sent.Count > 0 && _time.GetElapsedTime(_sent.Peek()) >= _window)
        {
            _sent.Dequeue();
        }
        // Defensive: never track more than the real limit.
        while (_sent.Count > _limit)
        {
            _sent.Dequeue();
        }
    }
}
