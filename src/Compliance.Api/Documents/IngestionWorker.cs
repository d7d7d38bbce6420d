using Compliance.Api.Knowledge;

namespace Compliance.Api.Documents;

/// <summary>
/// Ingests accepted documents one at a time, off the request path (a long PDF takes minutes to embed with a real
/// model, and Heroku's router cuts requests at 30 s). It starts with what a crash or a stop left half done
/// (<see cref="DocumentIngestion.ResumeInterruptedAsync"/>) once the API is listening, so resuming never delays
/// start-up, then takes uploads as they are queued. One at a time because embedding already uses every core.
/// At the same point it resumes a re-embed job an earlier run was stopped in (<see cref="ReindexJobs.ResumeReembedAsync"/>).
/// </summary>
internal sealed class IngestionWorker(
    IServiceScopeFactory scopes,
    IngestionBacklog queue,
    ReindexJobs jobs,
    IServiceProvider services,
    IHostApplicationLifetime lifetime,
    ILogger<IngestionWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!await WaitForStartedAsync(stoppingToken))
        {
            return;
        }

        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var resumed = await scope.ServiceProvider.GetRequiredService<DocumentIngestion>().ResumeInterruptedAsync(queue, stoppingToken);
            if (resumed > 0)
            {
                logger.LogInformation("Resuming {Count} interrupted ingestion(s)", resumed);
            }

            // A re-embed job a stop cut short (the model changed at an earlier start): its documents still lack the
            // running model's vectors. Not when start-up began one already, nor without a model to embed with.
            // Resolved only now, not in the constructor: the host builds hosted services before it validates options,
            // and loading the model there would hide a bad setting behind a model error (see DocumentsStartup).
            var knowledge = services.GetRequiredService<KnowledgeRuntime>();
            if (knowledge.Embedder is not null && knowledge.ReembedJobId is null && await jobs.ResumeReembedAsync(stoppingToken) is { } job)
            {
                knowledge.ReembedJobId = job.Id;
                logger.LogWarning("Resuming the interrupted re-embed with {Model} as job {JobId}: documents not yet re-embedded are found by text search only until it ends",
                    knowledge.ModelIdentity, job.Id);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The database may be down at start: uploads still come through the queue, and the next start retries.
            logger.LogError(ex, "Could not look for interrupted ingestion");
        }

        await foreach (var documentId in queue.ReadAllAsync(stoppingToken))
        {
            try
            {
                // A scope per document keeps the change tracker small.
                await using var scope = scopes.CreateAsyncScope();
                await scope.ServiceProvider.GetRequiredService<DocumentIngestion>().ProcessAsync(documentId, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                // Stopping: the document keeps its status and is resumed at the next start.
                return;
            }
            catch (Exception ex)
            {
                logger.LogError(ex, "Ingestion of document {DocumentId} stopped", documentId);
                await MarkFailedAsync(documentId, ex, stoppingToken);
            }
            finally
            {
                queue.Release(documentId);
            }
        }
    }

    private async Task<bool> WaitForStartedAsync(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var onStarted = lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        using var onStopping = stoppingToken.Register(() => started.TrySetCanceled(stoppingToken));
        try
        {
            await started.Task;
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private async Task MarkFailedAsync(Guid documentId, Exception ex, CancellationToken stoppingToken)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            // The exception's message stays in the log: it may name hosts or internals an uploader has no use for.
            await scope.ServiceProvider.GetRequiredService<DocumentIngestion>().MarkFailedAsync(documentId,
                $"Ingestion stopped on an internal error ({ex.GetType().Name}); upload the document again to retry.", stoppingToken);
        }
        catch (Exception inner) when (inner is not OperationCanceledException)
        {
            // The database itself is down: the status stays as it was, and the next start resumes the document.
            logger.LogError(inner, "Could not record the failure of document {DocumentId}", documentId);
        }
    }
}
