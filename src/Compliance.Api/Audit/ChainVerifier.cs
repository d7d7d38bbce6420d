using Compliance.Api.Persistence;
using Compliance.Api.Persistence.Entities;
using Microsoft.EntityFrameworkCore;

namespace Compliance.Api.Audit;

/// <summary>How a chain was found broken.</summary>
public static class ChainBreakKinds
{
    /// <summary>The record's content (or its stored hashes) no longer match: it was changed after it was written.</summary>
    public const string Edited = "edited";

    /// <summary>The record does not link to its predecessor but the next one does: it was put in afterwards.</summary>
    public const string Inserted = "inserted";

    /// <summary>A record before this one is missing.</summary>
    public const string Deleted = "deleted";
}

/// <summary>The first broken link: where, how, and in words.</summary>
public sealed record ChainBreak(long Sequence, string Record, string Kind, string Detail);

/// <summary>The result of walking one chain from its first record.</summary>
public sealed record ChainVerification(string Chain, bool Intact, long RecordsChecked, long LastSequence, string? LastHash, ChainBreak? FirstBreak);

/// <summary>
/// Walks a hash chain in sequence order and recomputes every link. Detects an edited record (content hash or link
/// hash no longer match), an inserted one (it breaks the link while its successor still links to its predecessor)
/// and a deleted one (a gap in the sequence, or a link to a record that is not there). Erased query records (GDPR)
/// keep their content hash and are checked by link only. The query log is also checked against every
/// <see cref="ChainAnchors">anchor</see> in the system chain, which finds its newest records deleted (the chain ends
/// before an anchored sequence) or deleted and replaced (the anchored sequence holds another hash). What no anchor
/// covers — query records newer than the newest anchor, and the system chain's own newest records — is found by
/// comparing <see cref="ChainVerification.LastSequence"/> and <see cref="ChainVerification.LastHash"/> with the heads
/// logged by <see cref="ChainAnchors"/> (see docs/audit.md).
/// </summary>
public sealed class ChainVerifier(ComplianceDbContext db)
{
    private const int PageSize = 1000;

    public async Task<ChainVerification> VerifyQueryLogAsync(CancellationToken cancellationToken)
    {
        // Anchors first: each names a record committed before the anchor was written, so the walk that follows must meet it.
        var anchors = await ChainAnchors.ReadAllAsync(db, cancellationToken);
        var anchored = anchors.Select(a => a.Sequence).ToHashSet();
        var seen = new Dictionary<long, Link>();
        var walk = await WalkAsync("query_log", after => db.QueryLogs.AsNoTracking().Where(q => q.Sequence > after).OrderBy(q => q.Sequence).Take(PageSize)
            .ToListAsync(cancellationToken), q => new Link(q.Sequence, q.Id.ToString(), q.PreviousHash, q.ContentHash, q.Hash,
            q.ErasedAt is null ? CanonicalForm.ContentHash(q) : q.ContentHash), record =>
            {
                if (anchored.Contains(record.Sequence))
                {
                    seen[record.Sequence] = record;
                }
            }, cancellationToken);
        return walk.Intact && CheckAnchors(walk, anchors, seen) is { } broken ? walk with { Intact = false, FirstBreak = broken } : walk;
    }

    public Task<ChainVerification> VerifySystemLogAsync(CancellationToken cancellationToken) =>
        WalkAsync("system_audit_log", after => db.SystemAuditLogs.AsNoTracking().Where(a => a.Sequence > after).OrderBy(a => a.Sequence).Take(PageSize)
            .ToListAsync(cancellationToken), a => new Link(a.Sequence, a.Id.ToString(System.Globalization.CultureInfo.InvariantCulture),
            a.PreviousHash, a.ContentHash, a.Hash, CanonicalForm.ContentHash(a)), _ => { }, cancellationToken);

