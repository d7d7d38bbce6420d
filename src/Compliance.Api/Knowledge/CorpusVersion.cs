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

/// <summary>The corpus version every instance shares, in Redis; this process's own count stands in while Redis is away.</summary>
public sealed class RedisCorpusVersion(IConnectionMultiplexer redis, ILogger<RedisCorpusVersion> logger) : CorpusVersion
{
    private const string Key = "compliance:corpus-version";
    private readonly InProcessCorpusVersion _local = new();

    public override async Task<long> GetAsync()
    {
        try
        {
            var value = await redis.GetDatabase().StringGetAsync(Key);
            return value.IsNull ? 0 : (long)value;
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            // Without the shared number, fall back to this instance's; the answer cache is also unavailable then.
            logger.LogWarning("Redis unavailable for the corpus version ({Reason})", ex.GetType().Name);
            return await _local.GetAsync();
        }
    }

    public override async Task BumpAsync()
    {
        await _local.BumpAsync();
        try
        {
            await redis.GetDatabase().StringIncrementAsync(Key);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            logger.LogWarning("Redis unavailable: the corpus version was not shared ({Reason})", ex.GetType().Name);
        }
    }
}
