using System.Diagnostics;
using Compliance.Api.Documents;
using Compliance.Api.Knowledge;
using Compliance.Knowledge.Embeddings;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Compliance.Api.Health;

// Health reports on Knowledge, never the other way round: Knowledge knows nothing of probes or their tags.

/// <summary>The index answers: reports its backend, size and chunk count.</summary>
internal sealed class IndexHealthCheck(KnowledgeRuntime knowledge) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var stopwatch = Stopwatch.StartNew();
        try
        {
            var statistics = await knowledge.Index.GetStatisticsAsync(cancellationToken);
            var data = new Dictionary<string, object>
            {
                [HealthData.LatencyMs] = Math.Round(stopwatch.Elapsed.TotalMilliseconds, 1),
                ["backend"] = statistics.Backend,
                ["chunks"] = statistics.Chunks,
                ["documents"] = statistics.Documents,
            };
            if (statistics.SizeBytes is { } size)
            {
                data["size_bytes"] = size;
            }
            if (statistics.Version is { } version)
            {
                data[HealthData.Version] = version;
            }
            return HealthCheckResult.Healthy($"The {statistics.Backend} index answers.", data);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy("The index is unavailable.", ex);
        }
    }
}

/// <summary>
/// The embedding model is loaded. Without one the service still answers (lexical-only), so that is Degraded, not
/// Unhealthy: ready, but visibly not at full strength.
/// </summary>
internal sealed class EmbeddingModelHealthCheck(KnowledgeRuntime knowledge, ReindexJobs jobs) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(knowledge.Embedder is { } embedder ? Loaded(embedder)
            : HealthCheckResult.Degraded("No embedding model: search is lexical-only (scripts/download-model.sh, then EMBED_MODEL)."));

    private HealthCheckResult Loaded(ITextEmbedder embedder)
    {
        var data = new Dictionary<string, object>
            {
                ["model"] = embedder.ModelName,
                ["model_identity"] = knowledge.ModelIdentity!,
                ["dimensions"] = embedder.Dimensions,
                ["question_cache_local_hits"] = knowledge.QueryEmbedder?.Hits ?? 0,
                ["question_cache_shared"] = knowledge.SharedEmbeddingCache is not null,
                ["question_cache_shared_hits"] = knowledge.SharedEmbeddingCache?.Hits ?? 0,
                ["question_cache_shared_errors"] = knowledge.SharedEmbeddingCache?.Errors ?? 0,
            };
        // After a model change the index is re-embedded in the background: until then part of it is text-only.
        if (knowledge.ReembedJobId is { } id && jobs.Get(id) is { } job)
        {
            data["reembed_job"] = job.Id;
            data["reembed_status"] = job.Status;
            data["reembed_documents_done"] = job.Completed;
            data["reembed_documents_total"] = job.Total;
            if (job.Status == "running")
            {
                return HealthCheckResult.Degraded(
                    $"The index was built with another embedding model and is being re-embedded ({job.Completed} of {job.Total} documents); " +
                    "until then documents not yet re-embedded are found by text search only.", data: data);
            }
        }

        return HealthCheckResult.Healthy("The embedding model is loaded.", data);
    }
}
