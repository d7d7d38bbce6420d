using Compliance.Api.Redis;
using StackExchange.Redis;

namespace Compliance.Api.Knowledge;

/// <summary>
/// A number that changes on every ingest, re-index or delete, shared by every API instance through Redis (in
/// process without it). Answer caches include it in their keys, so a cached answer never outlives its corpus.
/// </summary>
public sealed class CorpusVersion(RedisConnection redis, ILogger<CorpusVersion> logger)
{
    private const string Key = "compliance:corpus-version";
    private long _local;

    public async Task<long> GetAsync()
    {
        if (!redis.IsConfigured)
        {
            return Interlocked.Read(ref _local);
        }
        try
        {
            var value = await (await redis.GetAsync()).GetDatabase().StringGetAsync(Key);
            return value.IsNull ? 0 : (long)value;
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            // Without the shared number, fall back to this instance's; the cache below is also unavailable then.
            logger.LogWarning("Redis unavailable for the corpus version ({Reason})", ex.Message);
            return Interlocked.Read(ref _local);
        }
    }

    public async Task BumpAsync()
    {
        Interlocked.Increment(ref _local);
        if (!redis.IsConfigured)
        {
            return;
        }
        try
        {
            await (await redis.GetAsync()).GetDatabase().StringIncrementAsync(Key);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            logger.LogWarning("Redis unavailable: the corpus version was not shared ({Reason})", ex.Message);
        }
    }
}
