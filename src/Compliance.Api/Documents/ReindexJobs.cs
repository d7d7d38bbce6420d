using System.Collections.Concurrent;
using Compliance.Api.Persistence;
using Compliance.Api.Persistence.Entities;
using Compliance.Contracts.Documents;
using Microsoft.EntityFrameworkCore;

namespace Compliance.Api.Documents;

/// <summary>
/// Re-chunks and re-embeds every indexed document in the background (after a model or chunking change), one job
/// at a time, with progress an operator can poll. Jobs live in memory: a restart ends a job, and the documents it
/// had not reached keep their previous (still searchable) chunks. A re-embed job (the model changed) also leaves a
/// record in Postgres, <see cref="ComplianceDocument.ReembedPending"/> on the documents still to do, so that the next
/// start finishes it (<see cref="ResumeReembedAsync"/>): their vectors were removed with the old model's.
/// </summary>
public sealed class ReindexJobs(IServiceScopeFactory scopes, TimeProvider clock, ILogger<ReindexJobs> logger, IHostApplicationLifetime lifetime)
{
    private readonly ConcurrentDictionary<Guid, JobState> _jobs = new();
    private readonly Lock _startLock = new();
    private JobState? _running;

    /// <summary>The kind of job that re-embeds the documents after a model change.</summary>
    public const string ReembedKind = "re-embed";

    /// <summary>Starts a re-index of everything, or returns the one already running.</summary>
    public JobResponse Start(string kind) => Start(kind, pendingReembedOnly: false);

    /// <summary>
    /// After the index dropped another model's vectors: marks every indexed document as still to re-embed (the
    /// record a stop mid-job leaves behind), then starts the job over them, or returns the one already running.
    /// </summary>
    public async Task<JobResponse> StartReembedAsync(CancellationToken cancellationToken)
    {
        await using (var scope = scopes.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<ComplianceDbContext>().Documents
                .Where(d => d.Status == DocumentStatus.Indexed)
                .ExecuteUpdateAsync(s => s.SetProperty(d => d.ReembedPending, true), cancellationToken);
        }
        return Start(ReembedKind, pendingReembedOnly: true);
    }

    /// <summary>
    /// Finishes a re-embed job an earlier run was stopped in: the documents still marked are re-embedded in the
    /// background. Null when none is left (the usual start).
    /// </summary>
    public async Task<JobResponse?> ResumeReembedAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var pending = await scope.ServiceProvider.GetRequiredService<ComplianceDbContext>().Documents
            .AnyAsync(d => d.Status == DocumentStatus.Indexed && d.ReembedPending, cancellationToken);
        return pending ? Start(ReembedKind, pendingReembedOnly: true) : null;
    }

    private JobResponse Start(string kind, bool pendingReembedOnly)
    {
        lock (_startLock)
        {
            if (_running is { FinishedAt: null } running)
            {
                return running.ToResponse();
            }
            var job = new JobState(Guid.CreateVersion7(), kind, clock.GetUtcNow());
            _jobs[job.Id] = job;
            _running = job;
            _ = Task.Run(() => RunAsync(job, pendingReembedOnly, lifetime.ApplicationStopping));
            return job.ToResponse();
        }
    }

    public JobResponse? Get(Guid id) => _jobs.TryGetValue(id, out var job) ? job.ToResponse() : null;

    private async Task RunAsync(JobState job, bool pendingReembedOnly, CancellationToken cancellationToken)
    {
        try
        {
            List<Guid> ids;
            await using (var scope = scopes.CreateAsyncScope())
            {
                ids = await scope.ServiceProvider.GetRequiredService<ComplianceDbContext>().Documents
                    .Where(d => d.Status == DocumentStatus.Indexed && (!pendingReembedOnly || d.ReembedPending))
                    .OrderBy(d => d.CreatedAt).Select(d => d.Id).ToListAsync(cancellationToken);
            }
            job.Total = ids.Count;
            foreach (var id in ids)
            {
                // A scope per document keeps the change tracker small on large corpora.
                await using var scope = scopes.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<ComplianceDbContext>();
                var document = await db.Documents.FirstOrDefaultAsync(
                    d => d.Id == id && d.Status == DocumentStatus.Indexed && (!pendingReembedOnly || d.ReembedPending), cancellationToken);
                if (document is null)
                {
                    job.Completed++; // deleted, superseded or re-indexed meanwhile: nothing to do
                    continue;
                }
                try
                {
                    await scope.ServiceProvider.GetRequiredService<DocumentIngestion>().ReindexAsync(document, cancellationToken);
                    job.Completed++;
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    job.Failed++;
                    logger.LogError(ex, "Re-index of document {DocumentId} failed", id);
                }
            }
            job.Status = job.Failed == 0 ? "succeeded" : "completed_with_errors";
        }
        catch (OperationCanceledException)
        {
            job.Status = "cancelled";
            job.Error = "The service stopped before the job finished.";
        }
        catch (Exception ex)
        {
            job.Status = "failed";
            job.Error = ex.Message;
            logger.LogError(ex, "Re-index job {JobId} failed", job.Id);
        }
        finally
        {
            job.FinishedAt = clock.GetUtcNow();
        }
    }

    private sealed class JobState(Guid id, string kind, DateTimeOffset startedAt)
    {
        public Guid Id { get; } = id;
        public string Kind { get; } = kind;
        public volatile string Status = "running";
        public int Total;
        public int Completed;
        public int Failed;
        public DateTimeOffset? FinishedAt;
        public string? Error;

        public JobResponse ToResponse() => new(Id, Kind, Status, Total, Completed, Failed, startedAt, FinishedAt, Error);
    }
}
