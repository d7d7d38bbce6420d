using Compliance.Knowledge.Chunking;
using Compliance.Knowledge.Embeddings;
using Compliance.Knowledge.Indexing;
using Compliance.Knowledge.Search;

namespace Compliance.Api.Knowledge;

/// <summary>
/// The retrieval parts the API uses, built once at start: chunker, embedder (absent in lexical-only mode), index
/// and hybrid search. Extraction belongs to Documents (<c>AddDocuments</c>), with its per-document limits.
/// </summary>
public sealed class KnowledgeRuntime(
    DocumentChunker chunker,
    ITextEmbedder? embedder,
    IKnowledgeIndex index,
    HybridSearch search,
    IDisposable? ownedConnection = null) : IDisposable
{
    public DocumentChunker Chunker { get; } = chunker;

    /// <summary>Null when no embedding model is loaded: search is lexical-only.</summary>
    public ITextEmbedder? Embedder { get; } = embedder;

    public IKnowledgeIndex Index { get; } = index;

    public HybridSearch Search { get; } = search;

    /// <summary>
    /// The embedder questions go through: an in-process cache over the shared Redis cache (when Redis is set) over
    /// the model. Null without a model. Its counters feed the health report.
    /// </summary>
    public CachingTextEmbedder? QueryEmbedder { get; init; }

    /// <summary>The shared (Redis) layer of <see cref="QueryEmbedder"/>, when there is one.</summary>
    public SharedEmbeddingCache? SharedEmbeddingCache => QueryEmbedder?.Inner as SharedEmbeddingCache;

    /// <summary>
    /// What the index records as the model behind its vectors (<see cref="OnnxTextEmbedder.ModelIdentity"/>: name,
    /// recipe, model hash); null without a model.
    /// </summary>
    public string? ModelIdentity => Embedder switch
    {
        null => null,
        OnnxTextEmbedder onnx => onnx.ModelIdentity,
        var other => $"{other.ModelName} {other.Dimensions}d",
    };

    /// <summary>
    /// The background job re-embedding the documents because the index was built with another model (set at start,
    /// see DocumentsStartup); null when the index already matched. Health is degraded while it runs.
    /// </summary>
    public Guid? ReembedJobId { get; set; }

    /// <summary><c>hybrid</c>, or <c>lexical-only</c> without a model.</summary>
    public string Mode => Embedder is null ? "lexical-only" : "hybrid";

    public void Dispose()
    {
        (Embedder as IDisposable)?.Dispose();
        (Index as IDisposable)?.Dispose();
        ownedConnection?.Dispose();
    }
}
