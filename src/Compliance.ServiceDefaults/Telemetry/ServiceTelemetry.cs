using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Reflection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry;
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
/// OpenTelemetry without the hosting package (not in the mirror): providers are built with the SDK's builders,
/// held as singletons, started by a hosted service and disposed with the container. Traces and metrics are always
/// collected in-process (trace ids for response headers, metrics for /health/metrics); OTLP export is added only
/// when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set.
/// </summary>
public static class ServiceTelemetry
{
    public static IServiceCollection AddServiceTelemetry(
        this IServiceCollection services,
        IConfiguration configuration,
        string serviceName,
        IEnumerable<string> activitySources,
        IEnumerable<string> meters)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var exportEndpoint = configuration["OTEL_EXPORTER_OTLP_ENDPOINT"];
        if (!string.IsNullOrWhiteSpace(exportEndpoint) && !Uri.TryCreate(exportEndpoint, UriKind.Absolute, out _))
        {
            throw new Configuration.StartupConfigurationException("OTEL_EXPORTER_OTLP_ENDPOINT",
                $"is '{exportEndpoint}', which is not an absolute URL.");
        }

        var export = !string.IsNullOrWhiteSpace(exportEndpoint);
        var protocol = ParseProtocol(configuration["OTEL_EXPORTER_OTLP_PROTOCOL"]);
        var name = configuration["OTEL_SERVICE_NAME"] is { Length: > 0 } configured ? configured : serviceName;
        var resource = ResourceBuilder.CreateDefault().AddService(name, serviceVersion: BuildInfo.Version);
        var sources = activitySources.Append(ComplianceDiagnostics.SourceName).Distinct().ToArray();
        var meterNames = meters.Append(ComplianceDiagnostics.SourceName).Distinct().ToArray();

        services.AddSingleton(_ =>
        {
            var builder = Sdk.CreateTracerProviderBuilder().SetResourceBuilder(resource).AddSource(sources);
            if (export)
            {
                builder.AddOtlpExporter(o => Configure(o, exportEndpoint!, protocol, "v1/traces"));
            }
            return builder.Build();
        });
        services.AddSingleton(_ =>
        {
            var builder = Sdk.CreateMeterProviderBuilder().SetResourceBuilder(resource).AddMeter(meterNames);
            if (export)
            {
                builder.AddOtlpExporter(o => Configure(o, exportEndpoint!, protocol, "v1/metrics"));
            }
            return builder.Build();
        });
        services.AddHostedService<TelemetryStarter>();
        return services;
    }

    // Options are set from IConfiguration, not left to the exporter's own reading of process environment variables,
    // so .env files and test hosts configure export the same way as the platform does.
    private static void Configure(OpenTelemetry.Exporter.OtlpExporterOptions options, string endpoint, OpenTelemetry.Exporter.OtlpExportProtocol protocol, string signalPath)
    {
        options.Protocol = protocol;
        var baseUri = endpoint.TrimEnd('/');
        // With http/protobuf each signal has its own path under the base endpoint; gRPC uses the endpoint as is.
        options.Endpoint = new Uri(protocol == OpenTelemetry.Exporter.OtlpExportProtocol.HttpProtobuf ? $"{baseUri}/{signalPath}" : baseUri);
    }

    private static OpenTelemetry.Exporter.OtlpExportProtocol ParseProtocol(string? value) => value?.Trim().ToLowerInvariant() switch
    {
        null or "" or "grpc" => OpenTelemetry.Exporter.OtlpExportProtocol.Grpc,
        "http/protobuf" => OpenTelemetry.Exporter.OtlpExportProtocol.HttpProtobuf,
        _ => throw new Configuration.StartupConfigurationException("OTEL_EXPORTER_OTLP_PROTOCOL", $"is '{value}'; expected grpc or http/protobuf."),
    };

    /// <summary>Resolves the providers at start so listening begins before the first request, not on first use.</summary>
    private sealed class TelemetryStarter(TracerProvider tracer, MeterProvider meter) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            GC.KeepAlive(tracer);
            GC.KeepAlive(meter);
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken)
        {
            // Flush what is buffered for the exporter; disposal happens with the container.
            tracer.ForceFlush(2000);
            meter.ForceFlush(2000);
            return Task.CompletedTask;
        }
    }
}
