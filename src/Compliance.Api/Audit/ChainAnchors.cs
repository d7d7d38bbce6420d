using System.Globalization;
using System.Text.Json;
using Compliance.Api.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Compliance.Api.Audit;

/// <summary>The newest record of a chain: its sequence and hash (sequence 0 and no hash while the chain is empty).</summary>
public sealed record ChainHead(long Sequence, string? Hash);

/// <summary>A query-log head recorded in the system chain (an <c>audit.anchor</c> event).</summary>
/// <param name="SystemSequence">The system-chain record that holds the anchor.</param>
/// <param name="OccurredAt">When the anchor was written.</param>
/// <param name="Sequence">The query-log sequence it saw as the head.</param>
/// <param name="Hash">That record's hash.</param>
public sealed record ChainAnchor(long SystemSequence, DateTimeOffset OccurredAt, long Sequence, string Hash)
{
    /// <summary>How a verify break names this anchor: <c>system_audit_log:&lt;sequence&gt;</c>.</summary>
    public string Name => "system_audit_log:" + SystemSequence.ToString(CultureInfo.InvariantCulture);

    /// <summary>When it was written, as a verify break quotes it (ISO 8601, UTC, microseconds).</summary>
    public string Time => OccurredAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);
}

/// <summary>What one anchoring round saw and did.</summary>
public sealed record AnchorRound(ChainHead QueryLog, ChainHead SystemLog, bool AnchorWritten, bool HeadsLogged);

/// <summary>
/// Chain-head anchors. A hash chain proves nothing about its own end: deleting the newest records leaves a shorter
/// chain that still verifies. Each round records the query-log head (sequence + hash) as an <c>audit.anchor</c> event
/// in the system chain, where it is itself chained, and writes both chains' heads to the log, which leaves the
/// database for the log sink. <see cref="ChainVerifier"/> then finds anchored query records that are gone or replaced.
/// </summary>
/// <remarks>
/// A round writes no anchor when the head has not moved since the newest anchor (in Postgres, or this instance's own
/// one still on its way there) and logs nothing when neither head moved. Two instances may anchor the same head at
/// the same moment; that duplicate is harmless (the verifier checks every anchor, and both agree).
/// </remarks>
public sealed class ChainAnchors(IServiceScopeFactory scopes, SystemAuditWriter audit, ILogger<ChainAnchors> logger) : IDisposable
{
    /// <summary>The system audit action of an anchor.</summary>
    public const string Action = "audit.anchor";

    /// <summary>The actor of an anchor: no person, the service itself.</summary>
    public const string Actor = "system";

    /// <summary>The chain an anchor covers, in its <c>chain</c> detail and target.</summary>
    public const string QueryLogChain = "query_log";

    // Long enough for a normal write; during an outage the anchor waits in the outbox and the round goes on.
    private static readonly TimeSpan StoreWait = TimeSpan.FromSeconds(10);

    private readonly SemaphoreSlim _round = new(1, 1);
    private ChainHead? _lastAnchored;
    private (ChainHead QueryLog, ChainHead SystemLog)? _lastLogged;
    private long _lastContradictionReported;

