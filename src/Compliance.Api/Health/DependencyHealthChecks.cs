using System.Diagnostics;
using Compliance.Api.Configuration;
using HealthChecks.NpgSql;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Npgsql;
using StackExchange.Redis;

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

/// <summary>
/// Redis answers PING: AspNetCore.HealthChecks.Redis does the check (every endpoint, cluster state where there is
/// one); this adds what <c>/health/detailed</c> reports, the round trip and the server's version. Registered only
/// when <c>REDIS_URL</c> is set (see <see cref="HealthApi"/>).
/// </summary>
internal sealed class RedisHealthCheck(IConnectionMultiplexer redis) : IHealthCheck
{
    private readonly HealthChecks.Redis.RedisHealthCheck _ping = new(redis);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var stopwatch = Stopwatch.StartNew();
        var result = await _ping.CheckHealthAsync(context, cancellationToken);
        var data = new Dictionary<string, object> { [HealthData.LatencyMs] = Math.Round(stopwatch.Elapsed.TotalMilliseconds, 1) };
        if (result.Status != HealthStatus.Healthy)
        {
            return new HealthCheckResult(result.Status, "Redis is unreachable.", result.Exception, data);
        }
        if (redis.GetEndPoints().FirstOrDefault() is { } endpoint)
        {
            data[HealthData.Version] = redis.GetServer(endpoint).Version.ToString();
        }
        return HealthCheckResult.Healthy("Redis is reachable.", data);
    }
}

/// <summary>What the <c>redis</c> check reports when <c>REDIS_URL</c> is not set.</summary>
internal sealed class InProcessStateHealthCheck : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(HealthCheckResult.Healthy("Redis is not configured; rate limits and caches are in-process."));
}
