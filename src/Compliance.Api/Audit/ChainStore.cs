using Compliance.Api.Persistence;
using Compliance.Api.Persistence.Entities;
using Microsoft.EntityFrameworkCore;

namespace Compliance.Api.Audit;

/// <summary>
/// Appends records to a hash chain in Postgres. Each batch is one transaction that first takes a transaction-scoped
/// advisory lock for the chain, then reads the chain's tail, links the new records to it and inserts them. The lock
/// is held until commit, so across any number of API instances the next writer reads the tail only after this one
/// committed: sequence numbers follow commit order and every link points at the record committed just before it.
/// </summary>
/// <remarks>
/// Appending is idempotent: a record already stored (an outbox replayed after a crash between commit and file
/// update) is skipped — query logs by id, system records by content hash (which covers a microsecond timestamp).
/// </remarks>
internal sealed class ChainStore(IServiceScopeFactory scopes)
{
    /// <summary>Advisory lock keys, one per chain ("ComplQL" / "ComplSA"); distinct from the migration lock.</summary>
    public const long QueryLogLockKey = 0x436F6D706C514C;
    public const long SystemLockKey = 0x436F6D706C5341;

    /// <summary>Appends <paramref name="entries"/> (all of one chain, in order) in one transaction.</summary>
    public async Task AppendAsync(AuditChain chain, IReadOnlyList<AuditEntry> entries, CancellationToken cancellationToken)
    {
        if (entries.Count == 0)
        {
            return;
        }
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ComplianceDbContext>();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock({(chain == AuditChain.QueryLog ? QueryLogLockKey : SystemLockKey)})", cancellationToken);

        if (chain == AuditChain.QueryLog)
        {
            await AppendQueryLogsAsync(db, entries.Select(e => e.ToQueryLog()).ToList(), cancellationToken);
        }
        else
        {
            await AppendSystemAsync(db, entries.Select(e => e.ToSystemAuditLog()).ToList(), cancellationToken);
        }
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    private static async Task AppendQueryLogsAsync(ComplianceDbContext db, List<QueryLog> logs, CancellationToken cancellationToken)
    {
        var ids = logs.Select(l => l.Id).ToList();
        var stored = (await db.QueryLogs.Where(q => ids.Contains(q.Id)).Select(q => q.Id).ToListAsync(cancellationToken)).ToHashSet();

        // The user row may have been created after the record was written (or the record waited in the outbox):
        // link by Discord id at write time, which is the one identity every record carries.
        var discordIds = logs.Select(l => l.DiscordUserId).Distinct().ToList();
        var users = await db.Users.Where(u => discordIds.Contains(u.DiscordUserId))
            .Select(u => new { u.Id, u.DiscordUserId }).ToDictionaryAsync(u => u.DiscordUserId, u => u.Id, cancellationToken);

        var tail = await db.QueryLogs.OrderByDescending(q => q.Sequence).Select(q => new { q.Sequence, q.Hash }).FirstOrDefaultAsync(cancellationToken);
        var (sequence, previous) = tail is null ? (0L, CanonicalForm.GenesisHash) : (tail.Sequence, tail.Hash);
        foreach (var log in logs.Where(l => stored.Add(l.Id)))
        {
            log.UserId = users.TryGetValue(log.DiscordUserId, out var userId) ? userId : null;
            log.Sequence = ++sequence;
            log.PreviousHash = previous;
            log.Hash = CanonicalForm.LinkHash(previous, log.ContentHash);
            previous = log.Hash;
            db.QueryLogs.Add(log);
        }
    }

    private static async Task AppendSystemAsync(ComplianceDbContext db, List<SystemAuditLog> entries, CancellationToken cancellationToken)
    {
        var earliest = entries.Min(e => e.OccurredAt);
        var hashes = entries.Select(e => e.ContentHash).ToList();
        var stored = (await db.SystemAuditLogs.Where(a => a.OccurredAt >= earliest && hashes.Contains(a.ContentHash))
            .Select(a => a.ContentHash).ToListAsync(cancellationToken)).ToHashSet(StringComparer.Ordinal);

        var tail = await db.SystemAuditLogs.OrderByDescending(a => a.Sequence).Select(a => new { a.Sequence, a.Hash }).FirstOrDefaultAsync(cancellationToken);
        var (sequence, previous) = tail is null ? (0L, CanonicalForm.GenesisHash) : (tail.Sequence, tail.Hash);
        foreach (var entry in entries.Where(e => stored.Add(e.ContentHash)))
        {
            entry.Id = 0;
            entry.Sequence = ++sequence;
            entry.PreviousHash = previous;
            entry.Hash = CanonicalForm.LinkHash(previous, entry.ContentHash);
            previous = entry.Hash;
            db.SystemAuditLogs.Add(entry);
        }
    }
}
