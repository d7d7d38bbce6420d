using Compliance.Knowledge.Indexing;
using Compliance.Knowledge.Indexing.RediSearch;
using NRedisStack.RedisStackCommands;
using NRedisStack.Search;
using NRedisStack.Search.Literals.Enums;
using StackExchange.Redis;
using static Compliance.Knowledge.Tests.Indexing.TestChunks;

namespace Compliance.Knowledge.Tests.Indexing;

/// <summary>
/// The shared index behaviours against a real RediSearch. No RediSearch exists on the build machines (Debian's
/// Redis has no Search 2.x module), so these run only where <c>COMPLIANCE_TEST_REDISEARCH_URL</c> points at one
/// and every test reports why it was skipped otherwise.
/// </summary>
public sealed class RediSearchKnowledgeIndexTests : KnowledgeIndexBehaviour
{
    public const string UrlVariable = "COMPLIANCE_TEST_REDISEARCH_URL";

    public const string SkipReason =
        "RediSearch tests skipped: set COMPLIANCE_TEST_REDISEARCH_URL to a Redis with the Search module (e.g. redis-stack-server)";

    private static readonly SearchFilter GlobalFilter = new(Tenants.Global);

    private readonly string _run = "test-" + Guid.NewGuid().ToString("N")[..12];
    private ConnectionMultiplexer? _connection;

    protected override async Task<IKnowledgeIndex> CreateIndexAsync(string name)
    {
        var url = Environment.GetEnvironmentVariable(UrlVariable);
        if (string.IsNullOrWhiteSpace(url))
        {
            Assert.Skip(SkipReason);
        }
        _connection ??= await RedisConnections.ConnectAsync(url);
        return new RediSearchKnowledgeIndex(_connection.GetDatabase(), new RediSearchIndexOptions
        {
            IndexName = $"{_run}-{name}",
            KeyPrefix = $"{_run}-{name}-chunk:",
        });
    }

    protected override async Task DestroyIndexAsync(IKnowledgeIndex index)
    {
        await ((RediSearchKnowledgeIndex)index).DropAsync();
    }