    /// <summary>
    /// One round: anchors the query-log head if it moved, then logs both heads if either moved. The background
    /// service calls this every <c>AUDIT_ANCHOR_INTERVAL</c>; calls never overlap.
    /// </summary>
    public async Task<AnchorRound> AnchorAsync(CancellationToken cancellationToken)
    {
        await _round.WaitAsync(cancellationToken);
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<ComplianceDbContext>();
            var head = await QueryLogHeadAsync(db, cancellationToken);
            var newest = await NewestAnchorAsync(db, cancellationToken);
            if (newest is not null)
            {
                await ReportContradictionAsync(db, newest, cancellationToken);
                if (newest.Sequence == head.Sequence && string.Equals(newest.Hash, head.Hash, StringComparison.Ordinal))
                {
                    _lastAnchored = head;
                }
            }

            var written = false;
            if (head.Sequence > 0 && head != _lastAnchored)
            {
                var key = await audit.RecordAsync(Actor, Action, QueryLogChain,
                    new { chain = QueryLogChain, sequence = head.Sequence, hash = head.Hash }, AuditOutcomes.Success, null, cancellationToken);
                _lastAnchored = head;
                written = true;
                // Wait for it, so the system head logged below already covers this anchor.
                await audit.WaitUntilStoredAsync(key, StoreWait, cancellationToken);
            }

            var systemHead = await SystemHeadAsync(db, cancellationToken);
            var logged = _lastLogged != (head, systemHead);
            if (logged)
            {
                // Hashes and sequence numbers only: nothing a user wrote. This line is the copy that leaves the database.
                logger.LogInformation(
                    "Audit chain heads: query_log sequence {QueryLogSequence} hash {QueryLogHash}; system_audit_log sequence {SystemLogSequence} hash {SystemLogHash}",
                    head.Sequence, head.Hash ?? "none", systemHead.Sequence, systemHead.Hash ?? "none");
                _lastLogged = (head, systemHead);
            }
            return new AnchorRound(head, systemHead, written, logged);
        }
        finally
        {
            _round.Release();
        }
    }

    public void Dispose() => _round.Dispose();

    /// <summary>Every query-log anchor in the system chain, newest first.</summary>
    public static async Task<List<ChainAnchor>> ReadAllAsync(ComplianceDbContext db, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        var rows = await db.SystemAuditLogs.AsNoTracking().Where(a => a.Action == Action && a.Actor == Actor)
            .OrderByDescending(a => a.Sequence).Select(a => new { a.Sequence, a.OccurredAt, a.Details }).ToListAsync(cancellationToken);
        return [.. rows.Select(r => Parse(r.Sequence, r.OccurredAt, r.Details)).OfType<ChainAnchor>()];
    }

    private static async Task<ChainAnchor?> NewestAnchorAsync(ComplianceDbContext db, CancellationToken cancellationToken)
    {
        // Newest first until one parses; anything else under this action would have to come from a broken system chain.
        var rows = db.SystemAuditLogs.AsNoTracking().Where(a => a.Action == Action && a.Actor == Actor)
            .OrderByDescending(a => a.Sequence).Select(a => new { a.Sequence, a.OccurredAt, a.Details }).Take(20);
        foreach (var row in await rows.ToListAsync(cancellationToken))
        {
            if (Parse(row.Sequence, row.OccurredAt, row.Details) is { } anchor)
            {
                return anchor;
            }
        }
        return null;
    }

    /// <summary>An anchor from its stored details <c>{ chain, hash, sequence }</c>; null when they are not a query-log anchor.</summary>
    internal static ChainAnchor? Parse(long systemSequence, DateTimeOffset occurredAt, string? details)
    {
        if (details is null)
        {
            return null;
        }
        try
        {
            using var json = JsonDocument.Parse(details);
            var root = json.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("chain", out var chain) || chain.ValueKind != JsonValueKind.String || chain.GetString() != QueryLogChain
                || !root.TryGetProperty("hash", out var hash) || hash.ValueKind != JsonValueKind.String || hash.GetString() is not { Length: 64 } hashText
                || !root.TryGetProperty("sequence", out var sequence) || sequence.ValueKind != JsonValueKind.Number)
            {
                return null;
            }
            // The canonical JSON writes numbers as doubles: 42 stays 42, but read it either way.
            var number = sequence.TryGetInt64(out var whole) ? whole : (long)sequence.GetDouble();
            return number > 0 ? new ChainAnchor(systemSequence, occurredAt, number, hashText) : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Logs an error (once per anchor) when the chain no longer holds the record the newest anchor saw.</summary>
    private async Task ReportContradictionAsync(ComplianceDbContext db, ChainAnchor anchor, CancellationToken cancellationToken)
    {
        if (anchor.SystemSequence == _lastContradictionReported)
        {
            return;
        }
        var found = await db.QueryLogs.AsNoTracking().Where(q => q.Sequence == anchor.Sequence).Select(q => q.Hash).FirstOrDefaultAsync(cancellationToken);
        if (string.Equals(found, anchor.Hash, StringComparison.Ordinal))
        {
            return;
        }
        _lastContradictionReported = anchor.SystemSequence;
        logger.LogError(
            "The query log no longer holds what the anchor {Anchor} of {AnchoredAt} saw: sequence {AnchoredSequence} with hash {AnchoredHash} (found {FoundHash}). Query records were deleted or replaced; GET /admin/audit-log?verify=true names the break",
            anchor.Name, anchor.Time, anchor.Sequence, anchor.Hash, found ?? "no record");
    }

    private static async Task<ChainHead> QueryLogHeadAsync(ComplianceDbContext db, CancellationToken cancellationToken)
    {
        var tail = await db.QueryLogs.AsNoTracking().OrderByDescending(q => q.Sequence).Select(q => new { q.Sequence, q.Hash }).FirstOrDefaultAsync(cancellationToken);
        return tail is null ? new ChainHead(0, null) : new ChainHead(tail.Sequence, tail.Hash);
    }

    private static async Task<ChainHead> SystemHeadAsync(ComplianceDbContext db, CancellationToken cancellationToken)
    {
        var tail = await db.SystemAuditLogs.AsNoTracking().OrderByDescending(a => a.Sequence).Select(a => new { a.Sequence, a.Hash }).FirstOrDefaultAsync(cancellationToken);
        return tail is null ? new ChainHead(0, null) : new ChainHead(tail.Sequence, tail.Hash);
    }
}

/// <summary>Runs an anchoring round every <c>AUDIT_ANCHOR_INTERVAL</c>; an outage or error skips a round, never stops the API.</summary>
internal sealed class ChainAnchorService(ChainAnchors anchors, IOptions<AuditOptions> options, TimeProvider clock, ILogger<ChainAnchorService> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = TimeSpan.FromSeconds(options.Value.AnchorIntervalSeconds);
        using var timer = new PeriodicTimer(interval, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await anchors.AnchorAsync(stoppingToken);
                }
                catch (Exception ex) when (AuditFlusher.IsDatabaseUnavailable(ex))
                {
                    logger.LogWarning("Postgres is unavailable; the audit chain heads are anchored again in {Interval}", interval);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    logger.LogError(ex, "Anchoring the audit chain heads failed; trying again in {Interval}", interval);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }
}
