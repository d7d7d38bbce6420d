using Compliance.Knowledge.Indexing.RediSearch;
using NRedisStack.Search;
using NRedisStack.Search.DataTypes;
using StackExchange.Redis;

namespace Compliance.Knowledge.Tests.Indexing;

/// <summary>
/// Reading replies shaped like the RESP2 outputs quoted in redisearch.md: MODULE LIST by the index itself, FT.INFO
/// through NRedisStack's <see cref="InfoResult"/>, search hits through NRedisStack's <see cref="Document"/>.
/// </summary>
public sealed class RediSearchReplyTests
{
    private static RedisResult S(string? text) => RedisResult.Create((RedisValue)text);

    private static RedisResult Array(params RedisResult[] items) => RedisResult.Create(items);

    private static RedisResult Fields(params string[] pairs) => Array(pairs.Select(S).ToArray());

    [Fact]
    public void Module_list_finds_the_search_module_and_its_version()
    {
        var reply = Array(
            Array(S("name"), S("ReJSON"), S("ver"), S("20609"), S("path"), S("/opt/redis-stack/lib/rejson.so"), S("args"), Array()),
            Array(S("name"), S("search"), S("ver"), S("20838"), S("path"), S("/opt/redis-stack/lib/redisearch.so"), S("args"), Array()));

        Assert.Equal(new SearchModuleVersion(20838), RediSearchReplies.SearchModule(reply));
        Assert.Null(RediSearchReplies.SearchModule(Array()));
        Assert.Null(RediSearchReplies.SearchModule(Array(Array(S("name"), S("ReJSON"), S("ver"), S("20609")))));
    }

    [Fact]
    public void Search_results_become_chunks_with_similarity_from_distance()
    {
        var chunk = TestChunks.Make("Blackout rules.", tenant: "42", tags: ["trading"]);
        var fields = RediSearchFields.ToHash(chunk).Where(e => e.Name != RediSearchFields.Vector).ToDictionary(e => (string)e.Name!, e => e.Value);
        fields["dist"] = "0.25";

        var back = RediSearchFields.FromDocument(new Document("chunk:" + chunk.ChunkId, fields));

        Assert.Equal(chunk with { Embedding = null, Tags = [] }, back with { Tags = [] });
        Assert.Equal(["trading"], back.Tags);
    }

