namespace Compliance.Api.Persistence.Entities;

/// <summary>
/// An administrative or security event (admin action, failed authentication, rate-limit hit, ban, erasure),
/// chained by hash like the query log.
/// </summary>
public sealed class SystemAuditLog
{
    public long Id { get; set; }

    /// <summary>Position in the hash chain; assigned in commit order.</summary>
    public long Sequence { get; set; }

    public DateTimeOffset OccurredAt { get; set; }

    /// <summary>Who acted: a Discord user id, <c>admin</c>, <c>service</c>, <c>system</c> or <c>anonymous</c>.</summary>
    public required string Actor { get; set; }

    /// <summary>A dotted verb such as <c>user.ban</c>, <c>auth.failed</c>, <c>queries.erase</c>.</summary>
    public required string Action { get; set; }

    public string? Target { get; set; }

    /// <summary>Details as JSON.</summary>
    public string? Details { get; set; }

    /// <summary>success, failure or denied.</summary>
    public required string Outcome { get; set; }

    public string? ClientAddress { get; set; }

    // The chain fields are the audit writer's: it computes the content hash and links the record at commit.
    public string ContentHash { get; set; } = string.Empty;

    public string PreviousHash { get; set; } = string.Empty;

    public string Hash { get; set; } = string.Empty;
}
