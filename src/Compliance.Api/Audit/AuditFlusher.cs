using Microsoft.Extensions.Options;
using Npgsql;

namespace Compliance.Api.Audit;

/// <summary>
/// Moves audit records from the in-memory queue into their Postgres hash chains, in batches. While Postgres is
/// unavailable every record goes to the fsync'd outbox as it arrives; the outbox is replayed in order (before anything
/// newer) as soon as Postgres answers again. A record Postgres refuses outright is isolated and kept in the rejected
/// file, so one bad value can neither block the chain nor be lost.
/// </summary>
internal sealed class AuditFlusher(
    AuditBacklog queue, ChainStore store, AuditOutbox outbox, IOptions<AuditOptions> options, TimeProvider clock, ILogger<AuditFlusher> logger)
    : BackgroundService
{
    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan ShutdownWriteBudget = TimeSpan.FromSeconds(5);

    private readonly int _batchSize = options.Value.BatchSize;
    private readonly TimeSpan _maxRetryDelay = TimeSpan.FromSeconds(options.Value.RetryMaxDelaySeconds);
    private TimeSpan _retryDelay = FirstRetryDelay;
    private DateTimeOffset? _retryAt;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                if (_retryAt is { } retryAt && clock.GetUtcNow() < retryAt)
                {
                    await SpoolUntilAsync(retryAt, stoppingToken);
                    continue;
                }
                if (outbox.HasPending)
                {
                    await ReplayOutboxAsync(stoppingToken);
                    continue;
                }
                if (!await queue.Reader.WaitToReadAsync(stoppingToken))
                {
                    break;
                }
                var unwritten = await WriteAsync(DrainBatch(), stoppingToken);
                if (unwritten.Count > 0)
                {
                    Spool(unwritten);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: fall through to the final drain.
        }
        await DrainOnShutdownAsync();
    }

    /// <summary>Everything still queued goes to Postgres if it answers quickly, else to the outbox: nothing is left in memory.</summary>
    private async Task DrainOnShutdownAsync()
    {
        queue.Complete();
        var remaining = new List<AuditEntry>();
        while (queue.Reader.TryRead(out var entry))
        {
            remaining.Add(entry);
        }
        if (remaining.Count == 0)
        {
            return;
        }
        using var budget = new CancellationTokenSource(ShutdownWriteBudget);
        var unwritten = outbox.HasPending || _retryAt is not null ? remaining : await WriteAsync(remaining, budget.Token);
        if (unwritten.Count > 0)
        {
            outbox.Append(unwritten.Select(e => e.Line));
            logger.LogWarning("Shutting down with {Count} audit record(s) not yet in Postgres; they wait in {Outbox}", unwritten.Count, outbox.FilePath);
        }
    }

    private List<AuditEntry> DrainBatch()
    {
        var batch = new List<AuditEntry>(Math.Min(_batchSize, 64));
        while (batch.Count < _batchSize && queue.Reader.TryRead(out var entry))
        {
            batch.Add(entry);
        }
        return batch;
    }

    /// <summary>During an outage: append arriving records to the outbox as they come, until it is time to retry.</summary>
    private async Task SpoolUntilAsync(DateTimeOffset retryAt, CancellationToken stoppingToken)
    {
        var wait = retryAt - clock.GetUtcNow();
        if (wait <= TimeSpan.Zero)
        {
            return;
        }
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        timeout.CancelAfter(wait);
        try
        {
            if (await queue.Reader.WaitToReadAsync(timeout.Token))
            {
                Spool(DrainBatch());
            }
        }
        catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
        {
            // Time to try Postgres again.
        }
    }

    private void Spool(IReadOnlyList<AuditEntry> entries)
    {
        if (entries.Count > 0)
        {
            outbox.Append(entries.Select(e => e.Line));
        }
    }

    private async Task ReplayOutboxAsync(CancellationToken stoppingToken)
    {
        var lines = outbox.ReadAll();
        var entries = new List<AuditEntry>(lines.Count);
        foreach (var line in lines)
        {
            if (AuditEntry.Parse(line) is { } entry)
            {
                entries.Add(entry);
            }
            else
            {
                // Only a crash mid-append leaves a partial line; keep it for inspection rather than drop it.
                outbox.Reject(line, "unreadable outbox line");
                logger.LogError("An unreadable line in the audit outbox was moved to the rejected file");
            }
        }

        var replayed = 0;
        for (var start = 0; start < entries.Count; start += _batchSize)
        {
            var batch = entries.GetRange(start, Math.Min(_batchSize, entries.Count - start));
            var unwritten = await WriteAsync(batch, stoppingToken);
            if (unwritten.Count > 0)
            {
                outbox.Replace([.. unwritten.Select(e => e.Line), .. entries.Skip(start + batch.Count).Select(e => e.Line)]);
                return;
            }
            replayed += batch.Count;
            // Keep the file equal to what is not yet stored, so a crash now replays nothing twice (and a replay is idempotent anyway).
            outbox.Replace(entries.Skip(start + batch.Count).Select(e => e.Line).ToList());
        }
        outbox.Replace([]);
        if (replayed > 0)
        {
            logger.LogInformation("Replayed {Count} audit record(s) from the outbox into Postgres, in order", replayed);
        }
    }

    /// <summary>Writes a batch; returns the records not written because Postgres is unavailable (empty on success).</summary>
    private async Task<IReadOnlyList<AuditEntry>> WriteAsync(IReadOnlyList<AuditEntry> batch, CancellationToken cancellationToken)
    {
        var unwritten = new List<AuditEntry>();
        foreach (var chain in new[] { AuditChain.QueryLog, AuditChain.System })
        {
            var entries = batch.Where(e => e.Chain == chain).ToList();
            var written = await WriteChainAsync(chain, entries, cancellationToken);
            unwritten.AddRange(entries.Skip(written));
        }
        if (unwritten.Count == 0)
        {
            if (_retryAt is not null)
            {
                logger.LogInformation("Postgres is reachable again; audit records are written directly");
            }
            _retryAt = null;
            _retryDelay = FirstRetryDelay;
        }
        else
        {
            if (_retryAt is null)
            {
                logger.LogWarning("Postgres is unavailable; audit records wait in {Outbox} until it returns", outbox.FilePath);
            }
            _retryAt = clock.GetUtcNow() + _retryDelay;
            _retryDelay = TimeSpan.FromTicks(Math.Min(_retryDelay.Ticks * 2, _maxRetryDelay.Ticks));
        }
        return unwritten;
    }

    /// <summary>Returns how many records, from the start, are done (stored, or refused and kept aside).</summary>
    private async Task<int> WriteChainAsync(AuditChain chain, List<AuditEntry> entries, CancellationToken cancellationToken)
    {
        if (entries.Count == 0)
        {
            return 0;
        }
        try
        {
            await store.AppendAsync(chain, entries, cancellationToken);
            entries.ForEach(e => queue.MarkStored(e.Key));
            return entries.Count;
        }
        catch (Exception ex) when (IsDatabaseUnavailable(ex) || (ex is OperationCanceledException && cancellationToken.IsCancellationRequested))
        {
            return 0;
        }
        catch (Exception ex) when (entries.Count > 1)
        {
            // Some record in the batch is refused: write one at a time to find it and keep the rest.
            logger.LogWarning("An audit batch was refused ({Reason}); writing its records one by one", ex.GetType().Name);
            var done = 0;
            foreach (var entry in entries)
            {
                if (await WriteChainAsync(chain, [entry], cancellationToken) == 0)
                {
                    return done;
                }
                done++;
            }
            return done;
        }
        catch (Exception ex)
        {
            outbox.Reject(entries[0].Line, ex.GetBaseException().Message);
            queue.MarkStored(entries[0].Key);
            logger.LogError(ex, "Postgres refused an audit record of the {Chain} chain; it was kept in the rejected file", chain);
            return 1;
        }
    }

    /// <summary>
    /// An outage (nothing to do but wait) as opposed to a record Postgres refuses: connection failures and timeouts
    /// (Npgsql wraps socket and I/O errors in NpgsqlException), shutdown and resource errors, and a schema or database
    /// that is not there yet.
    /// </summary>
    internal static bool IsDatabaseUnavailable(Exception exception)
    {
        for (var ex = exception; ex is not null; ex = ex.InnerException)
        {
            switch (ex)
            {
                case PostgresException pg:
                    return pg.SqlState.StartsWith("08", StringComparison.Ordinal) || pg.SqlState.StartsWith("53", StringComparison.Ordinal) ||
                           pg.SqlState.StartsWith("57", StringComparison.Ordinal) || pg.SqlState.StartsWith("58", StringComparison.Ordinal) ||
                           pg.SqlState is "40001" or "40P01" or "55P03" or "3D000" or "42P01" or "25006";
                case NpgsqlException:
                case TimeoutException:
                    return true;
            }
        }
        return false;
    }
}
