using System.Net;
using System.Text.Json;
using Compliance.Api.Tests.Infrastructure;
using Compliance.Testing.Servers;

namespace Compliance.Api.Tests.Health;

/// <summary>Readiness follows the real dependencies: it fails, naming them, while they are down, and recovers.</summary>
public sealed class ReadinessOutageTests
{
    [Fact]
    public async Task Ready_is_503_naming_postgres_while_it_is_stopped_and_recovers_when_it_returns()
    {
        await using var postgres = await LocalPostgres.StartAsync();
        await using var api = new ComplianceApiFactory { PostgresAdminOverride = postgres.AdminConnectionString };
        await api.InitializeAsync();
        using var client = api.CreateClient(token: null);
        var ct = TestContext.Current.CancellationToken;
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/ready", ct)).StatusCode);

        await postgres.StopServerAsync();
        var down = await client.GetAsync("/health/ready", ct);
        var body = JsonDocument.Parse(await down.Content.ReadAsStringAsync(ct)).RootElement;

        Assert.Equal(HttpStatusCode.ServiceUnavailable, down.StatusCode);
        Assert.Equal("Unhealthy", body.GetProperty("status").GetString());
        Assert.Equal(["postgres"], body.GetProperty("failing").EnumerateArray().Select(e => e.GetString()!).ToList());
        Assert.Equal("Healthy", body.GetProperty("checks").GetProperty("redis").GetString());
        // Liveness must not follow the database, or the platform would restart healthy processes.
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/live", ct)).StatusCode);

        await postgres.StartServerAsync();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/ready", ct)).StatusCode);
    }

    [Fact]
    public async Task Ready_is_503_naming_redis_when_redis_is_unreachable()
    {
        // A port nothing listens on: the API must still start, and say what is wrong.
        await using var api = new ComplianceApiFactory().WithSetting("REDIS_URL", $"redis://127.0.0.1:{FreePort.Next()}");
        await api.InitializeAsync();
        using var client = api.CreateClient(token: null);
        var ct = TestContext.Current.CancellationToken;

        var response = await client.GetAsync("/health/ready", ct);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct)).RootElement;

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(["redis"], body.GetProperty("failing").EnumerateArray().Select(e => e.GetString()!).ToList());
    }

    [Fact]
    public async Task Ready_is_503_naming_redis_while_it_is_stopped_and_recovers_when_it_returns()
    {
        var redis = await LocalRedis.StartAsync();
        var port = redis.Port;
        await using var api = new ComplianceApiFactory().WithSetting("REDIS_URL", redis.Url);
        await api.InitializeAsync();
        using var client = api.CreateClient(token: null);
        var ct = TestContext.Current.CancellationToken;
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/ready", ct)).StatusCode);

        await redis.DisposeAsync();
        var down = await client.GetAsync("/health/ready", ct);
        var body = JsonDocument.Parse(await down.Content.ReadAsStringAsync(ct)).RootElement;

        Assert.Equal(HttpStatusCode.ServiceUnavailable, down.StatusCode);
        Assert.Equal(["redis"], body.GetProperty("failing").EnumerateArray().Select(e => e.GetString()!).ToList());
        Assert.Equal("Healthy", body.GetProperty("checks").GetProperty("postgres").GetString());
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/live", ct)).StatusCode);

        // Back on the same port: the multiplexer reconnects by itself (it retries every few seconds).
        await using var restarted = await LocalRedis.StartAsync(port);
        var status = HttpStatusCode.ServiceUnavailable;
        for (var attempt = 0; attempt < 60 && status != HttpStatusCode.OK; attempt++)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(500), ct);
            status = (await client.GetAsync("/health/ready", ct)).StatusCode;
        }
        Assert.Equal(HttpStatusCode.OK, status);
    }

    [Fact]
    public async Task Without_redis_configured_the_api_is_ready_on_in_process_limits()
    {
        await using var api = new ComplianceApiFactory().WithSetting("REDIS_URL", "");
        await api.InitializeAsync();
        using var admin = api.CreateAdminClient();
        var ct = TestContext.Current.CancellationToken;

        var response = await admin.GetAsync("/health/detailed", ct);
        var redis = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct)).RootElement.GetProperty("dependencies").GetProperty("redis");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", redis.GetProperty("status").GetString());
        Assert.Contains("in-process", redis.GetProperty("description").GetString(), StringComparison.Ordinal);
    }
}
