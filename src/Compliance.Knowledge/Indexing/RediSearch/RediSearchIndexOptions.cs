namespace Compliance.Knowledge.Indexing.RediSearch;

/// <summary>Settings of the RediSearch index. The connection itself is made by the host and passed in.</summary>
public sealed class RediSearchIndexOptions
{
    /// <summary>Name of the search index (<c>FT.CREATE</c> name). Default <c>compliance-chunks</c>.</summary>
    public string IndexName { get; set; } = "compliance-chunks";

    /// <summary>Prefix of the chunk hashes the index covers. Default <c>chunk:</c>.</summary>
    public string KeyPrefix { get; set; } = "chunk:";

    /// <summary>The setting that points at this Redis, named in start-up errors. Default <c>REDIS_VECTOR_URL</c>.</summary>
    public string ConnectionSettingName { get; set; } = "REDIS_VECTOR_URL";

    /// <summary>Weight of the title field relative to the chunk text (weight 1). Default 2.</summary>
    public double TitleWeight { get; set; } = 2.0;

    /// <summary>HNSW graph degree (<c>M</c>). Default 16.</summary>
    public int HnswM { get; set; } = 16;

    /// <summary>HNSW build-time candidate list (<c>EF_CONSTRUCTION</c>). Default 200.</summary>
    public int HnswEfConstruction { get; set; } = 200;

    /// <summary>HNSW query-time candidate list (<c>EF_RUNTIME</c>); larger is more exact and slower. Default 100.</summary>
    public int HnswEfRuntime { get; set; } = 100;

    /// <summary>
    /// Candidates per HNSW batch when a KNN's filter admits most of the index (tenant and status only): RediSearch
    /// asks the graph for this many nearest vectors, drops those the filter refuses, and asks for the next batch until
    /// it has K. At least K; default 100 (twice the 50 candidates hybrid search asks for, so one batch suffices when
    /// the filter admits half the index or more).
    /// </summary>
    public int KnnBatchSize { get; set; } = 100;

    /// <summary>
    /// Server-side limit of every search (<c>TIMEOUT</c>), in milliseconds. A search that passes it fails with
    /// <see cref="SearchTimeoutException"/> instead of answering from the part of the index it reached (the index sets
    /// the module's <c>ON_TIMEOUT</c> to <c>FAIL</c> at start). Default 500, the module's own default.
    /// </summary>
    public int QueryTimeoutMilliseconds { get; set; } = 500;

    /// <summary>
    /// The share of the index from which a query term is frequent: it then only adds to the score of the chunks the
    /// rarer terms find (an optional term) instead of widening the set of chunks to score, while the rarer terms find
    /// enough (see <see cref="TextQueryPlan"/>). Default 0.1, measured at 100k chunks and on ObliQA
    /// (docs/search-performance.md); 0.5 turns it off (terms in half the index or more are left out either way).
    /// </summary>
    public double FrequentTermShare { get; set; } = 0.1;

    /// <summary>
    /// Re-rank what a text query returns with the embedded index's BM25 (FTS5's arithmetic over FTS5's porter tokens,
    /// <see cref="EmbeddedBm25Rescorer"/>) instead of RediSearch's own scorer, so both backends rank alike. Default true:
    /// on ObliQA it raised recall@10 through RediSearch from 0.643 to 0.764 (docs/retrieval-quality.md).
    /// </summary>
    public bool RescoreWithEmbeddedBm25 { get; set; } = true;

    /// <summary>Hash that records the index's vector dimension; outside <see cref="KeyPrefix"/> so it is never indexed.</summary>
    public string MetadataKey => IndexName + ":meta";

    /// <summary>Throws with the name of the first invalid setting.</summary>
    public void Validate()
    {
        Check(!string.IsNullOrWhiteSpace(IndexName) && !IndexName.Any(char.IsWhiteSpace), $"IndexName '{IndexName}' must be non-empty without spaces.");
        Check(!string.IsNullOrWhiteSpace(KeyPrefix) && !KeyPrefix.Any(char.IsWhiteSpace), $"KeyPrefix '{KeyPrefix}' must be non-empty without spaces.");
        Check(!MetadataKey.StartsWith(KeyPrefix, StringComparison.Ordinal), $"KeyPrefix '{KeyPrefix}' would cover the metadata key '{MetadataKey}'.");
        Check(!string.IsNullOrWhiteSpace(ConnectionSettingName), "ConnectionSettingName is empty.");
        Check(double.IsFinite(TitleWeight) && TitleWeight > 0, $"TitleWeight is {TitleWeight}; expected a number above 0.");
        Check(HnswM is >= 2 and <= 512, $"HnswM is {HnswM}; expected 2-512.");
        Check(HnswEfConstruction is >= 1 and <= 4096, $"HnswEfConstruction is {HnswEfConstruction}; expected 1-4096.");
        Check(HnswEfRuntime is >= 1 and <= 4096, $"HnswEfRuntime is {HnswEfRuntime}; expected 1-4096.");
        Check(KnnBatchSize is >= 1 and <= 10_000, $"KnnBatchSize is {KnnBatchSize}; expected 1-10000.");
        Check(FrequentTermShare is > 0 and <= 0.5, $"FrequentTermShare is {FrequentTermShare}; expected above 0 and at most 0.5.");
        Check(QueryTimeoutMilliseconds is >= 1 and <= 60_000, $"QueryTimeoutMilliseconds is {QueryTimeoutMilliseconds}; expected 1-60000.");

        static void Check(bool valid, string message)
        {
            if (!valid)
            {
                throw new ArgumentException("RediSearchIndexOptions." + message);
            }
        }
    }
}
