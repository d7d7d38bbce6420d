using System.Collections.Concurrent;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;

namespace Compliance.Api.Audit;

/// <summary>
/// Records refused requests (401 no or wrong token, 403 wrong role) in the system audit log, then lets the default
/// handler answer exactly as before. Missing and wrong tokens take the same path and the same time (recording is an
/// in-memory enqueue). To keep a flood of bad requests from flooding the audit trail, each client address gets at
/// most <see cref="PerAddressPerMinute"/> records a minute; the next record after a quiet spell says how many were skipped.
/// </summary>
internal sealed class AuditingAuthorizationResultHandler(SystemAuditWriter audit, TimeProvider clock) : IAuthorizationMiddlewareResultHandler
{
    public const int PerAddressPerMinute = 20;

    private readonly AuthorizationMiddlewareResultHandler _default = new();
    private readonly ConcurrentDictionary<string, Window> _windows = new(StringComparer.Ordinal);

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(authorizeResult);
        if (authorizeResult.Challenged || authorizeResult.Forbidden)
        {
            var address = AuditActors.ClientAddress(context) ?? "unknown";
            if (Admit(address) is { } skipped)
            {
                var route = (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? "(unmatched)";
                var presented = context.Request.Headers.Authorization.Count > 0;
                await audit.RecordAsync(AuditActors.Of(context), authorizeResult.Challenged ? "auth.failed" : "auth.forbidden",
                    $"{context.Request.Method} {route}",
                    new { reason = authorizeResult.Challenged ? (presented ? "invalid_token" : "missing_token") : "insufficient_role", skipped },
                    AuditOutcomes.Denied, address, CancellationToken.None);
            }
        }
        await _default.HandleAsync(next, context, policy, authorizeResult);
    }

    /// <summary>Null when this address is over its budget; otherwise how many records were skipped before this one.</summary>
    private int? Admit(string address)
    {
        var minute = clock.GetUtcNow().ToUnixTimeSeconds() / 60;
        if (_windows.Count > 10_000)
        {
            foreach (var stale in _windows.Where(w => w.Value.Minute < minute).Select(w => w.Key).ToList())
            {
                _windows.TryRemove(stale, out _);
            }
        }
        var window = _windows.GetOrAdd(address, _ => new Window());
        lock (window)
        {
            if (window.Minute != minute)
            {
                window.Minute = minute;
                window.Count = 0;
            }
            if (++window.Count > PerAddressPerMinute)
            {
                window.Skipped++;
                return null;
            }
            var skipped = window.Skipped;
            window.Skipped = 0;
            return skipped;
        }
    }

    private sealed class Window
    {
        public long Minute;
        public int Count;
        public int Skipped;
    }
}
