using Compliance.Api.Hardening;
using Compliance.Contracts.Documents;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Compliance.Api.Audit;

/// <summary>The audit action (<c>document.upload</c>) a route records; set with <see cref="AdminAudit.Audited"/>.</summary>
public sealed record AuditActionMetadata(string Action);

/// <summary>
/// The record of an admin change: the <c>/admin</c> group (<see cref="AdminAuditConventions.AuditChanges"/>) writes one for every
/// non-GET call, success or failure. A handler that has more to say (what a role changed from and to) says it with
/// <see cref="Describe"/>; one that must read its own record back (the review queue) writes it at once with
/// <see cref="RecordNowAsync"/>, and the filter then adds nothing.
/// </summary>
public static class AdminAudit
{
    /// <summary>Names the route's audit action; without it the filter records <c>METHOD /route</c>.</summary>
    public static RouteHandlerBuilder Audited(this RouteHandlerBuilder builder, string action) =>
        builder.WithMetadata(new AuditActionMetadata(action));

    /// <summary>Sets the action, target and details the filter records for this request (any may be null: the defaults stay).</summary>
    public static void Describe(HttpContext context, string? action, string? target, object? details) =>
        Pending(context).Set(action, target, details);

    /// <summary>Records now (the caller needs the key to wait on); the filter records nothing more for this request.</summary>
    public static async ValueTask<Guid> RecordNowAsync(HttpContext context, string action, string? target, object? details, string outcome)
    {
        ArgumentNullException.ThrowIfNull(context);
        var key = await context.RequestServices.GetRequiredService<SystemAuditWriter>().RecordAsync(context, action, target, details, outcome);
        Pending(context).Recorded = true;
        return key;
    }

    internal static PendingAdminRecord Pending(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Features.Get<PendingAdminRecord>() is not { } pending)
        {
            pending = new PendingAdminRecord();
            context.Features.Set(pending);
        }
        return pending;
    }
}

/// <summary>What the handler (and its result) said about this request's audit record.</summary>
internal sealed class PendingAdminRecord
{
    public string? Action { get; private set; }
    public string? Target { get; private set; }
    public object? Details { get; private set; }
    public string? ProblemType { get; set; }
    public string? CreatedId { get; set; }
    public bool Recorded { get; set; }

    public void Set(string? action, string? target, object? details)
    {
        Action = action ?? Action;
        Target = target ?? Target;
        Details = details ?? Details;
    }
}

/// <summary>
/// Audits every non-GET call in the <c>/admin</c> group — uploads, deletes and re-indexes included — with actor,
/// action, target and outcome, whether the handler succeeded, answered a 4xx or threw. Two hooks, because minimal
/// APIs answer a body they cannot bind (malformed JSON, 413) before any endpoint filter runs: the endpoint filter
/// notes what the handler's result says (problem type, the id it created); the wrapped request delegate, around
/// binding and all, writes the record with the status the client got. (Refused calls, 401/403, never reach the
/// endpoint; <see cref="AuditingAuthorizationResultHandler"/> records those.)
/// </summary>
public static class AdminAuditConventions
{
    /// <summary>Audits every non-GET endpoint of <paramref name="group"/>.</summary>
    public static RouteGroupBuilder AuditChanges(this RouteGroupBuilder group)
    {
        ArgumentNullException.ThrowIfNull(group);
        group.AddEndpointFilter<AdminAuditFilter>();
        ((IEndpointConventionBuilder)group).Finally(endpoint =>
        {
            var methods = endpoint.Metadata.OfType<HttpMethodMetadata>().LastOrDefault()?.HttpMethods ?? [];
            if (endpoint.RequestDelegate is { } inner && !methods.All(m => HttpMethods.IsGet(m) || HttpMethods.IsHead(m)))
            {
                endpoint.RequestDelegate = context => AdminAuditFilter.AuditAsync(context, inner);
            }
        });
        return group;
    }
}

internal sealed class AdminAuditFilter : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var result = await next(context);
        var pending = AdminAudit.Pending(context.HttpContext);
        var inner = result;
        while (inner is INestedHttpResult nested)
        {
            inner = nested.Result;
        }
        pending.ProblemType = inner is ProblemHttpResult problem ? problem.ProblemDetails.Type : null;
        pending.CreatedId = inner is IValueHttpResult { Value: var value } ? value switch
        {
            DocumentResponse document => document.Id.ToString(),
            JobResponse job => job.Id.ToString(),
            _ => null,
        } : null;
        return result;
    }

    /// <summary>Runs the endpoint, then records the call (also when it threw, with the status the client will get).</summary>
    internal static async Task AuditAsync(HttpContext context, RequestDelegate endpoint)
    {
        try
        {
            await endpoint(context);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !context.RequestAborted.IsCancellationRequested)
        {
            await RecordAsync(context, StatusOf(ex));
            throw;
        }
        await RecordAsync(context, context.Response.StatusCode);
    }

    private static async Task RecordAsync(HttpContext http, int status)
    {
        var pending = AdminAudit.Pending(http);
        if (pending.Recorded)
        {
            return;
        }
        var endpoint = http.GetEndpoint();
        var action = pending.Action ?? endpoint?.Metadata.GetMetadata<AuditActionMetadata>()?.Action
            ?? $"{http.Request.Method} {(endpoint as RouteEndpoint)?.RoutePattern.RawText}";
        var target = pending.Target ?? DefaultTarget(http) ?? pending.CreatedId;
        var outcome = status switch
        {
            < 400 => AuditOutcomes.Success,
            StatusCodes.Status401Unauthorized or StatusCodes.Status403Forbidden => AuditOutcomes.Denied,
            _ => AuditOutcomes.Failure,
        };
        // Successes carry the handler's details; failures say what went wrong (status and problem type, never the input).
        var details = outcome == AuditOutcomes.Success ? pending.Details : new { status, problemType = pending.ProblemType, handler = pending.Details };
        var audit = http.RequestServices.GetRequiredService<SystemAuditWriter>();
        await audit.RecordAsync(AuditActors.Of(http), action, target, details, outcome, AuditActors.ClientAddress(http), CancellationToken.None);
        pending.Recorded = true;
    }

    /// <summary>The route's subject: a Discord user as <c>discord:ID</c>, else the id in the route.</summary>
    private static string? DefaultTarget(HttpContext http)
    {
        var values = http.Request.RouteValues;
        if (values.TryGetValue("userId", out var user) && user is string userId)
        {
            return "discord:" + userId;
        }
        foreach (var key in (string[])["id", "jobId"])
        {
            if (values.TryGetValue(key, out var value) && value?.ToString() is { Length: > 0 } text)
            {
                return text;
            }
        }
        return null;
    }

    private static int StatusOf(Exception ex) => ex switch
    {
        BadHttpRequestException bad => bad.StatusCode,
        _ when ExceptionProblems.IsDependencyOutage(ex) => StatusCodes.Status503ServiceUnavailable,
        _ => StatusCodes.Status500InternalServerError,
    };
}
