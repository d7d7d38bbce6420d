using System.Diagnostics;
using Compliance.Api.Configuration;
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
