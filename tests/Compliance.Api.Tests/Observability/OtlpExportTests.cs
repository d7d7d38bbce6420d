using System.Collections.Concurrent;
using System.Text;
using Compliance.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Compliance.Api.Tests.Observability;

/// <summary>Traces reach an OTLP collector when OTEL_EXPORTER_OTLP_ENDPOINT is set (a fake collector on loopback).</summary>
public sealed class OtlpExportTests
{
    [Fact]
    public async Task Request_spans_are_exported_over_otlp_http_with_the_service_name()
    {
        var received = new ConcurrentQueue<(string Path, byte[] Body)>();
        var collectorBuilder = WebApplication.CreateSlimBuilder();
        collectorBuilder.WebHost.UseUrls("http://127.0.0.1:0");
        collectorBuilder.Logging.ClearProviders();
        await using var collector = collectorBuilder.Build();
        collector.MapPost("/v1/{signal}", async (HttpContext context) =>
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            received.Enqueue((context.Request.Path, body.ToArray()));
            return Results.Ok();
        });
        await collector.StartAsync(TestContext.Current.CancellationToken);
        var endpoint = collector.Urls.Single();

        await using (var api = new ComplianceApiFactory()
            .WithSetting("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint)
            .WithSetting("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf"))
        {
            await api.InitializeAsync();
            using var client = api.CreateClient(token: null);
            var response = await client.GetAsync("/health/live", TestContext.Current.CancellationToken);
            Assert.True(response.IsSuccessStatusCode);
            // Raw paths can carry personal data: spans keep the route template only.
            await client.GetAsync("/health/live/jane.doe@example.com", TestContext.Current.CancellationToken);
        } // disposing the API flushes the exporters

        var traces = received.Where(r => r.Path == "/v1/traces").ToList();
        Assert.NotEmpty(traces);
        var payload = Encoding.UTF8.GetString(traces.SelectMany(t => t.Body).ToArray());
        Assert.Contains("compliance-api", payload, StringComparison.Ordinal);
        Assert.Contains("/health/live", payload, StringComparison.Ordinal);
        Assert.DoesNotContain("jane.doe", payload, StringComparison.Ordinal);
    }
}