    [Fact]
    public void A_document_without_the_index_fields_fails_naming_the_missing_one()
    {
        var missing = Assert.Throws<FormatException>(() => RediSearchFields.FromDocument(new Document("x", new Dictionary<string, RedisValue> { ["title"] = "x" })));

        Assert.Contains("chunk_id", missing.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Info_gives_the_document_count_and_vector_dimension()
    {
        var info = new InfoResult(Array(
            S("index_name"), S("idx"),
            S("attributes"), Array(
                Fields("identifier", "title", "attribute", "title", "type", "TEXT", "WEIGHT", "2"),
                Fields("identifier", "vec", "attribute", "vec", "type", "VECTOR", "algorithm", "HNSW", "data_type", "FLOAT32", "dim", "384", "distance_metric", "COSINE")),
            S("num_docs"), S("13732")));

        Assert.Equal(13732, info.NumDocs);
        Assert.Equal(384, RediSearchReplies.VectorDimensions(info, "vec"));
        Assert.Null(RediSearchReplies.VectorDimensions(new InfoResult(Array(S("num_docs"), S("0"))), "vec"));
    }

    [Fact]
    public void Info_of_the_current_schema_is_accepted_and_an_older_one_is_not()
    {
        // FT.INFO's attributes as RediSearch 2.6.37 replied them for this index's schema.
        var current = new InfoResult(Array(
            S("index_name"), S("idx"),
            S("attributes"), Array(
                Fields("identifier", "text_terms", "attribute", "text_terms", "type", "TEXT", "WEIGHT", "1"),
                Fields("identifier", "tenant", "attribute", "tenant", "type", "TAG", "SEPARATOR", ",", "CASESENSITIVE"),
                Fields("identifier", "vec", "attribute", "vec", "type", "VECTOR")),
            S("num_docs"), S("0")));
        // The schema before search forms and case-sensitive TAGs.
        var older = new InfoResult(Array(
            S("index_name"), S("idx"),
            S("attributes"), Array(
                Fields("identifier", "text", "attribute", "text", "type", "TEXT", "WEIGHT", "1"),
                Fields("identifier", "tenant", "attribute", "tenant", "type", "TAG", "SEPARATOR", ",")),
            S("num_docs"), S("0")));
        var caseInsensitive = new InfoResult(Array(
            S("attributes"), Array(
                Fields("identifier", "text_terms", "attribute", "text_terms", "type", "TEXT", "WEIGHT", "1"),
                Fields("identifier", "tenant", "attribute", "tenant", "type", "TAG", "SEPARATOR", ","))));

        Assert.True(RediSearchReplies.HasCurrentSchema(current));
        Assert.False(RediSearchReplies.HasCurrentSchema(older));
        Assert.False(RediSearchReplies.HasCurrentSchema(caseInsensitive));
        Assert.Null(RediSearchReplies.HasCurrentSchema(new InfoResult(Array(S("num_docs"), S("0")))));
    }

    [Theory]
    [InlineData("Unknown Index name", true)]
    [InlineData("Unknown index name", true)]
    [InlineData("idx: no such index", true)]
    [InlineData("ERR unknown command 'FT.INFO'", false)]
    public void Unknown_index_errors_of_each_version_are_recognised(string message, bool unknown)
    {
        Assert.Equal(unknown, RediSearchKnowledgeIndex.IsUnknownIndex(message));
    }
}

/// <summary>
/// Search replies quoted in redisearch.md, parsed by NRedisStack as the index receives them (through a scripted
/// database: no RediSearch server exists on the build machines).
/// </summary>
public sealed class RediSearchSearchReplyTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static RedisResult S(string? text) => RedisResult.Create((RedisValue)text);

    private static RedisResult Array(params RedisResult[] items) => RedisResult.Create(items);

    private static RedisResult Hash(Compliance.Knowledge.Indexing.ChunkRecord chunk, params string[] extra) =>
        Array([.. RediSearchFields.ToHash(chunk).Where(e => e.Name != RediSearchFields.Vector).SelectMany(e => new[] { S(e.Name!), S(e.Value!) }), .. extra.Select(S)]);

    private static async Task<(RediSearchKnowledgeIndex Index, ScriptedRedis Script)> OpenAsync(string moduleVersion = "20838")
    {
        var (database, script) = ScriptedRedis.Create();
        script.Reply("MODULE", Array(Array(S("name"), S("search"), S("ver"), S(moduleVersion), S("path"), S("/opt/redisearch.so"), S("args"), Array())))
            .Reply("FT.INFO", Array(
                S("index_name"), S("compliance-chunks"),
                S("attributes"), Array(
                    Array(S("identifier"), S("text_terms"), S("attribute"), S("text_terms"), S("type"), S("TEXT"), S("WEIGHT"), S("1")),
                    Array(S("identifier"), S("tenant"), S("attribute"), S("tenant"), S("type"), S("TAG"), S("SEPARATOR"), S(","), S("CASESENSITIVE")),
                    Array(S("identifier"), S("vec"), S("attribute"), S("vec"), S("type"), S("VECTOR"), S("dim"), S("4"))),
                S("num_docs"), S("2")))
            // FT.CONFIG GET: [[name, value]]; already FAIL, so the index sets nothing.
            .Reply("FT.CONFIG", Array(Array(S("ON_TIMEOUT"), S("fail"))));
        var index = new RediSearchKnowledgeIndex(database, new RediSearchIndexOptions());
        await index.EnsureCreatedAsync(4, Token);
        return (index, script);
    }

    /// <summary>What a text search asks first: the index size (FT.INFO) and each term's count (LIMIT 0 0 searches).</summary>
    private static void ScriptTermCounts(ScriptedRedis script, long rows, params long[] counts)
    {
        script.Reply("FT.INFO", Array(S("index_name"), S("compliance-chunks"), S("num_docs"), S(rows.ToString(System.Globalization.CultureInfo.InvariantCulture))));
        foreach (var count in counts)
        {
            script.Reply("FT.SEARCH", Array(S(count.ToString(System.Globalization.CultureInfo.InvariantCulture))));
        }
    }

    [Fact]
    public async Task Opening_sets_the_module_to_fail_a_search_past_its_timeout_when_it_would_answer_from_part_of_the_index()
    {
        var (database, script) = ScriptedRedis.Create();
        script.Reply("MODULE", Array(Array(S("name"), S("search"), S("ver"), S("20838"))))
            .Reply("FT.INFO", Array(S("index_name"), S("compliance-chunks"), S("num_docs"), S("0")))
            .Reply("FT.CONFIG", Array(Array(S("ON_TIMEOUT"), S("return"))))
            .Reply("FT.CONFIG", RedisResult.Create((RedisValue)"OK"));

        await new RediSearchKnowledgeIndex(database, new RediSearchIndexOptions()).EnsureCreatedAsync(4, Token);

        var set = script.Sent.Where(s => s.Command == "FT.CONFIG").Select(s => string.Join(' ', s.Arguments)).ToList();
        Assert.Equal(["GET ON_TIMEOUT", "SET ON_TIMEOUT FAIL"], set);
    }

    [Fact]
    public async Task Text_hits_keep_the_servers_order_and_bm25_scores()
    {
        var (index, script) = await OpenAsync();
        var first = TestChunks.Make("Red fox red fox jumps over.", tenant: "42");
        var second = TestChunks.Make("The quick red fox.", tenant: "42");
        ScriptTermCounts(script, rows: 10, 2, 2);
        // FT.SEARCH ... WITHSCORES: total, then key, score, fields for each hit.
        script.Reply("FT.SEARCH", Array(S("2"),
            S("chunk:" + first.ChunkId), S("0.71428569603939496"), Hash(first),
            S("chunk:" + second.ChunkId), S("0.43478259517475021"), Hash(second)));

        var hits = await index.SearchTextAsync("red fox", new("42"), 10, Token);

        Assert.Equal([first.ChunkId, second.ChunkId], hits.Select(h => h.Chunk.ChunkId));
        Assert.Equal([1, 2], hits.Select(h => h.Rank));
        Assert.Equal(0.71428569603939496, hits[0].Score, 12);
        Assert.Equal("The quick red fox.", hits[1].Chunk.Text);
        var (command, arguments) = script.Sent[^1];
        Assert.Equal("FT.SEARCH", command);
        Assert.Contains("BM25STD", arguments.Select(a => a.ToString()));
    }

    [Fact]
    public async Task Vector_hits_report_cosine_similarity_from_the_distance_field()
    {
        var (index, script) = await OpenAsync();
        var near = TestChunks.Make("Gifts over 100 EUR need approval.", tenant: "global");
        var far = TestChunks.Make("Trading windows close before results.", tenant: "global");
        script.Reply("FT.SEARCH", Array(S("2"),
            S("chunk:" + near.ChunkId), Hash(near, "dist", "0"),
            S("chunk:" + far.ChunkId), Hash(far, "dist", "0.25")));

        var hits = await index.SearchVectorAsync(new float[] { 1, 0, 0, 0 }, new("42"), 2, Token);

        Assert.Equal([near.ChunkId, far.ChunkId], hits.Select(h => h.Chunk.ChunkId));
        Assert.Equal(1.0, hits[0].Score, 12);
        Assert.Equal(0.75, hits[1].Score, 12);
    }

    [Fact]
    public async Task Deleting_a_document_removes_the_keys_a_nocontent_search_lists()
    {
        var (index, script) = await OpenAsync("20637");
        var document = Guid.NewGuid();
        // NOCONTENT replies are the total and keys only; an empty page ends the loop.
        script.Reply("FT.SEARCH", Array(S("2"), S("chunk:a"), S("chunk:b")))
            .Reply("FT.SEARCH", Array(S("0")));

        var deleted = await index.DeleteDocumentAsync(document, null, Token);

        Assert.Equal(2, deleted);
        Assert.Equal(["chunk:a", "chunk:b"], script.Deleted.Select(k => k.ToString()));
        var searches = script.Sent.Where(s => s.Command == "FT.SEARCH").ToList();
        Assert.Equal(2, searches.Count);
        Assert.All(searches, s => Assert.Contains("NOCONTENT", s.Arguments.Select(a => a.ToString())));
    }

    [Fact]
    public async Task The_2_6_module_is_asked_for_the_legacy_bm25_scorer()
    {
        var (index, script) = await OpenAsync("20637");
        ScriptTermCounts(script, rows: 10, 1);
        script.Reply("FT.SEARCH", Array(S("0")));

        Assert.Empty(await index.SearchTextAsync("blackout", new("42"), 10, Token));
        Assert.Equal("2.6.37", index.ModuleVersion.ToString());
        var arguments = script.Sent[^1].Arguments.Select(a => a.ToString()).ToList();
        Assert.Equal("BM25", arguments[arguments.IndexOf("SCORER") + 1]);
    }
}
