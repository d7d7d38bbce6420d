using Compliance.Api.Configuration;
using Compliance.Api.Knowledge;
using Compliance.Api.Persistence;
using Compliance.Api.Persistence.Entities;
using Compliance.Knowledge.Indexing;
using Compliance.Knowledge.Indexing.Embedded;
using Compliance.ServiceDefaults.Configuration;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Compliance.Api.Documents;

/// <summary>
/// Before traffic: load the model (so the first question doesn't pay for it), create the index, rebuild an index
/// that lost its data (e.g. a deleted embedded file) from the texts kept in Postgres, and on a first start load the
/// sample policies. Ingestion a crash interrupted is resumed after start by <see cref="IngestionWorker"/>.
/// </summary>
internal sealed class DocumentsStartup(
    IServiceProvider services,
    IServiceScopeFactory scopes,
    ReindexJobs jobs,
    IOptions<RetrievalOptions> options,
    ILogger<DocumentsStartup> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        // Resolved here, not in the constructor: the host builds hosted services before it validates options, and
        // a bad ADMIN_TOKEN must be reported as such, not hidden behind a model that fails to load.
        var knowledge = services.GetRequiredService<KnowledgeRuntime>();
        try
        {
            await knowledge.Index.EnsureCreatedAsync(options.Value.Dimensions, cancellationToken);
        }
        catch (Exception ex) when (knowledge.Index is SqliteKnowledgeIndex && ex is IOException or UnauthorizedAccessException or SqliteException)
        {
            // The embedded index's file cannot be created or opened where INDEX_PATH points: the deployment's to fix.
            throw new StartupConfigurationException("INDEX_PATH", $"is not usable: {ex.Message}");
        }

        // Vectors of two models never mix: an index built with another model (or recipe) loses its vectors here and
        // is re-embedded in the background below; text search keeps finding every chunk meanwhile.
        EmbeddingModelChange? modelChange = null;
        if (knowledge.ModelIdentity is { } model)
        {
            modelChange = await knowledge.Index.UseEmbeddingModelAsync(model, cancellationToken);
        }

        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ComplianceDbContext>();
        var ingestion = scope.ServiceProvider.GetRequiredService<DocumentIngestion>();

        // Interrupted ingestion is not resumed here but by IngestionWorker once the API listens: off the critical path.
        // The documents are read only for an empty index: their first query costs ~0.1 s of every cold start.
        var statistics = await knowledge.Index.GetStatisticsAsync(cancellationToken);
        var indexed = statistics.Chunks == 0
            ? await db.Documents.Where(d => d.Status == DocumentStatus.Indexed).ToListAsync(cancellationToken)
            : [];
        if (indexed.Count > 0)
        {
            logger.LogWarning("The {Backend} index is empty but {Count} documents are indexed in the database; rebuilding it", statistics.Backend, indexed.Count);
            foreach (var document in indexed)
            {
                await ingestion.ReindexAsync(document, cancellationToken);
            }
        }

        if (modelChange is { Changed: true } change && statistics.Chunks > 0 && indexed.Count == 0)
        {
            var job = await jobs.StartReembedAsync(cancellationToken);
            knowledge.ReembedJobId = job.Id;
            logger.LogWarning(
                "The {Backend} index was built with the embedding model {PreviousModel}, but this instance runs {Model}: its {Vectors} vectors " +
                "were removed and re-embed job {JobId} re-embeds every document in the background (until it ends, chunks not yet re-embedded are found by text search only)",
                statistics.Backend, change.PreviousModel ?? "(unrecorded)", knowledge.ModelIdentity, change.VectorsRemoved, job.Id);
        }

        if (options.Value.SamplePoliciesDirectory is { Length: > 0 } samples && !await db.Documents.AnyAsync(cancellationToken))
        {
            await LoadSamplesAsync(ingestion, samples, cancellationToken);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private async Task LoadSamplesAsync(DocumentIngestion ingestion, string directory, CancellationToken cancellationToken)
    {
        var files = Directory.GetFiles(directory, "*.md").Where(f => !Path.GetFileName(f).Equals("README.md", StringComparison.OrdinalIgnoreCase)).Order(StringComparer.Ordinal);
        foreach (var file in files)
        {
            var bytes = await File.ReadAllBytesAsync(file, cancellationToken);
            var upload = new DocumentUpload(bytes, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes)),
                Path.GetFileName(file), new Dictionary<string, string>());
            var document = await ingestion.IngestNowAsync(upload,
                new IngestRequest(Tenants.Global, null, null, ["sample"], null, "system:samples"), cancellationToken);
            logger.LogInformation("Sample policy {File}: {Status}, {Chunks} chunks", Path.GetFileName(file), document.Status, document.ChunkCount);
        }
    }
}
