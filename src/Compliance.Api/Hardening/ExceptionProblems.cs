using Compliance.Api.Audit;
using Compliance.Contracts.Common;
using Microsoft.AspNetCore.Diagnostics;
using StackExchange.Redis;

namespace Compliance.Api.Hardening;

/// <summary>
/// Turns exceptions that are not bugs into the problem a client can act on: a database or Redis outage is 503 with
/// <c>Retry-After</c>; a malformed request the framework rejected is its 4xx. Everything else falls through to the
/// default handler, which answers 500 with a problem that names no exception and carries no stack trace (the log,
/// matched by trace id, has the details).
/// </summary>
internal sealed class ExceptionProblems(IProblemDetailsService problems, ILogger<ExceptionProblems> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(exception);
        int status;
        string type, title, detail;
        if (exception is BadHttpRequestException bad)
        {
            (status, type, title, detail) = (bad.StatusCode, bad.StatusCode == StatusCodes.Status413PayloadTooLarge ? ProblemTypes.PayloadTooLarge : ProblemTypes.Validation,
                "The request could not be read", bad.StatusCode == StatusCodes.Status413PayloadTooLarge ? "The request body is too large." : "The request is malformed.");
        }
        else if (IsDependencyOutage(exception))
        {
            logger.LogWarning("A dependency is unavailable ({Exception}); answered 503", exception.GetType().Name);
            (status, type, title, detail) = (StatusCodes.Status503ServiceUnavailable, ProblemTypes.DependencyUnavailable, "Temporarily unavailable",
                "A service the assistant depends on is unavailable. Please try again in a minute.");
            context.Response.Headers.RetryAfter = "30";
        }
        else
        {
            return false;
        }
        context.Response.StatusCode = status;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = { Status = status, Type = type, Title = title, Detail = detail },
        });
    }

    /// <summary>Postgres or Redis is down or unreachable: a passing outage the client should retry, not a bug.</summary>
    internal static bool IsDependencyOutage(Exception exception) =>
        AuditFlusher.IsDatabaseUnavailable(exception) || exception is RedisException;
}
