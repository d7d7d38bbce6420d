using System.Diagnostics;
using System.Globalization;
using Compliance.Api.Configuration;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.StackExchangeRedis;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Compliance.Benchmarks.AnswerPath;

/// <summary>
/// <c>redis-hops --redis URL</c>: thread-pool work items and bytes allocated per Redis round trip, as the API makes
/// them (docs/service-performance.md, "The SSE gap"): a plain <c>GET</c> on the multiplexer, and
/// <see cref="IDistributedCache.GetAsync"/> (Microsoft.Extensions.Caching.StackExchangeRedis over the same
/// multiplexer, how the answer cache and conversation state read), 16 callers at once, against a real Redis.
/// </summary>
public static class RedisHopsCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        var url = args.SkipWhile(a => a != "--redis").Skip(1).FirstOrDefault()
            ?? throw new ArgumentException("redis-hops needs --redis redis://host:port");
        var operations = 20_000;
        const int concurrency = 16;
        using var multiplexer = await ConnectionMultiplexer.ConnectAsync(RedisUrl.Parse(url));
        var db = multiplexer.GetDatabase();
        const string key = "bench:redis-hops";
        await db.StringSetAsync(key, new byte[600], TimeSpan.FromMinutes(5));
        using var cache = new RedisCache(Options.Create(new RedisCacheOptions
        {
            ConnectionMultiplexerFactory = () => Task.FromResult<IConnectionMultiplexer>(multiplexer),
            InstanceName = "bench:",
        }));
        await cache.SetAsync("hops", new byte[600], new DistributedCacheEntryOptions { AbsoluteExpirationRelativeToNow = TimeSpan.FromMinutes(5) });

        Console.WriteLine($"redis-hops: {operations} operations, {concurrency} at once; load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");
        Console.WriteLine($"{"operation",-22} {"work items/op",14} {"KB/op",7} {"ops/s",8}");
        for (var round = 0; round < 3; round++)
        {
            await Report("GET (multiplexer)", async () => await db.StringGetAsync(key), operations, concurrency, round > 0);
            await Report("IDistributedCache.Get", async () => await cache.GetAsync("hops"), operations, concurrency, round > 0);
        }
        await db.KeyDeleteAsync(key);
        await cache.RemoveAsync("hops");
        return 0;
    }

    private static async Task Report(string name, Func<Task> operation, int operations, int concurrency, bool print)
    {
        var next = -1;
        var workItems = ThreadPool.CompletedWorkItemCount;
        var allocated = GC.GetTotalAllocatedBytes(precise: false);
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            while (Interlocked.Increment(ref next) < operations)
            {
                await operation();
            }
        })));
        if (print)
        {
            double n = operations;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{name,-22} {(ThreadPool.CompletedWorkItemCount - workItems) / n,14:F2} {(GC.GetTotalAllocatedBytes(precise: false) - allocated) / n / 1024,7:F2} {n / clock.Elapsed.TotalSeconds,8:F0}"));
        }
    }
}
