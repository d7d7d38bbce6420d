using System.Collections.Concurrent;

namespace Compliance.Discord.Rest;

/// <summary>
/// Maps routes to buckets: per (method, route template) until Discord names the bucket's hash, then per hash,
/// always split by the major parameter. Routes that share a hash share one bucket, as on Discord.
/// </summary>
internal sealed class RestRateLimiter(TimeProvider time)
{
    private readonly ConcurrentDictionary<string, string> _hashes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, RateLimitBucket> _buckets = new(StringComparer.Ordinal);

    public RateLimitBucket GetBucket(RestRoute route)
    {
        var identity = _hashes.TryGetValue(route.Key, out var hash) ? "hash:" + hash : "route:" + route.Key;
        return _buckets.GetOrAdd(identity + "|" + route.MajorParameter, _ => new RateLimitBucket(time));
    }

    /// <summary>Learns the route's bucket hash; the bucket in use becomes the one for that hash (unless one exists).</summary>
    public void LearnHash(RestRoute route, RateLimitBucket bucket, string? hash)
    {
        if (string.IsNullOrEmpty(hash))
        {
            return;
        }
        _hashes[route.Key] = hash;
        _buckets.TryAdd("hash:" + hash + "|" + route.MajorParameter, bucket);
    }
}
