namespace Compliance.Api.Documents;

/// <summary>Where embedding is: before a slice of <see cref="DocumentIngestion.EmbeddingSlice"/> chunks is embedded.</summary>
/// <param name="DocumentId">The document being embedded.</param>
/// <param name="Reindexing">True for a re-index or re-embed of an indexed document, false for an upload being ingested.</param>
/// <param name="ChunksDone">Chunks embedded before this slice.</param>
/// <param name="ChunksTotal">Chunks of the document.</param>
public sealed record EmbeddingProgress(Guid DocumentId, bool Reindexing, int ChunksDone, int ChunksTotal);

/// <summary>
/// Awaited before every embedding slice. The API registers none; tests register one to hold a document part-way
/// (to see its progress, a full ingestion queue, the re-embed job's Degraded health, a stop mid-job) without
/// relying on timing. It gets the stopping token, so a held document is released by a stop.
/// </summary>
public interface IEmbeddingCheckpoint
{
    ValueTask ReachedAsync(EmbeddingProgress progress, CancellationToken cancellationToken);
}
