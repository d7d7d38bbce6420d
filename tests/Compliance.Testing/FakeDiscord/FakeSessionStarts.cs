using System.Text.Json.Nodes;

namespace Compliance.Testing.FakeDiscord;

/// <summary>What the fake does with an Identify once its token, intents and shard have been checked.</summary>
public enum FakeIdentifyVerdict
{
    /// <summary>A session starts; one of <c>remaining</c> is spent.</summary>
    Start,

    /// <summary>Over <c>max_concurrency</c> in the identify window for the shard's rate-limit key: op 9 <c>false</c>.</summary>
    TooFast,

    /// <summary>No session starts left: every session ends and the bot token is reset.</summary>
    LimitExhausted,
}

/// <summary>
/// The session start limit (discord-protocol.md §1.1, §1.5, §1.10; Discord's gateway docs §Identifying and
/// §Max Concurrency): 1000 Identifies per 24 h across all shards (Resume does not count), spent one per accepted
/// Identify, and at most <c>max_concurrency</c> Identifies per 5 s for each rate-limit key
/// <c>shard_id % max_concurrency</c>. Time runs on the fake's clock, so tests move it instead of waiting.
/// </summary>
public sealed class FakeSessionStarts
{
    private readonly FakeDiscordOptions _options;
    private readonly TimeProvider _clock;
    private readonly Dictionary<int, Queue<DateTimeOffset>> _recentByKey = [];
    private readonly Lock _gate = new();
    private int _remaining;
    private DateTimeOffset _resetAt;
    private int _tooFast;
    private int _tokenResets;

    internal FakeSessionStarts(FakeDiscordOptions options, TimeProvider clock)
    {
        _options = options;
        _clock = clock;
        _remaining = options.SessionStartLimit.Remaining;
        _resetAt = clock.GetUtcNow() + options.SessionStartLimit.ResetAfter;
    }

    /// <summary>Session starts left before the reset.</summary>
    public int Remaining
    {
        get
        {
            lock (_gate)
            {
                RollOver();
                return _remaining;
            }
        }
    }

    /// <summary>Identifies answered with op 9 because they came faster than <c>max_concurrency</c> allows.</summary>
    public int TooFastCount => Volatile.Read(ref _tooFast);

    /// <summary>Times the bot token was reset because an Identify came with no session starts left.</summary>
    public int TokenResets => Volatile.Read(ref _tokenResets);

    /// <summary>Sets the starts left (e.g. 0 to test that a client refuses to start).</summary>
    public void SetRemaining(int remaining)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(remaining);
        lock (_gate)
        {
            _remaining = remaining;
        }
    }

    /// <summary><c>session_start_limit</c> as <c>GET /gateway/bot</c> reports it now.</summary>
    internal JsonObject ToJson()
    {
        lock (_gate)
        {
            RollOver();
            var resetAfter = _resetAt - _clock.GetUtcNow();
            return new JsonObject
            {
                ["total"] = _options.SessionStartLimit.Total,
                ["remaining"] = _remaining,
                ["reset_after"] = (long)Math.Max(0, resetAfter.TotalMilliseconds),
                ["max_concurrency"] = _options.SessionStartLimit.MaxConcurrency,
            };
        }
    }

    /// <summary>Decides an Identify for <paramref name="shardId"/> and spends a start when it is accepted.</summary>
    internal FakeIdentifyVerdict Decide(int shardId)
    {
        lock (_gate)
        {
            RollOver();
            if (_remaining <= 0)
            {
                _tokenResets++;
                return FakeIdentifyVerdict.LimitExhausted;
            }
            var now = _clock.GetUtcNow();
            var key = shardId % Math.Max(1, _options.SessionStartLimit.MaxConcurrency);
            if (!_recentByKey.TryGetValue(key, out var recent))
            {
                recent = new Queue<DateTimeOffset>();
                _recentByKey[key] = recent;
            }
            while (recent.Count > 0 && now - recent.Peek() >= _options.IdentifyWindow)
            {
                recent.Dequeue();
            }
            // max_concurrency counts shards started together, one per rate-limit key: each key gets one Identify per window.
            if (recent.Count >= 1)
            {
                _tooFast++;
                return FakeIdentifyVerdict.TooFast;
            }
            recent.Enqueue(now);
            _remaining--;
            return FakeIdentifyVerdict.Start;
        }
    }

    private void RollOver()
    {
        var now = _clock.GetUtcNow();
        while (now >= _resetAt)
        {
            _remaining = _options.SessionStartLimit.Total;
            _resetAt += _options.SessionStartLimit.ResetAfter > TimeSpan.Zero ? _options.SessionStartLimit.ResetAfter : TimeSpan.FromHours(24);
        }
    }
}
