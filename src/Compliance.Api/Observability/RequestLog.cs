using System.Diagnostics;
using Microsoft.AspNetCore.Diagnostics;
using Serilog.AspNetCore;
using Serilog.Events;

namespace Compliance.Api.Observability;

/// <summary>
/// One log line per request (Serilog's request logging): method, route template, status, duration and trace id.
/// The route template, not the raw path, is logged so ids and user text in URLs never reach the logs. The trace id
/// is also returned in the <c>X-Trace-Id</c> response header so a user's report can be matched to the trace.
/// </summary>
public static class RequestLog
{
    public const string TraceIdHeader = "X-Trace-Id";

    /// <summary>The category (Serilog source context) of the request lines.</summary>
    public const string Category = "Serilog.AspNetCore.RequestLoggingMiddleware";

    /// <summary>Shown for requests no endpoint matched (404s, probes of random paths).</summary>
    public const string UnmatchedRoute = "(unmatched)";

    private const string Template = "HTTP {Method} {Route} responded {StatusCode} in {ElapsedMs:0.0} ms (trace {TraceId})";

    /// <summary>
    /// Outermost in the pipeline (see <see cref="ObservabilityExtensions.UseApiObservability"/>): it runs after the
    /// exception handler has turned an exception into its problem response, so the status logged is the one the
    /// client got (500, or 503 for an outage), never the 200 a response starts with.
    /// </summary>
    public static void Configure(RequestLoggingOptions options, IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(options);
        // This host's logger, not the process-wide static one (tests run several hosts in one process).
        options.Logger = services.GetRequiredService<Serilog.ILogger>();
        options.MessageTemplate = Template;
        // Replaces the package's properties, whose RequestPath is the raw path.
        options.GetMessageTemplateProperties = (context, _, elapsedMs, status) =>
        [
            new LogEventProperty("Method", new ScalarValue(context.Request.Method)),
            new LogEventProperty("Route", new ScalarValue(RouteOf(context))),
            new LogEventProperty("StatusCode", new ScalarValue(StatusOf(context, status))),
            new LogEventProperty("ElapsedMs", new ScalarValue(elapsedMs)),
            new LogEventProperty("TraceId", new ScalarValue(TraceIdOf(context))),
        ];
    }

    /// <summary>Adds <c>X-Trace-Id</c> to every response, problem responses included.</summary>
    public static Task AddTraceIdHeader(HttpContext context, RequestDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var traceId = TraceIdOf(context);
        context.Response.OnStarting(() =>
        {
            context.Response.Headers[TraceIdHeader] = traceId;
            return Task.CompletedTask;
        });
        return next(context);
    }

    private static string TraceIdOf(HttpContext context) => Activity.Current?.TraceId.ToHexString() ?? context.TraceIdentifier;

    // The exception handler clears the endpoint before writing its problem response; its feature keeps the original.
    private static string RouteOf(HttpContext context) =>
        ((context.GetEndpoint() ?? context.Features.Get<IExceptionHandlerFeature>()?.Endpoint) as RouteEndpoint)?.RoutePattern.RawText
        ?? UnmatchedRoute;

    // A client that went away before any response byte was sent got nothing: nginx's 499 says so.
    private static int StatusOf(HttpContext context, int status) =>
        context.RequestAborted.IsCancellationRequested && !context.Response.HasStarted ? 499 : status;
}
