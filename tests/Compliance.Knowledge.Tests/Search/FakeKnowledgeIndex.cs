using Compliance.Knowledge.Indexing;

namespace Compliance.Knowledge.Tests.Search;

/// <summary>An index that returns preset lists and records the filters it was asked with.</summary>
internal sealed class FakeKnowledgeIndex(IReadOnlyList<RankedChunk> text, IReadOnlyList<RankedChunk> vector) : IKnowledgeIndex
{
    public List<(string Kind, SearchFilter Filter, int Limit)> Calls { get; } = [];

    public string Backend => "fake";

    public Task EnsureCreatedAsync(int dimensions, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task UpsertAsync(IReadOnlyList<ChunkRecord> chunks, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<int> DeleteDocumentAsync(Guid documentId, int? version, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<IReadOnlyList<RankedChunk>> SearchTextAsync(string query, SearchFilter filter, int limit, CancellationToken cancellationToken)
    {
        lock (Calls)
        {
            Calls.Add(("text", filter, limit));
        }
        return Task.FromResult<IReadOnlyList<RankedChunk>>(text.Take(limit).ToList());
    }

    public Task<IReadOnlyList<RankedChunk>> SearchVectorAsync(ReadOnlyMemory<float> query, SearchFilter filter, int limit, CancellationToken cancellationToken)
    {
        lock (Calls)
        {
            Calls.Add(("vector", filter, limit));
        }
        return Task.FromResult<IReadOnlyList<RankedChunk>>(vector.Take(limit).ToList());
    }

    public Task<IndexStatistics> GetStatisticsAsync(CancellationToken cancellationToken) =>
        Task.FromResult(new IndexStatistics(0, 0, null, null, Backend, null));

    public Task<EmbeddingModelChange> UseEmbeddingModelAsync(string model, CancellationToken cancellationToken) => throw new NotSupportedException();
}