    [Fact]
    public async Task An_index_with_the_old_schema_is_refused_with_how_to_rebuild_it()
    {
        var index = (RediSearchKnowledgeIndex)await CreateIndexAsync("old-schema");
        var name = $"{_run}-old-schema";
        // The schema this index used before it indexed search forms and declared TAGs CASESENSITIVE.
        await _connection!.GetDatabase().FT().CreateAsync(name,
            new FTCreateParams().On(IndexDataType.HASH).Prefix($"{name}-chunk:"),
            new Schema().AddTextField("title", weight: 2).AddTextField("text").AddTagField("tenant", separator: ",")
                .AddHnswVectorField("vec", Schema.VectorField.VectorType.FLOAT32, 4, Schema.VectorField.VectorDistanceMetric.CosineDistance));
        try
        {
            var error = await Assert.ThrowsAsync<InvalidOperationException>(() => index.EnsureCreatedAsync(Dimensions, Token));

            Assert.Contains("older version", error.Message, StringComparison.Ordinal);
            Assert.Contains($"FT.DROPINDEX {name}", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            await index.DropAsync();
        }
    }

    [Fact]
    public async Task The_module_version_picks_the_scorer()
    {
        var index = (RediSearchKnowledgeIndex)await OpenAsync();

        Assert.NotNull(index.ModuleVersion);
        TestContext.Current.SendDiagnosticMessage($"RediSearch {index.ModuleVersion} uses SCORER {index.ModuleVersion!.Value.TextScorer}");
        Assert.Equal(index.ModuleVersion.Value.HasBm25Std ? "BM25STD" : "BM25", index.ModuleVersion.Value.TextScorer);
    }

    [Fact]
    public async Task Opening_the_index_makes_the_module_fail_a_query_that_passes_its_timeout()
    {
        var url = Environment.GetEnvironmentVariable(UrlVariable);
        if (string.IsNullOrWhiteSpace(url))
        {
            Assert.Skip(SkipReason);
        }
        _connection ??= await RedisConnections.ConnectAsync(url);
        var module = _connection.GetDatabase();
        // The module's default: answer with whatever was found before the timeout.
        await module.ExecuteAsync("FT.CONFIG", "SET", "ON_TIMEOUT", "RETURN");

        var index = (RediSearchKnowledgeIndex)await OpenAsync("timeout-policy");

        var policy = (RedisResult[])(await module.ExecuteAsync("FT.CONFIG", "GET", "ON_TIMEOUT"))!;
        Assert.Equal("fail", ((string?)((RedisResult[])policy[0]!)[1])?.ToLowerInvariant());
        await index.DropAsync();
    }

    [Fact]
    public async Task A_search_that_passes_its_timeout_fails_instead_of_answering_from_part_of_the_index()
    {
        var url = Environment.GetEnvironmentVariable(UrlVariable);
        if (string.IsNullOrWhiteSpace(url))
        {
            Assert.Skip(SkipReason);
        }
        _connection ??= await RedisConnections.ConnectAsync(url);
        var name = $"{_run}-timeout";
        var index = new RediSearchKnowledgeIndex(_connection.GetDatabase(), new RediSearchIndexOptions
        {
            IndexName = name,
            KeyPrefix = name + "-chunk:",
            QueryTimeoutMilliseconds = 1,
        });
        try
        {
            await index.EnsureCreatedAsync(Dimensions, Token);
            // 20,000 chunks that all hold the same ten words: a search for them scores every chunk, far past 1 ms.
            string[] words = ["record", "trade", "gift", "vendor", "approve", "report", "window", "insider", "policy", "declare"];
            var random = new Random(3);
            foreach (var batch in Enumerable.Range(0, 20_000).Chunk(2_000))
            {
                await index.UpsertAsync(batch.Select(i => Make(string.Join(' ', Enumerable.Range(0, 30).Select(_ => words[random.Next(words.Length)])) + " " + string.Join(' ', words),
                    chunkId: $"timeout-{i}")).ToList(), Token);
            }
            // Indexing is synchronous for hashes, so every chunk is searchable now.
            var error = await Assert.ThrowsAsync<SearchTimeoutException>(() => index.SearchTextAsync(string.Join(' ', words), GlobalFilter, 50, Token));

            Assert.Contains("timeout", error.Message, StringComparison.Ordinal);
            Assert.IsType<RedisServerException>(error.InnerException);
            // A RedisException: the API answers it as a dependency outage (503 with Retry-After).
            Assert.IsAssignableFrom<RedisException>(error);
        }
        finally
        {
            await index.DropAsync();
        }
    }

    [Fact]
    public async Task Common_terms_are_left_out_of_the_query_while_rarer_terms_find_enough_chunks()
    {
        var index = await OpenAsync("common-terms");
        // "policy" is in every chunk (common), "gift" in 3 of 8, "vendor" in 1.
        var chunks = Enumerable.Range(0, 8).Select(i => Make(
            "policy " + (i < 3 ? "gift " : "") + (i == 0 ? "vendor " : "") + "text number " + i, chunkId: $"common-{i}")).ToList();
        await index.UpsertAsync(chunks, Token);

        // Rarer terms find 3 chunks, enough for a limit of 3: only they are searched, so no chunk with "policy" alone.
        var narrowed = await index.SearchTextAsync("vendor gift policy", GlobalFilter, 3, Token);
        Assert.Equal(["common-0", "common-1", "common-2"], narrowed.Select(r => r.Chunk.ChunkId).Order(StringComparer.Ordinal));
        Assert.Equal("common-0", narrowed[0].Chunk.ChunkId);

        // Asked for more than the rarer terms find: every term is searched, and chunks with "policy" alone follow.
        var filled = await index.SearchTextAsync("vendor gift policy", GlobalFilter, 10, Token);
        Assert.Equal(8, filled.Count);
        Assert.Equal("common-0", filled[0].Chunk.ChunkId);
        Assert.Equal(["common-1", "common-2"], filled.Skip(1).Take(2).Select(r => r.Chunk.ChunkId).Order(StringComparer.Ordinal));

        // Only common terms: searched as they are.
        Assert.Equal(8, (await index.SearchTextAsync("policy", GlobalFilter, 10, Token)).Count);
    }

    [Fact]
    public async Task Frequent_terms_score_what_the_rare_terms_find_without_widening_the_match()
    {
        var index = await OpenAsync("frequent-terms");
        // 40 chunks of about equal length: "vendor" in 3 (7.5 %, rare), "gift" in 8 (20 %, frequent: 2 with "vendor",
        // 6 saying it eight times), "policy" in all (common).
        var chunks = Enumerable.Range(0, 40).Select(i => Make(
            i switch
            {
                0 => "policy vendor other alpha beta gamma delta epsilon zeta text number 0",
                1 or 2 => $"policy vendor gift alpha beta gamma delta epsilon zeta text number {i}",
                >= 34 => $"policy gift gift gift gift gift gift gift gift text number {i}",
                _ => $"policy other other alpha beta gamma delta epsilon zeta text number {i}",
            },
            chunkId: $"frequent-{i:00}")).ToList();
        await index.UpsertAsync(chunks, Token);

        // The rare term decides the match (no chunk with "gift" alone); "gift" ranks the two that also have it first.
        var narrowed = await index.SearchTextAsync("vendor gift policy", GlobalFilter, 3, Token);
        Assert.Equal(["frequent-01", "frequent-02"], narrowed.Take(2).Select(r => r.Chunk.ChunkId).Order(StringComparer.Ordinal));
        Assert.Equal("frequent-00", narrowed[2].Chunk.ChunkId);
        Assert.True(narrowed[1].Score > narrowed[2].Score, "the frequent term adds to the score of the chunks it is in");

        // With the cut off (0.5, the behaviour before), "gift" widens the match and a chunk saying only "gift" takes third place.
        // A second handle on the same index and chunks (CreateIndexAsync's names).
        var name = $"{_run}-frequent-terms";
        var uncut = new RediSearchKnowledgeIndex(_connection!.GetDatabase(), new RediSearchIndexOptions
        {
            IndexName = name,
            KeyPrefix = name + "-chunk:",
            FrequentTermShare = 0.5,
        });
        await uncut.EnsureCreatedAsync(Dimensions, Token);
        var widened = await uncut.SearchTextAsync("vendor gift policy", GlobalFilter, 3, Token);
        Assert.StartsWith("frequent-3", widened[2].Chunk.ChunkId, StringComparison.Ordinal);

        // Asked for more than the rare term finds: "gift" matches again (9 chunks), then every term fills the list.
        var wider = await index.SearchTextAsync("vendor gift policy", GlobalFilter, 9, Token);
        Assert.Equal(["frequent-00", "frequent-01", "frequent-02", "frequent-34", "frequent-35", "frequent-36", "frequent-37", "frequent-38", "frequent-39"],
            wider.Select(r => r.Chunk.ChunkId).Order(StringComparer.Ordinal));
        var filled = await index.SearchTextAsync("vendor gift policy", GlobalFilter, 12, Token);
        Assert.Equal(12, filled.Count);
        Assert.Equal(["frequent-01", "frequent-02"], filled.Take(2).Select(r => r.Chunk.ChunkId).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Rescoring_with_the_embedded_bm25_ranks_the_text_hits_as_the_embedded_index_does()
    {
        var index = await OpenAsync("rescore");
        // Lengths and repetitions on which RediSearch's BM25STD (b 0.5, its own IDF) and FTS5's bm25() (b 0.75) disagree.
        string[] texts =
        [
            "Gifts from a vendor must be declared in the gifts register within five days.",
            "Vendor gifts.",
            "A vendor may offer hospitality such as a dinner; the register records every dinner, lunch and event attended, with the date, the vendor, the value and the approving manager, and the compliance team reviews it quarterly against the gifts policy and the conflicts of interest policy.",
            "Gifts gifts gifts: the register of gifts is kept by compliance.",
            "Trading windows close two weeks before the results are published.",
            "Declare every vendor relationship to your manager.",
        ];
        var chunks = texts.Select((text, i) => Make(text, chunkId: $"rescore-{i}", title: i == 5 ? "Vendor declarations" : "Policy")).ToList();
        await index.UpsertAsync(chunks, Token);
        var folder = Path.Combine(Path.GetTempPath(), "compliance-rescore-tests", Guid.NewGuid().ToString("N"));
        using var embedded = new Compliance.Knowledge.Indexing.Embedded.SqliteKnowledgeIndex(
            new Compliance.Knowledge.Indexing.Embedded.EmbeddedIndexOptions { Path = Path.Combine(folder, "rescore.db") });
        try
        {
            await embedded.EnsureCreatedAsync(Dimensions, Token);
            await embedded.UpsertAsync(chunks, Token);
            var name = $"{_run}-rescore";
            using var rescoring = new RediSearchKnowledgeIndex(_connection!.GetDatabase(), new RediSearchIndexOptions
            {
                IndexName = name,
                KeyPrefix = name + "-chunk:",
                RescoreWithEmbeddedBm25 = true,
            });
            await rescoring.EnsureCreatedAsync(Dimensions, Token);

            foreach (var question in (string[])["vendor gifts register", "dinner with a vendor", "gifts"])
            {
                var expected = (await embedded.SearchTextAsync(question, GlobalFilter, 10, Token)).Select(r => r.Chunk.ChunkId).ToList();
                var rescored = await rescoring.SearchTextAsync(question, GlobalFilter, 10, Token);

                Assert.Equal(expected, rescored.Select(r => r.Chunk.ChunkId));
                Assert.Equal(Enumerable.Range(1, rescored.Count), rescored.Select(r => r.Rank));
                Assert.True(rescored.Zip(rescored.Skip(1)).All(pair => pair.First.Score >= pair.Second.Score), "scores descend with rank");
            }
        }
        finally
        {
            embedded.Dispose();
            Directory.Delete(folder, recursive: true);
        }
    }
}
