using System.Net;
using System.Text.Json;
using Compliance.Api.Tests.Infrastructure;

namespace Compliance.Api.Tests.Health;

/// <summary>The health endpoints against the real Postgres and Redis of the test run.</summary>
public sealed class HealthEndpointTests(ComplianceApiFactory api) : IClassFixture<ComplianceApiFactory>
{
    [Fact]
    public async Task Live_answers_without_credentials()
    {
        using var client = api.CreateClient(token: null);
        var response = await client.GetAsync("/health/live", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await ReadJson(response);
        Assert.Equal("Healthy", body.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Ready_reports_postgres_and_redis_healthy()
    {
        using var client = api.CreateClient(token: null);
        var response = await client.GetAsync("/health/ready", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await ReadJson(response);
        Assert.Equal("Healthy", body.GetProperty("checks").GetProperty("postgres").GetString());
        Assert.Equal("Healthy", body.GetProperty("checks").GetProperty("redis").GetString());
        Assert.Equal(0, body.GetProperty("failing").GetArrayLength());
    }

    [Fact]
    public async Task Summary_lists_every_check()
    {
        using var client = api.CreateClient(token: null);
        var body = await ReadJson(await client.GetAsync("/health", TestContext.Current.CancellationToken));

        var checks = body.GetProperty("checks").EnumerateObject().Select(p => p.Name).ToList();
        Assert.Contains("postgres", checks);
        Assert.Contains("redis", checks);
    }

    [Fact]
    public async Task Detailed_requires_an_admin_token()
    {
        using var anonymous = api.CreateClient(token: null);
        using var wrong = api.CreateClient("not-a-valid-token");
        using var service = api.CreateServiceClient();

        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/health/detailed", TestContext.Current.CancellationToken)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await wrong.GetAsync("/health/detailed", TestContext.Current.CancellationToken)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await service.GetAsync("/health/detailed", TestContext.Current.CancellationToken)).StatusCode);
    }

    [Theory]
    [InlineData(ComplianceApiFactory.AdminTokenValue)]
    [InlineData(ComplianceApiFactory.SecondaryAdminToken)]
    public async Task Detailed_shows_versions_latencies_and_uptime_with_either_admin_token(string token)
    {
        using var client = api.CreateClient(token);
        var response = await client.GetAsync("/health/detailed", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await ReadJson(response);
        var postgres = body.GetProperty("dependencies").GetProperty("postgres");
        Assert.Equal("Healthy", postgres.GetProperty("status").GetString());
        Assert.StartsWith("15", postgres.GetProperty("data").GetProperty("version").GetString(), StringComparison.Ordinal);
        Assert.True(postgres.GetProperty("data").GetProperty("latency_ms").GetDouble() >= 0);
        var redis = body.GetProperty("dependencies").GetProperty("redis");
        Assert.Matches(@"^\d+\.\d+", redis.GetProperty("data").GetProperty("version").GetString());
        Assert.True(body.GetProperty("uptimeSeconds").GetDouble() >= 0);
        Assert.False(string.IsNullOrEmpty(body.GetProperty("build").GetString()));
    }

    [Fact]
    public async Task Metrics_expose_request_counts_by_route_and_status_in_prometheus_format()
    {
        using var anonymous = api.CreateClient(token: null);
        await anonymous.GetAsync("/health/live", TestContext.Current.CancellationToken);
        await anonymous.GetAsync("/health/live", TestContext.Current.CancellationToken);

        using var admin = api.CreateAdminClient();
        // The server records a request's duration just after the client has its response: scrape until both show.
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (true)
        {
            var response = await admin.GetAsync("/health/metrics", TestContext.Current.CancellationToken);
            var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.ToString(), StringComparison.Ordinal);
            Assert.Contains("# TYPE http_server_request_duration_seconds histogram", text, StringComparison.Ordinal);
            var liveCounts = text.Split('\n').Where(l =>
                l.StartsWith("http_server_request_duration_seconds_count{", StringComparison.Ordinal) &&
                l.Contains("http_route=\"/health/live\"", StringComparison.Ordinal) &&
                l.Contains("http_request_method=\"GET\"", StringComparison.Ordinal) &&
                l.Contains("http_response_status_code=\"200\"", StringComparison.Ordinal)).ToList();
            // Other tests of this API probe the route with HEAD, DELETE or OPTIONS: those are series of their own.
            Assert.True(liveCounts.Count <= 1, "one series per route, method and status: " + string.Join(" | ", liveCounts));
            var count = liveCounts.Count == 0 ? 0 : double.Parse(liveCounts[0][(liveCounts[0].LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
            if (count >= 2)
            {
                return;
            }
            Assert.True(DateTime.UtcNow < deadline, "GET /health/live counted " + count + " times in:\n" + text);
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
    }

    [Fact]
    public async Task Metrics_are_not_anonymous()
    {
        using var client = api.CreateClient(token: null);
        var response = await client.GetAsync("/health/metrics", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Every_response_carries_the_trace_id()
    {
        using var client = api.CreateClient(token: null);
        var response = await client.GetAsync("/health/live", TestContext.Current.CancellationToken);

        var traceId = Assert.Single(response.Headers.GetValues("X-Trace-Id"));
        Assert.Matches("^[0-9a-f]{32}$", traceId);
    }

    private static async Task<JsonElement> ReadJson(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).RootElement;
}
