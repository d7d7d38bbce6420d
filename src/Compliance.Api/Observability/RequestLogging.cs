using System.Diagnostics;

namespace Compliance.Api.Observability;

/// <summary>
/// One log line per request: method, route template, status, duration and trace id. The route template (not the
/// raw path) is logged so ids and user text in URLs never reach the logs. The trace id is also returned in the
/// <c>X-Trace-Id</c> response header so a user's report can be matched to the trace.
/// </summary>
public sealed class RequestLoggingMiddleware(RequestDelegate next, ILogger<RequestLoggingMiddleware> logger)
{
    public const string TraceIdHeader = "X-Trace-Id";

    public async Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var started = Stopwatch.GetTimestamp();
        var traceId = Activity.Current?.TraceId.ToHexString() ?? context.TraceIdentifier;
        context.Response.OnStarting(() =>
        {
            context.Response.Headers[TraceIdHeader] = traceId;
            return Task.CompletedTask;
        });

        try
        {
            await next(context);
        }
        finally
        {
            var route = (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? "(unmatched)";
            var status = context.RequestAborted.IsCancellationRequested && !context.Response.HasStarted ? 499 : context.Response.StatusCode;
            TagRequestSpan(Activity.Current, context.Request.Method, route, status);
            var level = status >= 500 ? LogLevel.Error : LogLevel.Information;
            logger.Log(level, "HTTP {Method} {Route} responded {StatusCode} in {ElapsedMs:0.0} ms (trace {TraceId})",
                context.Request.Method, route, status, Stopwatch.GetElapsedTime(started).TotalMilliseconds, traceId);
        }
    }

    /// <summary>
    /// The semantic-convention tags OpenTelemetry's ASP.NET Core instrumentation would add (that package is not in
    /// the mirror): span name "METHOD route", method, route template and status. The raw path is left out on purpose.
    /// </summary>
    private static void TagRequestSpan(Activity? activity, string method, string route, int status)
    {
        if (activity is null || !activity.IsAllDataRequested)
        {
            return;
        }
        activity.DisplayName = $"{method} {route}";
        activity.SetTag("http.request.method", method);
        activity.SetTag("http.route", route);
        activity.SetTag("http.response.status_code", status);
        if (status >= 500)
        {
            activity.SetStatus(ActivityStatusCode.Error);
        }
    }
}