    /// <summary>
    /// The newest anchor the intact chain contradicts, as a <see cref="ChainBreakKinds.Deleted"/> break: its sequence is
    /// past the chain's end (the newest records were deleted), or holds another record (deleted, then the chain went on).
    /// </summary>
    private static ChainBreak? CheckAnchors(ChainVerification walk, List<ChainAnchor> newestFirst, Dictionary<long, Link> seen)
    {
        foreach (var anchor in newestFirst)
        {
            if (anchor.Sequence > walk.LastSequence)
            {
                return new(walk.LastSequence + 1, anchor.Name, ChainBreakKinds.Deleted,
                    $"Records after sequence {walk.LastSequence} are missing: the anchor of {anchor.Time} ({anchor.Name}) saw sequence {anchor.Sequence} " +
                    $"with hash {anchor.Hash}, so at least {anchor.Sequence - walk.LastSequence} of the newest record(s) were deleted.");
            }
            var record = seen[anchor.Sequence];
            if (!string.Equals(record.Hash, anchor.Hash, StringComparison.Ordinal))
            {
                // The newest older anchor that still holds bounds where the replaced records begin.
                var intactUpTo = newestFirst.Where(a => a.Sequence < anchor.Sequence && string.Equals(seen[a.Sequence].Hash, a.Hash, StringComparison.Ordinal))
                    .Select(a => a.Sequence).DefaultIfEmpty(0).Max();
                return new(anchor.Sequence, anchor.Name, ChainBreakKinds.Deleted,
                    $"Record {anchor.Sequence} ({record.Id}) is not the record the anchor of {anchor.Time} ({anchor.Name}) saw: it has hash {record.Hash}, " +
                    $"the anchor saw hash {anchor.Hash}. Records after sequence {intactUpTo} were deleted and the chain was continued with other records.");
            }
        }
        return null;
    }

    private static async Task<ChainVerification> WalkAsync<T>(string chain, Func<long, Task<List<T>>> page, Func<T, Link> link, Action<Link> observe,
        CancellationToken cancellationToken)
    {
        long checkedCount = 0, lastSequence = 0;
        var previousHash = CanonicalForm.GenesisHash;
        string? beforePreviousHash = null;
        var previousId = string.Empty;
        var records = (await page(0)).Select(link).ToList();
        while (records.Count > 0)
        {
            for (var i = 0; i < records.Count; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var record = records[i];
                if (Check(record, lastSequence, previousId, previousHash, beforePreviousHash, NextAfter(i)) is { } broken)
                {
                    return new ChainVerification(chain, false, checkedCount, lastSequence, previousHash, broken);
                }
                observe(record);
                checkedCount++;
                lastSequence = record.Sequence;
                beforePreviousHash = previousHash;
                previousId = record.Id;
                previousHash = record.Hash;
            }
            records = (await page(lastSequence)).Select(link).ToList();
        }
        return new ChainVerification(chain, true, checkedCount, lastSequence, lastSequence == 0 ? null : previousHash, null);

        // The successor is needed to tell an insertion from a deletion; at a page boundary it is the next page's first.
        Link? NextAfter(int i) => i + 1 < records.Count ? records[i + 1] : null;
    }

    private static ChainBreak? Check(Link record, long previousSequence, string previousId, string previousHash, string? beforePreviousHash, Link? next)
    {
        if (!string.Equals(record.RecomputedContentHash, record.ContentHash, StringComparison.Ordinal))
        {
            return new(record.Sequence, record.Id, ChainBreakKinds.Edited,
                $"Record {record.Sequence} ({record.Id}) was changed: its content no longer matches its content hash.");
        }
        if (!string.Equals(CanonicalForm.LinkHash(record.PreviousHash, record.ContentHash), record.Hash, StringComparison.Ordinal))
        {
            return new(record.Sequence, record.Id, ChainBreakKinds.Edited,
                $"Record {record.Sequence} ({record.Id}) was changed: its stored hash is not SHA-256(previous hash + content hash).");
        }
        if (string.Equals(record.PreviousHash, previousHash, StringComparison.Ordinal) && record.Sequence == previousSequence + 1)
        {
            return null;
        }
        if (beforePreviousHash is not null && string.Equals(record.PreviousHash, beforePreviousHash, StringComparison.Ordinal))
        {
            // A well-forged insertion links to its predecessor, but the record it was put in front of still points past it.
            return new(previousSequence, previousId, ChainBreakKinds.Inserted,
                $"Record {previousSequence} ({previousId}) was inserted: record {record.Sequence} ({record.Id}) links past it to record {previousSequence - 1}.");
        }
        if (next is not null && string.Equals(next.PreviousHash, previousHash, StringComparison.Ordinal))
        {
            return new(record.Sequence, record.Id, ChainBreakKinds.Inserted,
                $"Record {record.Sequence} ({record.Id}) was inserted: it does not link to record {previousSequence}, but the record after it does.");
        }
        if (record.Sequence > previousSequence + 1)
        {
            var missing = record.Sequence - previousSequence - 1;
            return new(record.Sequence, record.Id, ChainBreakKinds.Deleted,
                $"{missing} record(s) before record {record.Sequence} ({record.Id}) were deleted: sequence jumps from {previousSequence} to {record.Sequence}.");
        }
        return new(record.Sequence, record.Id, ChainBreakKinds.Deleted,
            $"Record {record.Sequence} ({record.Id}) links to a record that is not in the chain: the one before it was deleted or replaced.");
    }

    private sealed record Link(long Sequence, string Id, string PreviousHash, string ContentHash, string Hash, string RecomputedContentHash);
}
