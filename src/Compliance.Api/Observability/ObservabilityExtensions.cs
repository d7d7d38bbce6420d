using Compliance.ServiceDefaults.Logging;
using Compliance.ServiceDefaults.Telemetry;

namespace Compliance.Api.Observability;

public static class ObservabilityExtensions
{
    /// <summary>Serilog (redacted; JSON in production), OpenTelemetry traces and metrics, and the Prometheus collector.</summary>
    public static WebApplicationBuilder AddApiObservability(this WebApplicationBuilder builder)
    {
        builder.Logging.AddServiceLogging(builder.Configuration, builder.Environment.IsDevelopment());
        builder.Services.AddServiceTelemetry(builder.Configuration, "compliance-api",
            activitySources: ["Microsoft.AspNetCore", "System.Net.Http", "Npgsql"],
            meters: PrometheusMetrics.MeterNames);
        builder.Services.AddSingleton<PrometheusMetrics>();
        return builder;
    }
}
