using System.Diagnostics;
using Compliance.Api.Knowledge;
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
internal sealed class EmbeddingModelHealthCheck(KnowledgeRuntime knowledge) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(knowledge.Embedder is { } embedder
            ? HealthCheckResult.Healthy("The embedding model is loaded.", new Dictionary<string, object>
            {
                ["model"] = embedder.ModelName,
                ["dimensions"] = embedder.Dimensions,
                ["question_cache_local_hits"] = knowledge.QueryEmbedder?.Hits ?? 0,
                ["question_cache_shared"] = knowledge.SharedEmbeddingCache is not null,
                ["question_cache_shared_hits"] = knowledge.SharedEmbeddingCache?.Hits ?? 0,
                ["question_cache_shared_errors"] = knowledge.SharedEmbeddingCache?.Errors ?? 0,
            })
            : HealthCheckResult.Degraded("No embedding model: search is lexical-only (scripts/download-model.sh, then EMBED_MODEL)."));
}
