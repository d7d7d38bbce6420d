using Compliance.Api.Configuration;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Compliance.Api.Redis;

/// <summary>
/// The shared Redis connection, opened on first use. Absent when <c>REDIS_URL</c> is not set: callers then fall
/// back to in-process limits and caches. A Redis that is down at start does not stop the API; it reconnects in
/// the background and the readiness probe reports it meanwhile.
/// </summary>
public sealed class RedisConnection : IAsyncDisposable
{
    private readonly Lazy<Task<ConnectionMultiplexer>>? _connection;

    public RedisConnection(IOptions<RedisOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Value.IsConfigured)
        {
            var configuration = RedisUrl.Parse(options.Value.Url!);
            _connection = new(() => ConnectionMultiplexer.ConnectAsync(configuration));
        }
    }

    public bool IsConfigured => _connection is not null;

    /// <summary>The multiplexer; throws if Redis is not configured.</summary>
    public async Task<ConnectionMultiplexer> GetAsync()
    {
        if (_connection is null)
        {
            throw new InvalidOperationException("Redis is not configured (REDIS_URL is not set).");
        }
        return await _connection.Value;
    }

    public async ValueTask DisposeAsync()
    {
        if (_connection is { IsValueCreated: true })
        {
            var multiplexer = await _connection.Value;
            await multiplexer.CloseAsync();
            multiplexer.Dispose();
        }
    }
}
