using Compliance.Api.Configuration;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Compliance.Api.Knowledge;

/// <summary>
/// A number that changes on every ingest, re-index or delete. Answer caches include it in their keys, so a cached
/// answer never outlives its corpus. Shared by every instance through Redis when <c>REDIS_URL</c> is set
/// (<see cref="RedisCorpusVersion"/>), per process otherwise (<see cref="InProcessCorpusVersion"/>); the choice is
/// made once, at registration. A counter, not a cache entry: it needs Redis's atomic INCR, which
/// <c>IDistributedCache</c> does not offer.
/// </summary>
public abstract class CorpusVersion
{
    public abstract Task<long> GetAsync();

    public abstract Task BumpAsync();
}

/// <summary>The corpus version of this process alone.</summary>
public sealed class InProcessCorpusVersion : CorpusVersion
{
    private long _version;

    public override Task<long> GetAsync() => Task.FromResult(Interlocked.Read(ref _version));

    public override Task BumpAsync()
    {
        Interlocked.Increment(ref _version);
        return Task.CompletedTask;
    }
}

/// <summary>
/// The corpus version every instance shares, in Redis; this process's own count stands in while Redis is away.
/// </summary>
/// <remarks>
/// Every question reads the version (it is part of the answer-cache key), so a read is remembered for
/// <see cref="ReadLifetime"/> instead of costing a Redis round trip per question: this instance's own changes are
/// seen at once (a bump stores what INCR returned), another instance's within a second. Ingestion runs as a background
/// job that takes seconds at least, so a second more of an old cached answer after it finishes is not one a user could
/// have told apart; the round trip saved was one of the three before the first streamed word
/// (docs/service-performance.md, "The SSE gap").
/// </remarks>
public sealed class RedisCorpusVersion(IConnectionMultiplexer redis, IOptions<RedisOptions> options, TimeProvider clock, ILogger<RedisCorpusVersion> logger) : CorpusVersion
{
    /// <summary>How long a version read from Redis is used before it is read again.</summary>
    public static readonly TimeSpan ReadLifetime = TimeSpan.FromSeconds(1);

    private readonly RedisKey _key = options.Value.KeyPrefix + ":corpus-version";
    private readonly InProcessCorpusVersion _local = new();
    private Remembered? _remembered;

    public override async Task<long> GetAsync()
    {
        if (_remembered is { } remembered && clock.GetElapsedTime(remembered.ReadAt) < ReadLifetime)
        {
            return remembered.Value;
        }
        try
        {
            var readAt = clock.GetTimestamp();
            var value = await redis.GetDatabase().StringGetAsync(_key);
            return Remember(value.IsNull ? 0 : (long)value, readAt);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            // Without the shared number, fall back to this instance's; the answer cache is also unavailable then.
            logger.LogWarning("Redis unavailable for the corpus version ({Reason})", ex.GetType().Name);
            _remembered = null;
            return await _local.GetAsync();
        }
    }

    public override async Task BumpAsync()
    {
        await _local.BumpAsync();
        try
        {
            var readAt = clock.GetTimestamp();
            Remember(await redis.GetDatabase().StringIncrementAsync(_key), readAt);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            _remembered = null;
            logger.LogWarning("Redis unavailable: the corpus version was not shared ({Reason})", ex.GetType().Name);
        }
    }

    // The version only grows (INCR): a read that was on its way while this instance bumped must not put the older
    // number back. Returns the version to use.
    private long Remember(long version, long readAt)
    {
        while (true)
        {
            var current = Volatile.Read(ref _remembered);
            if (current is not null && current.Value > version)
            {
                return current.Value;
            }
            if (Interlocked.CompareExchange(ref _remembered, new Remembered(version, readAt), current) == current)
            {
                return version;
            }
        }
    }

    // One reference, swapped whole, so a reader never sees a value with another read's time.
    private sealed record Remembered(long Value, long ReadAt);
}
