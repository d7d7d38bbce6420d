using Compliance.Knowledge.Embeddings;
using Compliance.Knowledge.Indexing;
using Compliance.Knowledge.Indexing.RediSearch;
using Compliance.Knowledge.Search;
using StackExchange.Redis;

namespace Compliance.Knowledge.Tests.Indexing;

/// <summary>
/// Hybrid search over RediSearch fetches both lists as ids and scores and loads only the fused top k
/// (<see cref="ICandidateSearch"/>). Against a real RediSearch: the result is the one the full-chunk path gives (same
/// chunks, ranks, scores, every field), only k chunks are loaded, and a chunk removed between search and load gives
/// way to the next one. Skipped with the reason printed when <c>COMPLIANCE_TEST_REDISEARCH_URL</c> is not set.
/// </summary>
public sealed class RediSearchCandidateSearchTests : IAsyncLifetime
{
    private const int Dimensions = 8;
    private static readonly SearchFilter Tenant = new("100000000000000003");
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static readonly string[] Questions =
    [
        "vendor gifts register dinner",
        "trading window blackout before results",
        "records retention archive period",
        "Can a vendor buy me dinner?",
    ];

    private readonly string _run = "cand-" + Guid.NewGuid().ToString("N")[..12];
    private readonly List<RediSearchKnowledgeIndex> _indexes = [];
    private ConnectionMultiplexer? _connection;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        foreach (var index in _indexes)
        {
            await index.DropAsync();
            index.Dispose();
        }
        _connection?.Dispose();
    }

    [Fact]
    public async Task Hybrid_search_loads_only_the_fused_top_k_with_every_field_and_ranks_as_the_full_chunk_path()
    {
        var (index, chunks) = await CorpusAsync("same");
        var settings = new (string Name, HybridSearchOptions Options)[]
        {
            ("shipped defaults", new HybridSearchOptions { TopK = 5, CandidatesPerList = 200 }),
            ("RRF", new HybridSearchOptions { Fusion = FusionMethod.Rrf, TopK = 5, CandidatesPerList = 200 }),
            ("weighted min-max, 2 per document", new HybridSearchOptions { Normalization = ScoreNormalization.MinMax, MaxChunksPerDocument = 2, TopK = 8, CandidatesPerList = 200 }),
        };
        foreach (var (name, options) in settings)
        {
            foreach (var question in Questions)
            {
                var counting = new CountingIndex(index);
                var embedder = new FixedEmbedder(Unit(new Random(question.Length), Dimensions));
                var lean = await new HybridSearch(counting, embedder, options).SearchAsync(question, Tenant, null, Token);
                var full = await new HybridSearch(new FullChunksOnly(index), embedder, options).SearchAsync(question, Tenant, null, Token);

                Assert.Equal(options.TopK, lean.Hits.Count);
                Assert.Equal(Describe(full.Hits), Describe(lean.Hits));
                Assert.Equal(full.TopVectorSimilarity, lean.TopVectorSimilarity);
                // The fused top k only, in one load: not the 2 × 200 candidates.
                Assert.Equal([options.TopK], counting.Loads);
                foreach (var hit in lean.Hits)
                {
                    AssertSameFields(chunks[hit.Chunk.ChunkId], hit.Chunk, $"{name}, '{question}'");
                }
            }
        }
    }

    [Fact]
    public async Task A_chunk_removed_between_the_search_and_the_load_gives_way_to_the_next_candidate()
    {
        var (index, _) = await CorpusAsync("removed");
        var options = new HybridSearchOptions { TopK = 5, CandidatesPerList = 200 };
        var embedder = new FixedEmbedder(Unit(new Random(7), Dimensions));
        var before = await new HybridSearch(index, embedder, options).SearchAsync(Questions[0], Tenant, null, Token);
        var removed = before.Hits[1].Chunk.ChunkId;
        // What the lists hold when the search runs (before the removal), without the removed chunk.
        var text = (await index.SearchTextCandidatesAsync(Questions[0], Tenant, 200, Token)).Where(c => c.ChunkId != removed).ToList();
        var vector = (await index.SearchVectorCandidatesAsync(await embedder.EmbedQueryAsync("", Token), Tenant, 200, Token)).Where(c => c.ChunkId != removed).ToList();
        var expected = RankFusion.FuseCandidates(text, vector, options, 5);
        var counting = new CountingIndex(index)
        {
            // Another instance removes the second hit after the lists came back.
            BeforeFirstLoad = () => _connection!.GetDatabase().KeyDeleteAsync($"{_run}-removed-chunk:{removed}"),
        };

        var during = await new HybridSearch(counting, embedder, options).SearchAsync(Questions[0], Tenant, null, Token);

        Assert.Equal(5, during.Hits.Count);
        Assert.DoesNotContain(during.Hits, hit => hit.Chunk.ChunkId == removed);
        Assert.Equal(expected.Select(f => f.ChunkId), during.Hits.Select(h => h.Chunk.ChunkId));
        Assert.Equal(Enumerable.Range(1, 5), during.Hits.Select(h => h.Rank));
        Assert.True(counting.Loads.Count >= 2, "the missing chunks' places were loaded in a second round trip");
    }

    [Fact]
    public async Task Text_candidates_rank_as_the_text_search_from_stored_terms_and_from_hashes_written_without_them()
    {
        foreach (var (name, stored) in new[] { ("current", true), ("legacy", false) })
        {
            var (_, chunks) = await CorpusAsync(name, stored);
            if (stored)
            {
                // Written with the chunk: FTS5's porter terms of title and text with their counts.
                var sample = chunks.Values.First();
                var terms = (string?)await _connection!.GetDatabase().HashGetAsync($"{_run}-{name}-chunk:{sample.ChunkId}", RediSearchFields.Bm25Terms);
                // The title "Policy N": N once in the title, never in the text (which has no digits).
                Assert.Contains($" {sample.Title.Split(' ')[1]} 1 0 ", $" {terms} ", StringComparison.Ordinal);
            }
            // Each on its own handle, so each re-ranks with its own token cache: the candidates from the stored terms
            // (or, for the older hashes, the text fetched and tokenised), the full-chunk search from the returned text.
            var candidateIndex = await OpenAsync(name);
            var chunkIndex = await OpenAsync(name);
            for (var pass = 0; pass < 2; pass++)
            {
                // The second pass re-ranks from the token cache.
                foreach (var question in Questions)
                {
                    // More than the corpus holds, so no chunk is cut at a tie with the last one returned.
                    var candidates = await candidateIndex.SearchTextCandidatesAsync(question, Tenant, 200, Token);
                    var full = await chunkIndex.SearchTextAsync(question, Tenant, 200, Token);

                    Assert.NotEmpty(candidates);
                    var expected = full.Select(c => (c.Chunk.ChunkId, c.Chunk.DocumentId, c.Rank, c.Score)).ToList();
                    var actual = candidates.Select(c => (c.ChunkId, c.DocumentId, c.Rank, c.Score)).ToList();
                    Assert.True(expected.SequenceEqual(actual),
                        $"{name}, pass {pass}, '{question}':\n{string.Join("\n", expected)}\nagainst\n{string.Join("\n", actual)}");
                }
            }
        }
    }

    [Fact]
    public async Task Chunks_written_right_after_the_index_is_created_are_indexed_once()
    {
        var url = Environment.GetEnvironmentVariable(RediSearchKnowledgeIndexTests.UrlVariable);
        if (string.IsNullOrWhiteSpace(url))
        {
            Assert.Skip(RediSearchKnowledgeIndexTests.SkipReason);
        }
        _connection ??= await RedisConnections.ConnectAsync(url);
        var database = _connection.GetDatabase();
        // 60,000 other keys: FT.CREATE's background scan of the keyspace then takes a while, as on a shared Redis.
        var filler = $"{_run}-filler:";
        foreach (var batch in Enumerable.Range(0, 60_000).Chunk(5_000))
        {
            await Task.WhenAll(batch.Select(i => database.StringSetAsync(filler + i, "x")));
        }
        try
        {
            var (_, chunks) = await CorpusAsync("scan");
            var first = await RecordsAsync();
            await Task.Delay(3000, Token);

            // Had the scan met the chunks after they were indexed on write, it would index them again and the
            // records would grow while it runs (garbage the module's GC removes only later).
            Assert.Equal(first, await RecordsAsync());
            Assert.Equal(chunks.Count, first.Docs);
        }
        finally
        {
            foreach (var batch in Enumerable.Range(0, 60_000).Chunk(5_000))
            {
                await database.KeyDeleteAsync([.. batch.Select(i => (RedisKey)(filler + i))]);
            }
        }

        async Task<(long Docs, long Records)> RecordsAsync()
        {
            var info = (RedisResult[])(await database.ExecuteAsync("FT.INFO", $"{_run}-scan"))!;
            var pairs = Enumerable.Range(0, info.Length / 2).ToDictionary(i => (string)info[2 * i]!, i => info[(2 * i) + 1]);
            return ((long)pairs["num_docs"], (long)pairs["num_records"]);
        }
    }

    private async Task<(RediSearchKnowledgeIndex Index, Dictionary<string, ChunkRecord> Chunks)> CorpusAsync(string name, bool withTextLength = true)
    {
        var index = await OpenAsync(name);
        // 120 chunks over 12 documents, in the tenant and global, one disabled and one of another tenant: enough overlap
        // between the two lists that fusion, ties and the per-document cap matter.
        // The questions' words first (the most frequent under the Zipf-like draw), then 180 rarer ones, so few chunks
        // share a score: RediSearch's order among chunks of equal score is not fixed from one query to the next.
        string[] words =
        [
            "vendor", "gift", "gifts", "register", "dinner", "hospitality", "trading", "window", "blackout", "results",
            "records", "retention", "archive", "period", "approve", "manager", "policy", "compliance", "declare", "value",
            .. Enumerable.Range(0, 180).Select(i => "word" + (char)('a' + (i % 26)) + (char)('a' + (i / 26))),
        ];
        var random = new Random(11);
        var documents = Enumerable.Range(0, 12).Select(_ => Guid.NewGuid()).ToArray();
        var chunks = Enumerable.Range(0, 120).Select(i =>
        {
            var text = string.Join(' ', Enumerable.Range(0, random.Next(20, 60)).Select(_ => words[(int)Math.Min(words.Length - 1, Math.Exp(random.NextDouble() * Math.Log(words.Length)) - 1)]));
            return TestChunks.Make(
                text + ".",
                embedding: Unit(random, Dimensions),
                tenant: i % 3 == 0 ? Tenants.Global : i == 50 ? "999999999999999999" : Tenant.TenantId,
                title: $"Policy {i % 12}",
                documentId: documents[i % 12],
                ordinal: i,
                status: i == 40 ? ChunkStatus.Disabled : ChunkStatus.Active,
                tags: i % 2 == 0 ? ["hr", "gifts"] : ["trading"]);
        }).ToList();
        if (withTextLength)
        {
            await index.UpsertAsync(chunks, Token);
        }
        else
        {
            // As an earlier version of the index wrote them: without the text length and the stored terms.
            var database = _connection!.GetDatabase();
            foreach (var chunk in chunks)
            {
                await database.HashSetAsync($"{_run}-{name}-chunk:{chunk.ChunkId}", [.. RediSearchFields.ToHash(chunk).Where(e => e.Name != RediSearchFields.TextLength)]);
            }
        }
        return (index, chunks.ToDictionary(c => c.ChunkId, StringComparer.Ordinal));
    }

    private async Task<RediSearchKnowledgeIndex> OpenAsync(string name)
    {
        var url = Environment.GetEnvironmentVariable(RediSearchKnowledgeIndexTests.UrlVariable);
        if (string.IsNullOrWhiteSpace(url))
        {
            Assert.Skip(RediSearchKnowledgeIndexTests.SkipReason);
        }
        _connection ??= await RedisConnections.ConnectAsync(url);
        var index = new RediSearchKnowledgeIndex(_connection.GetDatabase(), new RediSearchIndexOptions
        {
            IndexName = $"{_run}-{name}",
            KeyPrefix = $"{_run}-{name}-chunk:",
        });
        _indexes.Add(index);
        await index.EnsureCreatedAsync(Dimensions, Token);
        return index;
    }

    private static List<string> Describe(IReadOnlyList<HybridHit> hits) =>
        [.. hits.Select(h => $"{h.Rank} {h.Chunk.ChunkId} fused {h.FusedScore:R} text {h.TextRank}/{h.TextScore:R} vector {h.VectorRank}/{h.VectorScore:R}")];

    private static void AssertSameFields(ChunkRecord expected, ChunkRecord actual, string because)
    {
        Assert.True(expected with { Embedding = null, Tags = actual.Tags } == actual, $"{because}: {actual} is not {expected}");
        Assert.Equal(expected.Tags, actual.Tags);
    }

    private static float[] Unit(Random random, int dimensions)
    {
        var vector = Enumerable.Range(0, dimensions).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        var norm = MathF.Sqrt(vector.Sum(v => v * v));
        return [.. vector.Select(v => v / norm)];
    }

    private sealed class FixedEmbedder(float[] vector) : ITextEmbedder
    {
        public int Dimensions => vector.Length;

        public string ModelName => "fixed-test";

        public Task<float[]> EmbedQueryAsync(string query, CancellationToken cancellationToken) => Task.FromResult(vector);

        public Task<float[][]> EmbedPassagesAsync(IReadOnlyList<string> passages, CancellationToken cancellationToken) => throw new NotSupportedException();
    }

    /// <summary>The RediSearch index without its candidate search, so hybrid search takes the full-chunk path.</summary>
    private sealed class FullChunksOnly(RediSearchKnowledgeIndex inner) : IKnowledgeIndex
    {
        public string Backend => inner.Backend;

        public Task EnsureCreatedAsync(int dimensions, CancellationToken cancellationToken) => inner.EnsureCreatedAsync(dimensions, cancellationToken);

        public Task UpsertAsync(IReadOnlyList<ChunkRecord> chunks, CancellationToken cancellationToken) => inner.UpsertAsync(chunks, cancellationToken);

        public Task<int> DeleteDocumentAsync(Guid documentId, int? version, CancellationToken cancellationToken) => inner.DeleteDocumentAsync(documentId, version, cancellationToken);

        public Task<IReadOnlyList<RankedChunk>> SearchTextAsync(string query, SearchFilter filter, int limit, CancellationToken cancellationToken) =>
            inner.SearchTextAsync(query, filter, limit, cancellationToken);

        public Task<IReadOnlyList<RankedChunk>> SearchVectorAsync(ReadOnlyMemory<float> vector, SearchFilter filter, int limit, CancellationToken cancellationToken) =>
            inner.SearchVectorAsync(vector, filter, limit, cancellationToken);

        public Task<IndexStatistics> GetStatisticsAsync(CancellationToken cancellationToken) => inner.GetStatisticsAsync(cancellationToken);

        public Task<EmbeddingModelChange> UseEmbeddingModelAsync(string model, CancellationToken cancellationToken) => inner.UseEmbeddingModelAsync(model, cancellationToken);
    }

    /// <summary>The RediSearch index with its candidate search, recording how many chunks each load asks for.</summary>
    private sealed class CountingIndex(RediSearchKnowledgeIndex inner) : IKnowledgeIndex, ICandidateSearch
    {
        private readonly FullChunksOnly _full = new(inner);

        public List<int> Loads { get; } = [];

        public Func<Task>? BeforeFirstLoad { get; init; }

        public string Backend => inner.Backend;

        public Task EnsureCreatedAsync(int dimensions, CancellationToken cancellationToken) => _full.EnsureCreatedAsync(dimensions, cancellationToken);

        public Task UpsertAsync(IReadOnlyList<ChunkRecord> chunks, CancellationToken cancellationToken) => _full.UpsertAsync(chunks, cancellationToken);

        public Task<int> DeleteDocumentAsync(Guid documentId, int? version, CancellationToken cancellationToken) => _full.DeleteDocumentAsync(documentId, version, cancellationToken);

        public Task<IReadOnlyList<RankedChunk>> SearchTextAsync(string query, SearchFilter filter, int limit, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("hybrid search over a candidate index must not fetch full chunks");

        public Task<IReadOnlyList<RankedChunk>> SearchVectorAsync(ReadOnlyMemory<float> vector, SearchFilter filter, int limit, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("hybrid search over a candidate index must not fetch full chunks");

        public Task<IndexStatistics> GetStatisticsAsync(CancellationToken cancellationToken) => _full.GetStatisticsAsync(cancellationToken);

        public Task<EmbeddingModelChange> UseEmbeddingModelAsync(string model, CancellationToken cancellationToken) => _full.UseEmbeddingModelAsync(model, cancellationToken);

        public Task<IReadOnlyList<RankedCandidate>> SearchTextCandidatesAsync(string query, SearchFilter filter, int limit, CancellationToken cancellationToken) =>
            inner.SearchTextCandidatesAsync(query, filter, limit, cancellationToken);

        public Task<IReadOnlyList<RankedCandidate>> SearchVectorCandidatesAsync(ReadOnlyMemory<float> vector, SearchFilter filter, int limit, CancellationToken cancellationToken) =>
            inner.SearchVectorCandidatesAsync(vector, filter, limit, cancellationToken);

        public async Task<IReadOnlyDictionary<string, ChunkRecord>> LoadChunksAsync(IReadOnlyCollection<string> chunkIds, SearchFilter filter, CancellationToken cancellationToken)
        {
            if (Loads.Count == 0 && BeforeFirstLoad is not null)
            {
                await BeforeFirstLoad();
            }
            Loads.Add(chunkIds.Count);
            return await inner.LoadChunksAsync(chunkIds, filter, cancellationToken);
        }
    }
}
