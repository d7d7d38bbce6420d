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
                .AddNpgsql(),
                // TODO(redis): add .AddRedisInstrumentation() (OpenTelemetry.Instrumentation.StackExchangeRedis
                // 1.20.1-beta.1) once StackExchange.Redis 3 is in: the package needs SE.Redis 2+ and does not build
                // against 1.2.6 (see docs/stand-ins.md).
            metrics: meters => meters
                .AddAspNetCoreInstrumentation()
                .AddNpgsqlInstrumentation()
                // No scrape cache: a scrape right after a request must count it (operators and tests rely on it).
                .AddPrometheusExporter(options => options.ScrapeResponseCacheDurationMilliseconds = 0));
        return builder;
    }

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
