using Compliance.Api.Observability;
using Compliance.Api.Tests.Infrastructure;

namespace Compliance.Api.Tests.Observability;

public sealed class RequestLoggingTests(ComplianceApiFactory api) : IClassFixture<ComplianceApiFactory>
{
    [Fact]
    public async Task Each_request_gets_one_line_with_method_route_status_duration_and_trace_id()
    {
        using var client = api.CreateClient(token: null);
        var response = await client.GetAsync("/health/live", TestContext.Current.CancellationToken);
        var traceId = response.Headers.GetValues(RequestLog.TraceIdHeader).Single();

        var line = Assert.Single(RequestLines(), l => Equals(l.Properties["TraceId"], traceId));
        Assert.Equal("GET", line.Properties["Method"]);
        Assert.Equal("/health/live", line.Properties["Route"]);
        Assert.Equal(200, line.Properties["StatusCode"]);
        Assert.IsType<double>(line.Properties["ElapsedMs"]);
    }

    [Fact]
    public async Task Raw_paths_never_reach_the_log_only_route_templates()
    {
        using var client = api.CreateClient(token: null);
        var response = await client.GetAsync("/api/v1/unknown/jane.doe@example.com", TestContext.Current.CancellationToken);
        var traceId = response.Headers.GetValues(RequestLog.TraceIdHeader).Single();

        var line = Assert.Single(RequestLines(), l => Equals(l.Properties["TraceId"], traceId));
        Assert.Equal(404, line.Properties["StatusCode"]);
        Assert.Equal(RequestLog.UnmatchedRoute, line.Properties["Route"]);
        Assert.DoesNotContain(api.Logs.Entries, e => e.Message.Contains("jane.doe", StringComparison.Ordinal));
    }

    private IEnumerable<CapturedLog> RequestLines() =>
        api.Logs.Entries.Where(e => e.Category == RequestLog.Category);
}
