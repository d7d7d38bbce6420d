using System.Diagnostics;
using Compliance.Api.Configuration;
using Compliance.Api.Redis;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Compliance.Api.Health;

/// <summary>Keys of the data each dependency check reports for <c>/health/detailed</c>.</summary>
internal static class HealthData
{
    public const string LatencyMs = "latency_ms";
    public const string Version = "version";
}

/// <summary>Postgres answers a query. Reports the server version and round-trip time.</summary>
internal sealed class PostgresHealthCheck(IOptions<DatabaseOptions> options) : IHealthCheck
{
    // A short connect timeout of its own: a probe must answer within Heroku's and the operator's patience even
    // when the server is gone, without waiting for the application's longer timeouts.
    private readonly string _connectionString = new NpgsqlConnectionStringBuilder(options.Value.ConnectionString)
    {
        Timeout = 2,
        CommandTimeout = 2,
    }.ConnectionString;

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var stopwatch = Stopwatch.StartNew();
        try
        {
            await using var connection = new NpgsqlConnection(_connectionString);
            await connection.OpenAsync(cancellationToken);
            await using var command = new NpgsqlCommand("SELECT current_setting('server_version')", connection);
            var version = (string?)await command.ExecuteScalarAsync(cancellationToken);
            return HealthCheckResult.Healthy("Postgres is reachable.", new Dictionary<string, object>
            {
                [HealthData.LatencyMs] = Math.Round(stopwatch.Elapsed.TotalMilliseconds, 1),
                [HealthData.Version] = version ?? "unknown",
            });
        }
        catch (Exception ex) when (ex is NpgsqlException or OperationCanceledException or TimeoutException or System.Net.Sockets.SocketException)
        {
            return HealthCheckResult.Unhealthy("Postgres is unreachable.", ex, new Dictionary<string, object>
            {
                [HealthData.LatencyMs] = Math.Round(stopwatch.Elapsed.TotalMilliseconds, 1),
            });
        }
    }
}

/// <summary>Redis answers PING. Without <c>REDIS_URL</c> the API runs on in-process limits and caches, which is healthy.</summary>
internal sealed class RedisHealthCheck(RedisConnection redis) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!redis.IsConfigured)
        {
            return HealthCheckResult.Healthy("Redis is not configured; rate limits and caches are in-process.");
        }

        var stopwatch = Stopwatch.StartNew();
        try
        {
            var multiplexer = await redis.GetAsync().WaitAsync(cancellationToken);
            var latency = await multiplexer.GetDatabase().PingAsync().WaitAsync(cancellationToken);
            var data = new Dictionary<string, object> { [HealthData.LatencyMs] = Math.Round(latency.TotalMilliseconds, 1) };
            var endpoint = multiplexer.GetEndPoints().FirstOrDefault();
            if (endpoint is not null)
            {
                data[HealthData.Version] = multiplexer.GetServer(endpoint).Version.ToString();
            }
            return HealthCheckResult.Healthy("Redis is reachable.", data);
        }
        catch (Exception ex) when (ex is StackExchange.Redis.RedisException or TimeoutException or OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy("Redis is unreachable.", ex, new Dictionary<string, object>
            {
                [HealthData.LatencyMs] = Math.Round(stopwatch.Elapsed.TotalMilliseconds, 1),
            });
        }
    }
}
