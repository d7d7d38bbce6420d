using Compliance.Knowledge.Indexing.RediSearch;
using static Compliance.Knowledge.Indexing.RediSearch.RedisReply;

namespace Compliance.Knowledge.Tests.Indexing;

/// <summary>Parsing of RediSearch replies shaped like the outputs quoted in redisearch.md.</summary>
public sealed class RediSearchReplyTests
{
    private static RedisReply S(string? text) => Scalar(text);

    private static RedisReply Fields(params string[] pairs) => Array(pairs.Select(S).ToArray());

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
    public void Search_reply_with_scores_keeps_order_scores_and_fields()
    {
        // FT.SEARCH idx "red fox" SCORER BM25 WITHSCORES RETURN 2 title tag, as quoted in redisearch.md.
        var reply = Array(
            S("2"),
            S("doc:2"), S("0.71428569603939496"), Fields("title", "red fox red fox jumps over", "tag", "y"),
            S("doc:1"), S("0.43478259517475021"), Fields("title", "the quick red fox", "tag", "x"));

        var documents = RediSearchReplies.Search(reply, withScores: true);

        Assert.Equal(["doc:2", "doc:1"], documents.Select(d => d.Key));
        Assert.Equal(0.71428569603939496, documents[0].Score!.Value, 12);
        Assert.Equal("the quick red fox", documents[1].Fields["title"]);
        Assert.Equal("x", documents[1].Fields["tag"]);
    }

    [Fact]
    public void Knn_reply_carries_the_distance_as_a_field()
    {
        // FT.SEARCH idx "*=>[KNN 2 @vec $B AS score]" SORTBY score RETURN 3 score title tag DIALECT 2 PARAMS 2 B <blob>
        var reply = Array(
            S("2"),
            S("doc:1"), Fields("score", "0", "title", "the quick red fox", "tag", "x"),
            S("doc:2"), Fields("score", "0.00611627101898", "title", "red fox red fox jumps over", "tag", "y"));

        var documents = RediSearchReplies.Search(reply, withScores: false);

        Assert.Equal("0.00611627101898", documents[1].Fields["score"]);
        Assert.Null(documents[0].Score);
    }

    [Fact]
    public void Nocontent_reply_is_keys_only_and_an_empty_result_is_just_the_total()
    {
        var keys = RediSearchReplies.Search(Array(S("3"), S("chunk:a"), S("chunk:b"), S("chunk:c")), withScores: false, withContent: false);

        Assert.Equal(["chunk:a", "chunk:b", "chunk:c"], keys.Select(k => k.Key));
        Assert.Empty(RediSearchReplies.Search(Array(S("0")), withScores: true));
    }

    [Fact]
    public void Search_results_become_chunks_with_similarity_from_distance()
    {
        var chunk = TestChunks.Make("Blackout rules.", tenant: "42", tags: ["trading"]);
        var fields = RediSearchFields.ToHash(chunk).SelectMany(e => new[] { (string)e.Name!, (string)e.Value! }).ToList();
        fields.AddRange(["dist", "0.25"]);

        var document = Assert.Single(RediSearchReplies.Search(Array(S("1"), S("chunk:" + chunk.ChunkId), Fields([.. fields])), withScores: false));
        var back = RediSearchFields.FromFields(document.Fields);

        Assert.Equal(chunk.ChunkId, back.ChunkId);
        Assert.Equal(["trading"], back.Tags);
        Assert.Equal("0.25", document.Fields["dist"]);
    }

    [Fact]
    public void Malformed_replies_fail_with_a_format_error()
    {
        Assert.Throws<FormatException>(() => RediSearchReplies.Search(S("OK"), withScores: true));
        Assert.Throws<FormatException>(() => RediSearchReplies.Search(Array(), withScores: true));
        Assert.Throws<FormatException>(() => RediSearchReplies.Search(Array(S("1"), S("doc:1"), S("0.5")), withScores: true));
        Assert.Throws<FormatException>(() => RediSearchReplies.Search(Array(S("1"), S("doc:1"), S("high"), Fields()), withScores: true));
        var missing = Assert.Throws<FormatException>(() => RediSearchFields.FromFields(new Dictionary<string, string?> { ["title"] = "x" }));
        Assert.Contains("chunk_id", missing.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Info_gives_the_document_count_and_vector_dimension()
    {
        var info = Array(
            S("index_name"), S("idx"),
            S("attributes"), Array(
                Fields("identifier", "title", "attribute", "title", "type", "TEXT", "WEIGHT", "2"),
                Fields("identifier", "vec", "attribute", "vec", "type", "VECTOR", "algorithm", "HNSW", "data_type", "FLOAT32", "dim", "384", "distance_metric", "COSINE")),
            S("num_docs"), S("13732"));

        Assert.Equal("13732", RediSearchReplies.InfoValue(info, "num_docs"));
        Assert.Equal(384, RediSearchReplies.VectorDimensions(info, "vec"));
        Assert.Null(RediSearchReplies.VectorDimensions(Array(S("num_docs"), S("0")), "vec"));
    }

    [Fact]
    public void Info_attributes_list_each_field_with_its_type_and_flags()
    {
        // FT.INFO's attributes as RediSearch 2.6.37 replied them for this index's schema.
        var info = Array(
            S("index_name"), S("idx"),
            S("attributes"), Array(
                Fields("identifier", "text_terms", "attribute", "text_terms", "type", "TEXT", "WEIGHT", "1"),
                Fields("identifier", "tenant", "attribute", "tenant", "type", "TAG", "SEPARATOR", ",", "CASESENSITIVE"),
                Fields("identifier", "vec", "attribute", "vec", "type", "VECTOR")),
            S("num_docs"), S("0"));

        var attributes = RediSearchReplies.Attributes(info);

        Assert.Equal(["text_terms", "tenant", "vec"], attributes.Keys);
        Assert.Equal(["TYPE", "TAG", "SEPARATOR", ",", "CASESENSITIVE"], attributes["tenant"]);
        Assert.Empty(RediSearchReplies.Attributes(Array(S("num_docs"), S("0"))));
    }

    [Fact]
    public void Aggregate_count_reads_the_single_row()
    {
        Assert.Equal(40, RediSearchReplies.AggregateCount(Array(S("1"), Fields("documents", "40")), "documents"));
        Assert.Equal(0, RediSearchReplies.AggregateCount(Array(S("0")), "documents"));
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
