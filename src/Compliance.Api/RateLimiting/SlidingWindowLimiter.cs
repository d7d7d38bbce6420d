using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Compliance.Api.RateLimiting;

/// <summary>Which limit refused a request.</summary>
public enum RateLimitScope
{
    None,
    User,
    Global,
}

/// <summary>The answer to "may this user make one more request in this bucket?".</summary>
public sealed record RateLimitDecision(bool Allowed, RateLimitScope Scope, TimeSpan RetryAfter);

/// <summary>
/// A sliding-window limit per Discord user plus a global one, per bucket (questions, ratings). With Redis, one Lua
/// script checks and records both atomically on Redis's clock, so every API instance shares the same counts; without
/// Redis (<paramref name="redis"/> null: <c>REDIS_URL</c> unset) or while it is unreachable, the same algorithm runs
/// in-process. Sorted sets and a script, not a cache: this stays on the multiplexer rather than <c>IDistributedCache</c>.
/// </summary>
public sealed class SlidingWindowLimiter(IConnectionMultiplexer? redis, IOptions<RateLimitOptions> options, TimeProvider clock, ILogger<SlidingWindowLimiter> logger)
{
    // KEYS[1] user window, KEYS[2] global window (sorted sets of request ids scored by time in ms).
    // ARGV: window ms, user limit, global limit, a unique member. Returns {allowed, scope (1 user, 2 global), retry ms}.
    private const string Script = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        local window = tonumber(ARGV[1])
        redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
        redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - window)
        local userLimit = tonumber(ARGV[2])
        local userCount = redis.call('ZCARD', KEYS[1])
        if userCount >= userLimit then
          local oldest = redis.call('ZRANGE', KEYS[1], userCount - userLimit, userCount - userLimit, 'WITHSCORES')
          return {0, 1, tonumber(oldest[2]) + window - now}
        end
        local globalLimit = tonumber(ARGV[3])
        local globalCount = redis.call('ZCARD', KEYS[2])
        if globalCount >= globalLimit then
          local oldest = redis.call('ZRANGE', KEYS[2], globalCount - globalLimit, globalCount - globalLimit, 'WITHSCORES')
          return {0, 2, tonumber(oldest[2]) + window - now}
        end
        redis.call('ZADD', KEYS[1], now, ARGV[4])
        redis.call('ZADD', KEYS[2], now, ARGV[4])
        redis.call('PEXPIRE', KEYS[1], window)
        redis.call('PEXPIRE', KEYS[2], window)
        return {1, 0, 0}
        """;

    private static readonly TimeSpan FallbackWarningInterval = TimeSpan.FromMinutes(1);

    private readonly RateLimitOptions _options = options.Value;
    private readonly InProcessWindows _local = new();
    private long _lastFallbackWarning = long.MinValue;

    /// <summary>Checks and, if allowed, counts one request by <paramref name="discordUserId"/> in <paramref name="bucket"/>.</summary>
    public async Task<RateLimitDecision> AcquireAsync(string bucket, string discordUserId, CancellationToken cancellationToken)
    {
        var userKey = $"{{{_options.KeyPrefix}}}:{bucket}:user:{discordUserId}";
        var globalKey = $"{{{_options.KeyPrefix}}}:{bucket}:global";
        if (redis is not null)
        {
            try
            {
                var database = redis.GetDatabase();
                var result = (RedisResult[])(await database.ScriptEvaluateAsync(Script, [userKey, globalKey],
                    [(long)_options.Window.TotalMilliseconds, _options.PerUser, _options.Global, Guid.NewGuid().ToString("N")]))!;
                return (long)result[0] == 1
                    ? new RateLimitDecision(true, RateLimitScope.None, TimeSpan.Zero)
                    : new RateLimitDecision(false, (long)result[1] == 1 ? RateLimitScope.User : RateLimitScope.Global,
                        TimeSpan.FromMilliseconds(Math.Max(1, (long)result[2])));
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException or InvalidOperationException)
            {
                WarnFallback(ex);
            }
        }
        cancellationToken.ThrowIfCancellationRequested();
        return _local.Acquire(userKey, globalKey, _options, clock.GetUtcNow());
    }

    private void WarnFallback(Exception ex)
    {
        // Once a minute is enough to tell operators; a warning per request would flood the logs during an outage.
        var now = clock.GetTimestamp();
        var last = Interlocked.Read(ref _lastFallbackWarning);
        if ((last == long.MinValue || clock.GetElapsedTime(last, now) > FallbackWarningInterval) &&
            Interlocked.CompareExchange(ref _lastFallbackWarning, now, last) == last)
        {
            logger.LogWarning("Redis is unreachable for rate limits ({Reason}); this instance counts on its own until it returns", ex.GetType().Name);
        }
    }

    /// <summary>The same sliding windows in memory, for one instance.</summary>
    private sealed class InProcessWindows
    {
        private readonly Dictionary<string, Queue<DateTimeOffset>> _windows = new(StringComparer.Ordinal);
        private readonly Lock _gate = new();

        public RateLimitDecision Acquire(string userKey, string globalKey, RateLimitOptions options, DateTimeOffset now)
        {
            lock (_gate)
            {
                var user = Window(userKey, now - options.Window);
                var global = Window(globalKey, now - options.Window);
                if (user.Count >= options.PerUser)
                {
                    return new(false, RateLimitScope.User, RetryAfter(user, options.PerUser, options.Window, now));
                }
                if (global.Count >= options.Global)
                {
                    return new(false, RateLimitScope.Global, RetryAfter(global, options.Global, options.Window, now));
                }
                user.Enqueue(now);
                global.Enqueue(now);
                if (_windows.Count > 10_000)
                {
                    // Forget idle users so memory follows the active ones, not everyone ever seen.
                    foreach (var idle in _windows.Where(w => w.Value.Count == 0 || w.Value.Last() < now - options.Window).Select(w => w.Key).ToList())
                    {
                        _windows.Remove(idle);
                    }
                }
                return new(true, RateLimitScope.None, TimeSpan.Zero);
            }
        }

        private Queue<DateTimeOffset> Window(string key, DateTimeOffset since)
        {
            if (!_windows.TryGetValue(key, out var window))
            {
                _windows[key] = window = new Queue<DateTimeOffset>();
            }
            while (window.Count > 0 && window.Peek() <= since)
            {
                window.Dequeue();
            }
            return window;
        }

        private static TimeSpan RetryAfter(Queue<DateTimeOffset> window, int limit, TimeSpan length, DateTimeOffset now) =>
            window.ElementAt(window.Count - limit) + length - now;
    }
}
