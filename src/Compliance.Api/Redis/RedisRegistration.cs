using Compliance.Api.Configuration;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Caching.StackExchangeRedis;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Compliance.Api.Redis;

/// <summary>
/// Where shared state lives, decided once here from <c>REDIS_URL</c>: with it, one multiplexer for the process and
/// <see cref="IDistributedCache"/> on Redis (Microsoft.Extensions.Caching.StackExchangeRedis over that multiplexer);
/// without it, <see cref="IDistributedCache"/> in memory. Classes take <see cref="IDistributedCache"/> and never ask
/// which one they got. A Redis that is down at start does not stop the API: the multiplexer reconnects in the
/// background and the readiness probe reports it meanwhile.
/// </summary>
public static class RedisRegistration
{
    // The in-memory cache's budget (bytes of serialised entries): answers and conversations are small.
    private const long MemoryCacheBytes = 64L * 1024 * 1024;

    public static WebApplicationBuilder AddRedisState(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddRedisState();
        return builder;
    }

    /// <summary>The registrations themselves, for hosts and tests that have only a service collection.</summary>
    public static IServiceCollection AddRedisState(this IServiceCollection services)
    {
        // Resolved on first use, so an unreachable Redis costs nothing until something needs it.
        services.AddSingleton<IConnectionMultiplexer>(provider =>
        {
            var options = provider.GetRequiredService<IOptions<RedisOptions>>().Value;
            return options.IsConfigured
                ? RedisConnection.Open(options.Url!)
                : throw new InvalidOperationException("Redis is not configured (REDIS_URL is not set); nothing should ask for its connection.");
        });
        services.AddSingleton<IDistributedCache>(provider =>
        {
            if (!IsConfigured(provider))
            {
                return new MemoryDistributedCache(Options.Create(new MemoryDistributedCacheOptions { SizeLimit = MemoryCacheBytes }));
            }
            var multiplexer = provider.GetRequiredService<IConnectionMultiplexer>();
            return new RedisCache(Options.Create(new RedisCacheOptions
            {
                // Every cache key starts "{REDIS_KEY_PREFIX}:", so deployments sharing a Redis never read each other's.
                InstanceName = provider.GetRequiredService<IOptions<RedisOptions>>().Value.KeyPrefix + ":",
                // The shared multiplexer: one connection per process, configured (RESP2, timeouts, TLS) in one place.
                ConnectionMultiplexerFactory = () => Task.FromResult(multiplexer),
            }));
        });
        return services;
    }

    /// <summary>Whether Redis is configured, for registrations that pick an implementation (read once, at resolution).</summary>
    public static bool IsConfigured(IServiceProvider services) =>
        services.GetRequiredService<IOptions<RedisOptions>>().Value.IsConfigured;
}
