using System.Diagnostics;
using System.Text.Json;
using Compliance.Api.Security;
using Compliance.ServiceDefaults.Telemetry;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Compliance.Api.Health;

/// <summary>Health endpoints for Heroku's probes, load balancers and operators.</summary>
public static class HealthApi
{
    /// <summary>Checks tagged with this take part in readiness.</summary>
    public const string ReadyTag = "ready";

    // Probes must answer quickly even when a dependency hangs; 1.5 s leaves room inside a 2 s budget.
    private static readonly TimeSpan CheckTimeout = TimeSpan.FromSeconds(1.5);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = false };

    public static WebApplicationBuilder AddApiHealthChecks(this WebApplicationBuilder builder)
    {
        builder.Services.AddHealthChecks()
            .AddCheck<PostgresHealthCheck>("postgres", HealthStatus.Unhealthy, [ReadyTag], CheckTimeout)
            // Without REDIS_URL the API runs on in-process limits and caches, which is healthy (decided at resolution, from the options).
            .Add(new HealthCheckRegistration("redis", services => Redis.RedisRegistration.IsConfigured(services)
                ? ActivatorUtilities.CreateInstance<RedisHealthCheck>(services)
                : new InProcessStateHealthCheck(), HealthStatus.Unhealthy, [ReadyTag], CheckTimeout))
            // Resolved only when a probe runs: the one-shot commands, which have no retrieval runtime, never run one.
            .AddCheck<IndexHealthCheck>("index", HealthStatus.Unhealthy, [ReadyTag], CheckTimeout)
            .AddCheck<EmbeddingModelHealthCheck>("embedding_model", HealthStatus.Unhealthy, [ReadyTag], CheckTimeout);
        return builder;
    }

    public static IEndpointRouteBuilder MapHealthApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/health").WithTags("Health");

        // Liveness: the process answers. Never touches a dependency, so a database outage doesn't restart dynos.
        group.MapHealthChecks("/live", new HealthCheckOptions
        {
            Predicate = _ => false,
            ResponseWriter = (context, report) => WriteSummaryAsync(context, report),
        }).AllowAnonymous().WithName("HealthLive").WithSummary("Liveness: the process is up.");

        // Readiness and the summary stay anonymous (platform probes send no credentials) and name failing
        // dependencies without internal details; /health/detailed carries the details, for admins.
        group.MapHealthChecks("/ready", new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains(ReadyTag),
            ResponseWriter = (context, report) => WriteSummaryAsync(context, report),
        }).AllowAnonymous().WithName("HealthReady").WithSummary("Readiness: every dependency answers; 503 names what failed.");

        routes.MapHealthChecks("/health", new HealthCheckOptions
        {
            ResponseWriter = (context, report) => WriteSummaryAsync(context, report),
        }).AllowAnonymous().WithTags("Health").WithName("HealthSummary").WithSummary("Summary of every check.");

        group.MapHealthChecks("/detailed", new HealthCheckOptions
        {
            ResponseWriter = WriteDetailedAsync,
        }).RequireAuthorization(ApiPolicies.Admin).WithName("HealthDetailed")
          .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden)
          .WithSummary("Each dependency's status, latency and version, plus uptime and build (admin token).");

        // OpenTelemetry's Prometheus exporter answers the scrape; a GET route of our own around it keeps the admin
        // policy and the OpenAPI description that the package's own MapPrometheusScrapingEndpoint would not carry.
        var scrape = routes.CreateApplicationBuilder().UseOpenTelemetryPrometheusScrapingEndpoint(_ => true).Build();
        group.MapGet("/metrics", async (HttpContext context) =>
            {
                await scrape(context);
                return Results.Empty;
            })
            .Produces(StatusCodes.Status200OK, contentType: "text/plain")
            .RequireAuthorization(ApiPolicies.Admin).WithName("HealthMetrics")
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden)
            .WithSummary("Prometheus text exposition of request and service metrics (admin token).");
        return routes;
    }

    private static Task WriteSummaryAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        var failing = report.Entries.Where(e => e.Value.Status == HealthStatus.Unhealthy).Select(e => e.Key).ToArray();
        var body = new
        {
            status = report.Status.ToString(),
            failing,
            checks = report.Entries.ToDictionary(e => e.Key, e => e.Value.Status.ToString()),
        };
        return context.Response.WriteAsync(JsonSerializer.Serialize(body, Json));
    }

    private static Task WriteDetailedAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        var environment = context.RequestServices.GetRequiredService<IHostEnvironment>();
        var body = new
        {
            status = report.Status.ToString(),
            build = BuildInfo.Version,
            environment = environment.EnvironmentName,
            uptimeSeconds = Math.Round((DateTime.Now - Process.GetCurrentProcess().StartTime).TotalSeconds),
            totalDurationMs = Math.Round(report.TotalDuration.TotalMilliseconds, 1),
            dependencies = report.Entries.ToDictionary(e => e.Key, e => new
            {
                status = e.Value.Status.ToString(),
                description = e.Value.Description,
                durationMs = Math.Round(e.Value.Duration.TotalMilliseconds, 1),
                error = e.Value.Exception is null ? null : Compliance.ServiceDefaults.Redaction.SensitiveDataRedactor.Shared.Redact(e.Value.Exception.Message),
                data = e.Value.Data,
            }),
        };
        return context.Response.WriteAsync(JsonSerializer.Serialize(body, Json));
    }
}
