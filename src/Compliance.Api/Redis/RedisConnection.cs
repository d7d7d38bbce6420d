using Compliance.Api.Configuration;
using StackExchange.Redis;

namespace Compliance.Api.Redis;

/// <summary>Opens the API's Redis connections (the shared state's and the RediSearch index's), configured one way.</summary>
public static class RedisConnection
{
    /// <summary>
    /// StackExchange.Redis's <c>DedicatedThreads</c> feature flag: each connection's socket is read and written by
    /// two threads the library owns instead of by the .NET thread pool.
    /// </summary>
    /// <remarks>
    /// Measured (docs/service-performance.md, "The SSE gap"): on 3.4.35 an awaited command costs 1.6–1.9 thread-pool
    /// work items without it (the socket read, the write and the awaiting continuation each queued to the pool) and
    /// 1.06 with it, and a fire-and-forget command nothing. A question makes 3–5 Redis round trips, so on a busy
    /// 2-core host each of those extra hops waited for a core and the first streamed word came later than on
    /// StackExchange.Redis 1.2.6, which read on its own threads. The cost is two threads per connection (four per
    /// multiplexer on RESP2). The flag is process-wide and read when a connection is made, hence set here, before
    /// any connection; <see cref="DedicatedThreadsEnabled"/> lets a test notice if a package update drops it.
    /// </remarks>
    public const string DedicatedThreadsFlag = "DedicatedThreads";

    /// <summary>Whether the flag took: false when the running StackExchange.Redis no longer knows it.</summary>
    public static bool DedicatedThreadsEnabled => ConnectionMultiplexer.GetFeatureFlag(DedicatedThreadsFlag);

    /// <summary>Connects to <paramref name="url"/> (see <see cref="RedisUrl.Parse"/>; never throws for an unreachable server).</summary>
    public static ConnectionMultiplexer Open(string url)
    {
        ConnectionMultiplexer.SetFeatureFlag(DedicatedThreadsFlag, true);
        return ConnectionMultiplexer.Connect(RedisUrl.Parse(url));
    }
}
