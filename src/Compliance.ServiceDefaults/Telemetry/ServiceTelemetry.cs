using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Reflection;
using Compliance.ServiceDefaults.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Compliance.ServiceDefaults.Telemetry;

/// <summary>The project's own trace source and meter; every library and deployable records under these names.</summary>
public static class ComplianceDiagnostics
{
    public const string SourceName = "Compliance";

    public static readonly ActivitySource ActivitySource = new(SourceName, BuildInfo.Version);

    public static readonly Meter Meter = new(SourceName, BuildInfo.Version);
}

/// <summary>The running build's version, for health output and telemetry resources.</summary>
public static class BuildInfo
{
    public static string Version { get; } =
        typeof(BuildInfo).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? "0.0.0";
}

/// <summary>
/// OpenTelemetry through its hosting package: traces and metrics are always collected in-process (trace ids for
/// response headers and logs, metrics for scraping) with the project's source and meter, HttpClient and runtime
/// instrumentation; each deployable adds its own. OTLP export is added only when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>
/// is set.
/// </summary>
public static class ServiceTelemetry
{
    public static TBuilder AddServiceTelemetry<TBuilder>(
        this TBuilder builder,
        string serviceName,
        Action<TracerProviderBuilder>? tracing = null,
        Action<MeterProviderBuilder>? metrics = null)
        where TBuilder : IHostApplicationBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        var configuration = builder.Configuration;
        // Read from IConfiguration (not left to the exporter's own reading of process variables) and checked now, so
        // .env files and test hosts configure export the way the platform does and a typo is a start-up error.
        var exportEndpoint = configuration["OTEL_EXPORTER_OTLP_ENDPOINT"];
        Uri? endpoint = null;
        if (!string.IsNullOrWhiteSpace(exportEndpoint) && !Uri.TryCreate(exportEndpoint, UriKind.Absolute, out endpoint))
        {
            throw new StartupConfigurationException("OTEL_EXPORTER_OTLP_ENDPOINT",
                $"is '{exportEndpoint}', which is not an absolute URL.");
        }
        var protocol = ParseProtocol(configuration["OTEL_EXPORTER_OTLP_PROTOCOL"]);
        var name = configuration["OTEL_SERVICE_NAME"] is { Length: > 0 } configured ? configured : serviceName;

        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(name, serviceVersion: BuildInfo.Version))
            .WithTracing(traces =>
            {
                traces.AddSource(ComplianceDiagnostics.SourceName).AddHttpClientInstrumentation();
                tracing?.Invoke(traces);
            })
            .WithMetrics(meters =>
            {
                meters.AddMeter(ComplianceDiagnostics.SourceName).AddHttpClientInstrumentation().AddRuntimeInstrumentation();
                metrics?.Invoke(meters);
            });
        if (endpoint is not null)
        {
            // With http/protobuf the exporter appends each signal's path (/v1/traces, /v1/metrics) to this base.
            telemetry.UseOtlpExporter(protocol, endpoint);
        }
        return builder;
    }

    private static OtlpExportProtocol ParseProtocol(string? value) => value?.Trim().ToLowerInvariant() switch
    {
        null or "" or "grpc" => OtlpExportProtocol.Grpc,
        "http/protobuf" => OtlpExportProtocol.HttpProtobuf,
        _ => throw new StartupConfigurationException("OTEL_EXPORTER_OTLP_PROTOCOL", $"is '{value}'; expected grpc or http/protobuf."),
    };
}
