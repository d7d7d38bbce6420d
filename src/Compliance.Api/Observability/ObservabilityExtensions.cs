using Compliance.ServiceDefaults.Logging;
using Compliance.ServiceDefaults.Telemetry;
using Npgsql;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Serilog;

namespace Compliance.Api.Observability;

public static class ObservabilityExtensions
{
    /// <summary>
    /// Serilog (redacted; compact JSON in production), OpenTelemetry traces and metrics for ASP.NET Core, HttpClient,
    /// the runtime and Npgsql, and the Prometheus exporter (scraped at <c>/health/metrics</c>, mapped by the health API).
    /// </summary>
    public static WebApplicationBuilder AddApiObservability(this WebApplicationBuilder builder)
    {
        builder.AddServiceLogging();
        builder.AddServiceTelemetry("compliance-api",
            tracing: traces => traces
                .AddAspNetCoreInstrumentation(options =>
                {
                    // The span keeps the route template (http.route); the raw path can hold e-mail addresses or
                    // user text, so it is not exported.
                    options.EnrichWithHttpRequest = (activity, _) => activity.SetTag("url.path", null);
                    options.EnrichWithHttpResponse = (activity, _) => activity.SetTag("url.path", null);
                })
                .AddNpgsql()
                .AddRedisWhenConfigured(builder.Configuration["REDIS_URL"]),
            metrics: meters => meters
                .AddAspNetCoreInstrumentation()
                .AddNpgsqlInstrumentation()
                // No scrape cache: a scrape right after a request must count it (operators and tests rely on it).
                .AddPrometheusExporter(options => options.ScrapeResponseCacheDurationMilliseconds = 0));
        return builder;
    }

    // Redis commands become spans on the API's one shared connection. Only with REDIS_URL: without it no connection
    // exists, and resolving one would fail (the instrumentation takes the multiplexer from the container).
    private static TracerProviderBuilder AddRedisWhenConfigured(this TracerProviderBuilder traces, string? redisUrl) =>
        string.IsNullOrWhiteSpace(redisUrl) ? traces : traces.AddRedisInstrumentation();

    /// <summary>
    /// The request log line and the <c>X-Trace-Id</c> header, outermost so they see the status the client got
    /// (after the exception handler and the hardening middleware have had their say).
    /// </summary>
    public static WebApplication UseApiObservability(this WebApplication app)
    {
        app.Use(RequestLog.AddTraceIdHeader);
        app.UseSerilogRequestLogging(options => RequestLog.Configure(options, app.Services));
        return app;
    }
}
