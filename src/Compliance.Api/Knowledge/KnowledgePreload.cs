namespace Compliance.Api.Knowledge;

/// <summary>
/// Starts building the retrieval runtime (above all, loading the embedding model: ~0.5 s for gte-small) on a
/// background thread as the very first hosted service, so it overlaps the database migration check (~0.5 s) that
/// runs next instead of following it. The documents' start-up (index creation, resume, samples) later resolves the
/// same singleton and simply waits for it; a model that fails to load fails there, with its message, exactly as
/// without the preload.
/// </summary>
internal sealed class KnowledgePreload(IServiceProvider services, ILogger<KnowledgePreload> logger) : IHostedService
{
    private Task? _loading;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _loading = Task.Run(() => services.GetRequiredService<KnowledgeRuntime>(), CancellationToken.None);
        // The failure is reported by the documents' start-up, which resolves it again; here it is only observed, not lost.
        _loading.ContinueWith(
            task => logger.LogDebug("Background model load failed ({Reason}); start-up reports it", task.Exception?.InnerException?.GetType().Name),
            CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
