using Compliance.Api.Persistence.Entities;
using Compliance.Knowledge.Embeddings;
using Compliance.Knowledge.Indexing;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Compliance.Benchmarks.Ingestion;

// The real ingestion code (the API's DocumentIngestion) has no timing hooks of its own, so the run observes it from
// the outside: the embedder and the index are wrapped, and the database context reports its saves. Together they
// mark every boundary between the stages, in the order DocumentIngestion runs them:
//   insert row (database) → extract → save "indexing" (database) → chunk → embed → records + upsert (index)
//   → statuses, supersession (database).

/// <summary>Charges embedding calls to <see cref="IngestStage.Embed"/> and remembers what was embedded.</summary>
internal sealed class TimedTextEmbedder(ITextEmbedder inner, StageClock clock) : ITextEmbedder
{
    public List<string> Embedded { get; } = [];

    public int Dimensions => inner.Dimensions;

    public string ModelName => inner.ModelName;

    public Task<float[]> EmbedQueryAsync(string query, CancellationToken cancellationToken) => inner.EmbedQueryAsync(query, cancellationToken);

    public async Task<float[][]> EmbedPassagesAsync(IReadOnlyList<string> texts, CancellationToken cancellationToken)
    {
        clock.Enter(IngestStage.Embed);
        var vectors = await inner.EmbedPassagesAsync(texts, cancellationToken);
        // What follows an embedding call in ingestion is building the index records.
        clock.Enter(IngestStage.Index);
        Embedded.AddRange(texts);
        return vectors;
    }
}

/// <summary>Charges index writes to <see cref="IngestStage.Index"/> and remembers the chunks written.</summary>
internal sealed class TimedKnowledgeIndex(IKnowledgeIndex inner, StageClock clock) : IKnowledgeIndex, IDisposable
{
    public List<ChunkRecord> Upserted { get; } = [];

    public string Backend => inner.Backend;

    public Task EnsureCreatedAsync(int dimensions, CancellationToken cancellationToken) => inner.EnsureCreatedAsync(dimensions, cancellationToken);

    public async Task UpsertAsync(IReadOnlyList<ChunkRecord> chunks, CancellationToken cancellationToken)
    {
        clock.Enter(IngestStage.Index);
        await inner.UpsertAsync(chunks, cancellationToken);
        clock.Enter(IngestStage.Database);
        Upserted.AddRange(chunks);
    }

    public async Task<int> DeleteDocumentAsync(Guid documentId, int? version, CancellationToken cancellationToken)
    {
        var resume = clock.Current ?? IngestStage.Database;
        clock.Enter(IngestStage.Index);
        var deleted = await inner.DeleteDocumentAsync(documentId, version, cancellationToken);
        clock.Enter(resume);
        return deleted;
    }

    public Task<IReadOnlyList<RankedChunk>> SearchTextAsync(string query, SearchFilter filter, int limit, CancellationToken cancellationToken) =>
        inner.SearchTextAsync(query, filter, limit, cancellationToken);

    public Task<IReadOnlyList<RankedChunk>> SearchVectorAsync(ReadOnlyMemory<float> vector, SearchFilter filter, int limit, CancellationToken cancellationToken) =>
        inner.SearchVectorAsync(vector, filter, limit, cancellationToken);

    public Task<IndexStatistics> GetStatisticsAsync(CancellationToken cancellationToken) => inner.GetStatisticsAsync(cancellationToken);

    public Task<EmbeddingModelChange> UseEmbeddingModelAsync(string model, CancellationToken cancellationToken) =>
        inner.UseEmbeddingModelAsync(model, cancellationToken);

    public void Dispose() => (inner as IDisposable)?.Dispose();
}

/// <summary>
/// Charges every save to <see cref="IngestStage.Database"/>, and tells from what was saved which stage comes next:
/// after a new document row, extraction; after the row marked "indexing" (extracted text stored), chunking.
/// </summary>
internal sealed class StageSaveInterceptor(StageClock clock) : SaveChangesInterceptor
{
    private IngestStage _next = IngestStage.Database;

    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        Saving(eventData);
        return result;
    }

    public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        Saving(eventData);
        return ValueTask.FromResult(result);
    }

    public override int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        clock.Enter(_next);
        return result;
    }

    public override ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        clock.Enter(_next);
        return ValueTask.FromResult(result);
    }

    public override void SaveChangesFailed(DbContextErrorEventData eventData) => clock.Enter(IngestStage.Database);

    public override Task SaveChangesFailedAsync(DbContextErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        clock.Enter(IngestStage.Database);
        return Task.CompletedTask;
    }

    private void Saving(DbContextEventData eventData)
    {
        clock.Enter(IngestStage.Database);
        var documents = eventData.Context?.ChangeTracker.Entries<ComplianceDocument>().ToList() ?? [];
        // The worker's saves: "extracting" without text is followed by extraction, "extracting" with its text by
        // chunking; the "embedding" save after chunking is followed by the embedder, which enters its own stage.
        _next = documents.Any(d => d.State == EntityState.Modified && d.Entity is { Status: DocumentStatus.Extracting, ExtractedText: null }) ? IngestStage.Extract
            : documents.Any(d => d.State == EntityState.Modified && d.Entity is { Status: DocumentStatus.Extracting, ExtractedText: not null }) ? IngestStage.Chunk
            : IngestStage.Database;
    }
}
