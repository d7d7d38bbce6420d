using Compliance.Knowledge.Indexing;
using Compliance.Knowledge.Indexing.Embedded;
using Compliance.Knowledge.Search;
using Compliance.Knowledge.Tests.Indexing;

namespace Compliance.Knowledge.Tests.Search;

public sealed class HybridSearchTests : IDisposable
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "compliance-hybrid-tests", Guid.NewGuid().ToString("N"));

    private static List<RankedChunk> List(params string[] ids) =>
        ids.Select((id, i) => new RankedChunk(TestChunks.Make("text " + id, chunkId: id), i + 1, 10 - i)).ToList();

    [Fact]
    public async Task Without_an_embedder_it_searches_text_only_and_says_why()
    {
        var index = new FakeKnowledgeIndex(List("a", "b"), List("z"));
        var search = new HybridSearch(index, embedder: null, new HybridSearchOptions());

        var result = await search.SearchAsync("gifts", new SearchFilter("42"), topK: null, Token);

        Assert.Equal(SearchMode.LexicalOnly, result.Mode);
        Assert.Contains("no embedding model", result.ModeReason, StringComparison.Ordinal);
        Assert.Null(result.Fusion);
        Assert.Equal(["a", "b"], result.Hits.Select(h => h.Chunk.ChunkId));
        Assert.Equal(["text"], index.Calls.Select(c => c.Kind));
        Assert.Equal(TimeSpan.Zero, result.Timings.Embed);
    }

    [Fact]
    public async Task Both_lists_run_under_the_identical_filter_with_the_candidate_count()
    {
        var index = new FakeKnowledgeIndex(List("a", "b"), List("b", "c"));
        var embedder = new KeywordEmbedder();
        var search = new HybridSearch(index, embedder, new HybridSearchOptions { Fusion = FusionMethod.Rrf, CandidatesPerList = 7, TopK = 3 });
        var filter = new SearchFilter("42", DocumentIds: [Guid.NewGuid()], Tags: ["hr"]);

        var result = await search.SearchAsync("gifts", filter, topK: null, Token);

        Assert.Equal(SearchMode.Hybrid, result.Mode);
        Assert.Equal(FusionMethod.Rrf, result.Fusion);
        Assert.Equal(1, embedder.Calls);
        Assert.Equal(2, index.Calls.Count);
        Assert.All(index.Calls, call => Assert.Same(filter, call.Filter));
        Assert.All(index.Calls, call => Assert.Equal(7, call.Limit));
        Assert.Equal("b", result.Hits[0].Chunk.ChunkId); // the only chunk in both lists
        Assert.Equal(3, result.Hits.Count);
        Assert.True(result.Timings.Total >= result.Timings.Embed);
    }

    [Fact]
    public async Task Text_and_vector_only_modes_run_one_list()
    {
        var index = new FakeKnowledgeIndex(List("a"), List("z"));

        var text = await new HybridSearch(index, new KeywordEmbedder(), new HybridSearchOptions { Lists = RetrievalLists.TextOnly })
            .SearchAsync("q", new SearchFilter("1"), null, Token);
        var vector = await new HybridSearch(index, new KeywordEmbedder(), new HybridSearchOptions { Lists = RetrievalLists.VectorOnly })
            .SearchAsync("q", new SearchFilter("1"), null, Token);

        Assert.Equal((SearchMode.LexicalOnly, "a"), (text.Mode, text.Hits.Single().Chunk.ChunkId));
        Assert.Equal((SearchMode.VectorOnly, "z"), (vector.Mode, vector.Hits.Single().Chunk.ChunkId));
    }

    [Fact]
    public async Task Weighted_fusion_is_used_when_configured()
    {
        var index = new FakeKnowledgeIndex(List("a", "b"), List("b", "a"));
        // Without lexical re-ranking, so the fused score is the weighted sum itself (LexicalRerankTests covers re-ranking).
        var options = new HybridSearchOptions { Fusion = FusionMethod.Weighted, Normalization = ScoreNormalization.MinMax, TextWeight = 0.9, VectorWeight = 0.1, LexicalRerankDepth = 0 };

        var result = await new HybridSearch(index, new KeywordEmbedder(), options).SearchAsync("q", new SearchFilter("1"), null, Token);

        Assert.Equal(FusionMethod.Weighted, result.Fusion);
        Assert.Equal(["a", "b"], result.Hits.Select(h => h.Chunk.ChunkId));
        Assert.Equal(0.9, result.Hits[0].FusedScore, 9);
    }

    public static TheoryData<string, Action<HybridSearchOptions>> InvalidOptions => new()
    {
        { "CandidatesPerList", o => o.CandidatesPerList = 0 },
        { "RrfK", o => o.RrfK = -1 },
        { "TopK", o => o.TopK = 0 },
        { "TopK", o => { o.TopK = 60; o.CandidatesPerList = 50; } },
        { "TextWeight", o => o.TextWeight = double.NaN },
        { "both 0", o => { o.Fusion = FusionMethod.Weighted; o.TextWeight = 0; o.VectorWeight = 0; } },
        { "both 0", o => { o.Fusion = FusionMethod.Rrf; o.TextWeight = 0; o.VectorWeight = 0; } },
        { "Normalization", o => o.Normalization = (ScoreNormalization)7 },
        { "MaxChunksPerDocument", o => o.MaxChunksPerDocument = 0 },
        { "LexicalRerankDepth", o => o.LexicalRerankDepth = -1 },
        { "LexicalRerankDepth", o => { o.Fusion = FusionMethod.Rrf; o.LexicalRerankDepth = 20; } },
        { "LexicalRerankWeight", o => o.LexicalRerankWeight = 1.5 },
        { "AdaptiveTextZThreshold", o => o.AdaptiveTextZThreshold = double.PositiveInfinity },
        { "AdaptiveTextZThreshold", o => { o.Fusion = FusionMethod.Rrf; o.AdaptiveTextZThreshold = 3; } },
        { "AdaptiveVectorWeight", o => o.AdaptiveVectorWeight = -0.1 },
    };

    [Theory]
    [MemberData(nameof(InvalidOptions))]
    public void Invalid_options_are_refused_naming_the_setting(string setting, Action<HybridSearchOptions> change)
    {
        var options = new HybridSearchOptions();
        change(options);

        var error = Assert.Throws<ArgumentException>(() => new HybridSearch(new FakeKnowledgeIndex([], []), null, options));
        Assert.Contains(setting, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Vector_only_without_an_embedder_is_refused()
    {
        var error = Assert.Throws<ArgumentException>(() =>
            new HybridSearch(new FakeKnowledgeIndex([], []), null, new HybridSearchOptions { Lists = RetrievalLists.VectorOnly }));
        Assert.Contains("no embedder", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Through_the_embedded_index_the_vector_list_finds_what_the_words_miss()
    {
        using var index = new SqliteKnowledgeIndex(new EmbeddedIndexOptions { Path = Path.Combine(_folder, "hybrid.db") });
        var embedder = new KeywordEmbedder();
        await index.EnsureCreatedAsync(embedder.Dimensions, Token);
        string[] texts =
        [
            "Presents from clients must be declared within five days.",
            "Trading during the blackout window is prohibited.",
            "Hospitality above 100 EUR needs approval.",
            "Records are kept for seven years.",
            "Outside business activities need approval.",
        ];
        var documents = texts.Select(_ => Guid.NewGuid()).ToArray();
        await index.UpsertAsync(
            texts.Select((t, i) => TestChunks.Make(t, KeywordEmbedder.Embed(t), documentId: documents[i])).ToList(), Token);
        const string question = "Must a gift be declared?";

        var lexical = await new HybridSearch(index, null, new HybridSearchOptions { TopK = 3 })
            .SearchAsync(question, new SearchFilter(Tenants.Global), null, Token);
        var hybrid = await new HybridSearch(index, embedder, new HybridSearchOptions { TopK = 3 })
            .SearchAsync(question, new SearchFilter(Tenants.Global), null, Token);

        // "must" and "declared" match only the presents passage by words; "gift" matches nothing literally.
        Assert.Equal([texts[0]], lexical.Hits.Select(h => h.Chunk.Text));
        Assert.Equal(SearchMode.Hybrid, hybrid.Mode);
        Assert.Equal(texts[0], hybrid.Hits[0].Chunk.Text); // in both lists
        Assert.Equal(texts[2], hybrid.Hits[1].Chunk.Text); // found by meaning only
        Assert.Null(hybrid.Hits[1].TextRank);
        Assert.NotNull(hybrid.Hits[1].VectorRank);
        Assert.All(hybrid.Hits, h => Assert.Equal(Tenants.Global, h.Chunk.TenantId));
    }

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }
}
