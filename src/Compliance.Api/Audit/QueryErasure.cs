using Compliance.Api.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Compliance.Api.Audit;

/// <summary>What an erasure removed.</summary>
public sealed record ErasureResult(string UserId, int QueriesErased, int FeedbackCommentsErased, DateTimeOffset ErasedAt);

/// <summary>
/// GDPR erasure of one Discord user's content: questions, answers and retrieval diagnostics of every query, comments
/// of every rating, and the stored names. Each query keeps its content hash, so the chain still verifies; the
/// metadata an auditor needs (when, status, model, cost, which documents were cited) stays. The erasure itself is
/// recorded in the system audit log.
/// </summary>
public sealed class QueryErasure(ComplianceDbContext db, AuditBacklog queue, TimeProvider clock)
{
    // Records of this user may still be on their way to Postgres; give them a moment so the erasure covers them.
    private static readonly TimeSpan PendingWait = TimeSpan.FromSeconds(5);

    /// <summary>Erases <paramref name="discordUserId"/>'s content; <paramref name="context"/> names who asked, for the audit record.</summary>
    public async Task<ErasureResult> EraseAsync(string discordUserId, HttpContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        await queue.WaitUntilAllStoredAsync(PendingWait, cancellationToken);
        var now = CanonicalForm.ToMicroseconds(clock.GetUtcNow());

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var queries = await db.QueryLogs.Where(q => q.DiscordUserId == discordUserId && q.ErasedAt == null)
            .ExecuteUpdateAsync(set => set
                .SetProperty(q => q.Question, (string?)null)
                .SetProperty(q => q.Answer, (string?)null)
                .SetProperty(q => q.RetrievalDiagnostics, (string?)null)
                .SetProperty(q => q.ErasedAt, now), cancellationToken);
        var comments = await db.QueryFeedback.Where(f => f.User!.DiscordUserId == discordUserId && f.Comment != null)
            .ExecuteUpdateAsync(set => set.SetProperty(f => f.Comment, (string?)null), cancellationToken);
        await db.Users.Where(u => u.DiscordUserId == discordUserId)
            .ExecuteUpdateAsync(set => set
                .SetProperty(u => u.UserName, (string?)null)
                .SetProperty(u => u.DisplayName, (string?)null)
                .SetProperty(u => u.ErasedAt, now), cancellationToken);
        await transaction.CommitAsync(cancellationToken);

        // Written now, not by the /admin group's filter: /api/v1/history erases through here too.
        await AdminAudit.RecordNowAsync(context, "queries.erase", "discord:" + discordUserId,
            new { queries, feedbackComments = comments }, AuditOutcomes.Success);
        return new ErasureResult(discordUserId, queries, comments, now);
    }
}
