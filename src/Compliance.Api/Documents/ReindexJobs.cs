using System.Collections.Concurrent;
using Compliance.Api.Persistence;
using Compliance.Api.Persistence.Entities;
using Compliance.Contracts.Documents;
using Microsoft.EntityFrameworkCore;

namespace Compliance.Api.Documents;

/// <summary>
/// Re-chunks and re-embeds every indexed document in the background (after a model or chunking change), one job
/// at a time, with progress an operator can poll. Jobs live in memory: a restart ends a job, and the documents it
/// had not reached keep their previous (still searchable) chunks.
/// </summary>
public sealed class ReindexJobs(IServiceScopeFactory scopes, TimeProvider clock, ILogger<ReindexJobs> logger, IHostApplicationLifetime lifetime)
{
    private readonly ConcurrentDictionary<Guid, JobState> _jobs = new();
    private readonly Lock _startLock = new();
    private JobState? _running;

    /// <summary>Starts a re-index of everything, or returns the one already running.</summary>
    public JobResponse Start(string kind)
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
            _ = Task.Run(() => RunAsync(job, lifetime.ApplicationStopping));
            return job.ToResponse();
        }
    }

    public JobResponse? Get(Guid id) => _jobs.TryGetValue(id, out var job) ? job.ToResponse() : null;

    private async Task RunAsync(JobState job, CancellationToken cancellationToken)
    {
        try
        {
            List<Guid> ids;
            await using (var scope = scopes.CreateAsyncScope())
            {
                ids = await scope.ServiceProvider.GetRequiredService<ComplianceDbContext>().Documents
                    .Where(d => d.Status == DocumentStatus.Indexed).OrderBy(d => d.CreatedAt).Select(d => d.Id).ToListAsync(cancellationToken);
            }
            job.Total = ids.Count;
            foreach (var id in ids)
            {
                // A scope per document keeps the change tracker small on large corpora.
                await using var scope = scopes.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<ComplianceDbContext>();
                var document = await db.Documents.FirstOrDefaultAsync(d => d.Id == id && d.Status == DocumentStatus.Indexed, cancellationToken);
                if (document is null)
                {
                    job.Completed++; // deleted or superseded meanwhile: nothing to do
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
