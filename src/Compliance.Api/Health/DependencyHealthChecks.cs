using System.Diagnostics;
using Compliance.Api.Configuration;
using Compliance.Api.Redis;
using HealthChecks.NpgSql;
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

/// <summary>
/// Postgres answers a query, checked by AspNetCore.HealthChecks.NpgSql's <see cref="NpgSqlHealthCheck"/>; this wrapper
/// adds what <c>/health/detailed</c> reports (server version, round-trip time) and a short description.
/// </summary>
internal sealed class PostgresHealthCheck : IHealthCheck
{
    private readonly NpgSqlHealthCheck _check;

    public PostgresHealthCheck(IOptions<DatabaseOptions> options)
    {
        // A short connect timeout of its own: a probe must answer within Heroku's and the operator's patience even
        // when the server is gone, without waiting for the application's longer timeouts.
        var connectionString = new NpgsqlConnectionStringBuilder(options.Value.ConnectionString)
        {
            Timeout = 2,
            CommandTimeout = 2,
        }.ConnectionString;
        _check = new NpgSqlHealthCheck(new NpgSqlHealthCheckOptions(connectionString)
        {
            CommandText = "SELECT current_setting('server_version')",
            HealthCheckResultBuilder = version => HealthCheckResult.Healthy("Postgres is reachable.",
                new Dictionary<string, object> { [HealthData.Version] = version as string ?? "unknown" }),
        });
    }

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var stopwatch = Stopwatch.StartNew();
        var result = await _check.CheckHealthAsync(context, cancellationToken);
        var data = new Dictionary<string, object>(result.Data) { [HealthData.LatencyMs] = Math.Round(stopwatch.Elapsed.TotalMilliseconds, 1) };
        // The package describes a failure with the exception's message (host names, user names); the exception
        // itself stays on the result for /health/detailed, which redacts it.
        var description = result.Status == HealthStatus.Healthy ? result.Description : "Postgres is unreachable.";
        return new HealthCheckResult(result.Status, description, result.Exception, data);
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
