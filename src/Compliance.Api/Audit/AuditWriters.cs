using System.Text.Json;
using Compliance.Api.Persistence.Entities;

namespace Compliance.Api.Audit;

/// <summary>Outcomes a system audit record carries.</summary>
public static class AuditOutcomes
{
    public const string Success = "success";
    public const string Failure = "failure";
    public const string Denied = "denied";
}

/// <summary>
/// Appends questions to the query-log hash chain. <see cref="AppendAsync"/> normalises the record, computes its
/// content hash and queues it: it returns at once, and the record reaches Postgres in the background (or the outbox
/// during an outage). Sequence, previous hash and hash are assigned when it is committed.
/// </summary>
public sealed class QueryLogWriter(AuditBacklog queue, TimeProvider clock)
{
    /// <summary>
    /// Queues <paramref name="log"/>. An empty <see cref="QueryLog.Id"/> gets a new (time-ordered) id and a default
    /// <see cref="QueryLog.CreatedAt"/> the current time. <c>ContentHash</c>, <c>PreviousHash</c> and <c>Hash</c> are
    /// this writer's: whatever the caller left there is replaced, here and at commit. The object is normalised in place (as
    /// Postgres will store it) and copied; later changes to it are not recorded.
    /// </summary>
    public async ValueTask AppendAsync(QueryLog log, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(log);
        if (log.Id == Guid.Empty)
        {
            log.Id = Guid.CreateVersion7(clock.GetUtcNow());
        }
        if (log.CreatedAt == default)
        {
            log.CreatedAt = clock.GetUtcNow();
        }
        CanonicalForm.Normalise(log);
        log.ContentHash = CanonicalForm.ContentHash(log);
        log.PreviousHash = string.Empty;
        log.Hash = string.Empty;
        await queue.EnqueueAsync(AuditEntry.For(log), cancellationToken);
    }

    /// <summary>Waits, at most <paramref name="timeout"/>, until the query is in Postgres; false if it is still waiting.</summary>
    public Task<bool> WaitUntilStoredAsync(Guid queryId, TimeSpan timeout, CancellationToken cancellationToken) =>
        queue.WaitUntilStoredAsync(queryId, timeout, cancellationToken);
}

/// <summary>
/// Records administrative and security events in the system audit hash chain, without making the request wait
/// for Postgres (see <see cref="QueryLogWriter"/>).
/// </summary>
public sealed class SystemAuditWriter(AuditBacklog queue, TimeProvider clock)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>
    /// Queues one event. <paramref name="actor"/> is who acted (<c>admin</c>, <c>service</c>, <c>discord:ID</c>,
    /// <c>anonymous</c>, <c>system</c>); <paramref name="action"/> a dotted verb (<c>user.ban</c>);
    /// <paramref name="details"/> any object, stored as JSON. Returns a key to wait on with <see cref="WaitUntilStoredAsync"/>.
    /// </summary>
    public async ValueTask<Guid> RecordAsync(string actor, string action, string? target, object? details, string outcome,
        string? clientAddress, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(actor);
        ArgumentException.ThrowIfNullOrWhiteSpace(action);
        ArgumentException.ThrowIfNullOrWhiteSpace(outcome);
        var entry = new SystemAuditLog
        {
            OccurredAt = clock.GetUtcNow(),
            Actor = actor,
            Action = action,
            Target = target,
            Details = details switch
            {
                null => null,
                string text => text,
                _ => JsonSerializer.Serialize(details, details.GetType(), Json),
            },
            Outcome = outcome,
            ClientAddress = clientAddress,
        };
        CanonicalForm.Normalise(entry);
        entry.ContentHash = CanonicalForm.ContentHash(entry);
        var key = Guid.CreateVersion7(entry.OccurredAt);
        await queue.EnqueueAsync(AuditEntry.For(entry, key), cancellationToken);
        return key;
    }

    /// <summary>Records an event about the current request: actor and client address come from <paramref name="context"/>.</summary>
    public ValueTask<Guid> RecordAsync(HttpContext context, string action, string? target, object? details, string outcome)
    {
        ArgumentNullException.ThrowIfNull(context);
        return RecordAsync(AuditActors.Of(context), action, target, details, outcome, AuditActors.ClientAddress(context), context.RequestAborted);
    }

    /// <summary>Waits, at most <paramref name="timeout"/>, until the event is in Postgres; false if it is still waiting.</summary>
    public Task<bool> WaitUntilStoredAsync(Guid key, TimeSpan timeout, CancellationToken cancellationToken) =>
        queue.WaitUntilStoredAsync(key, timeout, cancellationToken);
}

/// <summary>How the audit trail names who made a request.</summary>
public static class AuditActors
{
    /// <summary>The HTTP item where an authenticated Discord user (from the database) is noted for the audit trail.</summary>
    public const string DiscordUserItem = "audit.discordUser";

    /// <summary><c>discord:ID</c> when a Discord user acts through the bot with a database role, else the token's role, else <c>anonymous</c>.</summary>
    public static string Of(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Items[DiscordUserItem] is string discordUser)
        {
            return "discord:" + discordUser;
        }
        return context.User.Identity is { IsAuthenticated: true, Name: { Length: > 0 } name } ? name : "anonymous";
    }

    /// <summary>The peer address as Kestrel saw it.</summary>
    public static string? ClientAddress(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var address = context.Connection.RemoteIpAddress;
        return address is null ? null : (address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address).ToString();
    }
}
