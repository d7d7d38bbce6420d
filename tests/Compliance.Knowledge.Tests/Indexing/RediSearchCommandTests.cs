using System.Runtime.InteropServices;
using Compliance.Knowledge.Indexing;
using Compliance.Knowledge.Indexing.RediSearch;
using NRedisStack;
using NRedisStack.Search;

namespace Compliance.Knowledge.Tests.Indexing;

/// <summary>
/// The exact commands the RediSearch index sends, checked without a server: the typed NRedisStack requests are
/// serialised by NRedisStack's own <see cref="SearchCommandBuilder"/>, as the client sends them.
/// </summary>
public sealed class RediSearchCommandTests
{
    private static readonly RediSearchIndexOptions Options = new();
    private static readonly SearchModuleVersion V26 = new(20637);
    private static readonly SearchModuleVersion V28 = new(20838);

    [Theory]
    [InlineData("blackout", "blackout")]
    [InlineData("under_score", "under_score")]
    [InlineData("Règle42", "Règle42")]
    [InlineData("a b", @"a\ b")]
    [InlineData(",.<>{}[]\"':;!@#$%^&*()-+=~|/\\", @"\,\.\<\>\{\}\[\]\""\'\:\;\!\@\#\$\%\^\&\*\(\)\-\+\=\~\|\/\\")]
    public void Escape_backslashes_every_character_but_letters_digits_and_underscore(string value, string expected)
    {
        Assert.Equal(expected, RediSearchSyntax.Escape(value));
    }

    [Fact]
    public void User_text_becomes_escaped_terms_ored()
    {
        Assert.Equal("(title | blackout | window | 2025) ~title ~blackout ~window ~2025", RediSearchSyntax.TextClause("@title:{blackout} -window* | \"2025\""));
        Assert.Equal("(near | gifts) ~near ~gifts", RediSearchSyntax.TextClause("NEAR gifts AND and Gifts"));
    }

    [Theory]
    [InlineData("the\nregister", "the register")]
    [InlineData("Gifts.\r\n\r\nRegister", "gifts register")]
    [InlineData("employee’s “cash” gifts—including", "employee s cash gifts including")]
    [InlineData("100\u00a0EUR, policy_id A\\B", "100 eur policy id a b")]
    [InlineData("Règle GÉNÉRALE für Cafe\u0301", "regle generale fur cafe")]
    [InlineData("  leading and trailing…  ", "leading and trailing")]
    [InlineData("नमस्ते Привет 東京", "नमस्ते привет 東京")]
    [InlineData("", "")]
    public void Search_form_splits_where_the_embedded_tokenizer_does_and_folds_latin_diacritics(string text, string expected)
    {
        Assert.Equal(expected, RediSearchSearchForm.Of(text));
    }

    [Fact]
    public void Query_terms_are_folded_like_the_indexed_search_form()
    {
        Assert.Equal("(regle | generale) ~regle ~generale", RediSearchSyntax.TextClause("Règle regle GÉNÉRALE"));
        Assert.Equal("(cafe) ~cafe", RediSearchSyntax.TextClause("Cafe\u0301"));
    }

    [Fact]
    public void A_chunk_hash_indexes_the_search_forms_and_keeps_the_originals()
    {
        var chunk = TestChunks.Make("Logged in the\nregister.", title: "Règles");

        var hash = RediSearchFields.ToHash(chunk).ToDictionary(e => (string)e.Name!, e => (string?)e.Value);

        Assert.Equal("Logged in the\nregister.", hash[RediSearchFields.Text]);
        Assert.Equal("logged in the register", hash[RediSearchFields.TextTerms]);
        Assert.Equal("Règles", hash[RediSearchFields.Title]);
        Assert.Equal("regles", hash[RediSearchFields.TitleTerms]);
        Assert.DoesNotContain(RediSearchFields.TextTerms, RediSearchFields.Returned);
        Assert.DoesNotContain(RediSearchFields.TitleTerms, RediSearchFields.Returned);
    }

    [Theory]
    [InlineData("")]
    [InlineData("\"")]
    [InlineData("@*-|{}()")]
    [InlineData("the and of")]
    public void Text_without_terms_sends_no_query(string text)
    {
        Assert.Null(RediSearchSyntax.TextClause(text));
        Assert.Null(RediSearchCommands.TextSearch(text, new SearchFilter("1"), 10, V28));
    }

    [Fact]
    public void Filter_is_tenant_global_plus_own_and_active_with_escaped_tags()
    {
        var document = Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e");
        var filter = new SearchFilter("123456789012345678", DocumentIds: [document], Tags: ["hr policy", "a|b"]);

        Assert.Equal(
            @"@tenant:{global | 123456789012345678} @status:{active} @document:{0f8fad5bd9cb469fa16570867728950e} @tags:{hr\ policy | a\|b}",
            RediSearchSyntax.FilterClause(filter));
    }

    [Fact]
    public void A_hostile_tenant_id_stays_inside_its_braces()
    {
        var clause = RediSearchSyntax.FilterClause(new SearchFilter("x} | @tenant:{B"));

        Assert.Equal(@"@tenant:{global | x\}\ \|\ \@tenant\:\{B} @status:{active}", clause);
    }

    [Fact]
    public void The_global_tenant_is_not_repeated()
    {
        Assert.StartsWith("@tenant:{global} ", RediSearchSyntax.FilterClause(new SearchFilter(Tenants.Global)), StringComparison.Ordinal);
    }

    [Fact]
    public void Create_index_declares_weighted_text_case_sensitive_tags_numbers_and_an_hnsw_cosine_vector()
    {
        var definition = RediSearchCommands.CreateIndex(Options, 384);
        var command = SearchCommandBuilder.Create(Options.IndexName, definition.Parameters, definition.Schema);

        Assert.Equal("FT.CREATE", command.Command);
        // NRedisStack leaves out what equals the server's defaults: ON HASH, SEPARATOR ",", M 16, EF_CONSTRUCTION 200 (EF_RUNTIME 100 is not: 10).
        Assert.Equal(
            "compliance-chunks PREFIX 1 chunk: SCHEMA title_terms TEXT WEIGHT 2 text_terms TEXT " +
            "tenant TAG CASESENSITIVE document TAG CASESENSITIVE version TAG CASESENSITIVE " +
            "status TAG CASESENSITIVE tags TAG CASESENSITIVE " +
            "ordinal NUMERIC effective NUMERIC " +
            "vec VECTOR HNSW 8 DIM 384 TYPE FLOAT32 DISTANCE_METRIC COSINE EF_RUNTIME 100",
            Text(command.Args));
    }

    [Fact]
    public void Hnsw_parameter_count_matches_the_parameters_given()
    {
        var options = new RediSearchIndexOptions { HnswM = 32, HnswEfConstruction = 400, HnswEfRuntime = 50, TitleWeight = 1.5 };
        var definition = RediSearchCommands.CreateIndex(options, 4);
        var arguments = SearchCommandBuilder.Create(options.IndexName, definition.Parameters, definition.Schema).Args.Select(Text).ToList();
        var count = int.Parse(arguments[arguments.IndexOf("HNSW") + 1], System.Globalization.CultureInfo.InvariantCulture);

        Assert.Equal(count, arguments.Count - arguments.IndexOf("HNSW") - 2);
        Assert.Equal("DIM 4 TYPE FLOAT32 DISTANCE_METRIC COSINE M 32 EF_CONSTRUCTION 400 EF_RUNTIME 50",
            string.Join(' ', arguments.Skip(arguments.IndexOf("HNSW") + 2)));
        Assert.Equal("1.5", arguments[arguments.IndexOf("title_terms") + 3]);
    }

    [Fact]
    public void Frequent_terms_are_sent_as_optional_terms_only()
    {
        var query = Search(RediSearchCommands.TextSearch(new TextQueryTerms(["vendor", "dinner"], ["gift", "a-b"]), new SearchFilter("42"), 50, V28)!);

        Assert.Equal(@"@tenant:{global | 42} @status:{active} (vendor | dinner) ~vendor ~dinner ~gift ~a\-b", query[1]);
        Assert.Null(RediSearchCommands.TextSearch(new TextQueryTerms([], ["gift"]), new SearchFilter("42"), 50, V28));
    }

    [Fact]
    public void The_text_plan_ors_rare_terms_and_lets_frequent_ones_score_falling_back_to_wider_queries()
    {
        // 1,000 chunks: "vendor" in 20 (2 %), "gift" in 150 (15 %), "policy" in 600 (60 %), "zebra" in none.
        string[] terms = ["vendor", "gift", "policy", "zebra"];
        long[] counts = [20, 150, 600, 0];

        var plan = TextQueryPlan.For(terms, counts, 1000, frequentShare: 0.1);

        Assert.Equal(3, plan.Count);
        Assert.Equal(["vendor"], plan[0].Matching);
        Assert.Equal(["gift"], plan[0].ScoringOnly);
        Assert.Equal(["vendor", "gift"], plan[1].Matching);
        Assert.Empty(plan[1].ScoringOnly);
        Assert.Equal(terms, plan[2].Matching);
        Assert.Empty(plan[2].ScoringOnly);

        // A cut of 0.5 turns the optional-only step off: today's two steps remain.
        Assert.Equal([["vendor", "gift"], terms], TextQueryPlan.For(terms, counts, 1000, frequentShare: 0.5).Select(p => p.Matching));
        // No rare term: nothing to narrow to, so the frequent ones match as before.
        Assert.Equal([["gift"], ["gift", "policy"]], TextQueryPlan.For(["gift", "policy"], [150, 600], 1000, 0.1).Select(p => p.Matching));
        // Only rare terms: one query.
        Assert.Equal([["vendor", "dinner"]], TextQueryPlan.For(["vendor", "dinner"], [20, 3], 1000, 0.1).Select(p => p.Matching));
    }

    [Fact]
    public void Text_search_uses_bm25std_from_2_8_and_bm25_before()
    {
        var filter = new SearchFilter("42");
        var on28 = Search(RediSearchCommands.TextSearch("blackout window", filter, 50, V28)!);
        var on26 = Search(RediSearchCommands.TextSearch("blackout window", filter, 50, V26)!);

        Assert.Equal(
            "compliance-chunks|@tenant:{global | 42} @status:{active} (blackout | window) ~blackout ~window|WITHSCORES|SCORER|BM25STD|LIMIT|0|50|RETURN|15|" +
            string.Join('|', RediSearchFields.Returned) + "|DIALECT|2",
            string.Join('|', on28));
        Assert.Equal("BM25", on26[on26.IndexOf("SCORER") + 1]);
        var unknown = Search(RediSearchCommands.TextSearch("x1", filter, 5, SearchModuleVersion.Unknown)!);
        Assert.Equal("BM25", unknown[unknown.IndexOf("SCORER") + 1]);
    }

    [Fact]
    public void Vector_search_prefilters_sorts_by_distance_and_sends_the_vector_as_bytes()
    {
        float[] vector = [0.5f, -0.25f, 1f, 0f];
        var arguments = SearchCommandBuilder.Search(Options.IndexName, RediSearchCommands.VectorSearch(vector, new SearchFilter("42", Tags: ["hr"]), 50)).Args;
        var text = arguments.Select(Text).ToList();

        Assert.Equal("(@tenant:{global | 42} @status:{active} @tags:{hr})=>[KNN 50 @vec $B HYBRID_POLICY ADHOC_BF AS dist]", text[1]);
        Assert.Equal(["SORTBY", "dist", "ASC"], text.Skip(text.IndexOf("SORTBY")).Take(3));
        Assert.Equal("dist", text[text.IndexOf("RETURN") + 1 + RediSearchFields.Returned.Count + 1]);
        Assert.Equal(["LIMIT", "0", "50"], text.Skip(text.IndexOf("LIMIT")).Take(3));
        Assert.Equal(["PARAMS", "2", "B"], text.Skip(text.IndexOf("PARAMS")).Take(3));
        var blob = Assert.IsType<byte[]>(Raw(arguments[text.IndexOf("PARAMS") + 3]));
        Assert.Equal(16, blob.Length);
        Assert.Equal(vector, MemoryMarshal.Cast<byte, float>(blob).ToArray());
        Assert.Equal([0x00, 0x00, 0x00, 0x3F], blob[..4]); // 0.5f little-endian
        Assert.Equal(["DIALECT", "2"], text.TakeLast(2));
    }

    [Fact]
    public void A_tenant_only_filter_walks_the_hnsw_graph_in_batches_and_a_document_or_tag_filter_scans_exactly()
    {
        float[] vector = [1f, 0f, 0f, 0f];
        string Knn(SearchFilter filter, int limit, int batchSize) => RediSearchCommands.VectorSearch(vector, filter, limit, batchSize).QueryString;

        Assert.Equal("(@tenant:{global | 42} @status:{active})=>[KNN 50 @vec $B HYBRID_POLICY BATCHES BATCH_SIZE 100 AS dist]",
            Knn(new SearchFilter("42"), 50, 100));
        // A batch smaller than K would need a second round for every query.
        Assert.Contains("BATCH_SIZE 80 ", Knn(new SearchFilter("42"), 80, 10), StringComparison.Ordinal);
        Assert.Contains("HYBRID_POLICY ADHOC_BF ", Knn(new SearchFilter("42", DocumentIds: [Guid.NewGuid()]), 50, 100), StringComparison.Ordinal);
        Assert.Contains("HYBRID_POLICY ADHOC_BF ", Knn(new SearchFilter("42", Tags: ["hr"]), 50, 100), StringComparison.Ordinal);
        Assert.Equal(KnnPolicy.Batches, RediSearchCommands.KnnPolicyFor(new SearchFilter("42", DocumentIds: [], Tags: [])));
    }

    [Fact]
    public void Searches_carry_the_timeout_they_are_given()
    {
        var filter = new SearchFilter("42");
        var text = Search(RediSearchCommands.TextSearch("blackout", filter, 50, V28, timeoutMilliseconds: 250)!);
        var knn = Search(RediSearchCommands.VectorSearch([1f, 0f, 0f, 0f], filter, 50, timeoutMilliseconds: 250));
        var count = Search(RediSearchCommands.TermCount("blackout", timeoutMilliseconds: 250));

        Assert.Equal(["TIMEOUT", "250"], text.Skip(text.IndexOf("TIMEOUT")).Take(2));
        Assert.Equal(["TIMEOUT", "250"], knn.Skip(knn.IndexOf("TIMEOUT")).Take(2));
        Assert.Equal("compliance-chunks|blackout|NOCONTENT|LIMIT|0|0|DIALECT|2|TIMEOUT|250", string.Join('|', count));
        Assert.DoesNotContain("TIMEOUT", Search(RediSearchCommands.TextSearch("blackout", filter, 50, V28)!));
    }

    [Fact]
    public void A_term_count_escapes_the_term()
    {
        Assert.Equal(@"a\-b", RediSearchCommands.TermCount("a-b").QueryString);
    }

    [Theory]
    [InlineData(0, 100, false)]
    [InlineData(49, 100, false)]
    [InlineData(50, 100, true)]
    [InlineData(51, 101, true)]
    [InlineData(50, 101, false)]
    [InlineData(0, 0, false)]
    public void A_term_is_common_where_fts5_floors_its_idf(long rowsWithTerm, long rows, bool common)
    {
        // FTS5: idf = log((N - n + 0.5) / (n + 0.5)), floored when it is at most 0.
        Assert.Equal(rows > 0 && Math.Log((rows - rowsWithTerm + 0.5) / (rowsWithTerm + 0.5)) <= 0, common);
        Assert.Equal(common, QueryTerms.IsCommon(rowsWithTerm, rows));
    }

    [Fact]
    public void Text_search_of_chosen_terms_ors_only_those()
    {
        var query = RediSearchCommands.TextSearch(["blackout", "window"], new SearchFilter("42"), 50, V28)!;

        Assert.Equal("@tenant:{global | 42} @status:{active} (blackout | window) ~blackout ~window", query.QueryString);
        Assert.Null(RediSearchCommands.TextSearch([], new SearchFilter("42"), 50, V28));
    }

    [Fact]
    public void Document_keys_query_names_the_document_and_optionally_the_version()
    {
        var document = Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e");

        Assert.Equal("compliance-chunks|@document:{0f8fad5bd9cb469fa16570867728950e}|NOCONTENT|LIMIT|0|500|DIALECT|2|TIMEOUT|10000",
            string.Join('|', Search(RediSearchCommands.DocumentKeys(document, null, 500))));
        Assert.Equal("@document:{0f8fad5bd9cb469fa16570867728950e} @version:{3}",
            RediSearchCommands.DocumentKeys(document, 3, 500).QueryString);
    }

    [Fact]
    public void Document_count_is_a_distinct_count_over_the_whole_index()
    {
        var command = SearchCommandBuilder.Aggregate(Options.IndexName, RediSearchCommands.CountDocuments());

        Assert.Equal("FT.AGGREGATE", command.Command);
        Assert.Equal("compliance-chunks * GROUPBY 0 REDUCE COUNT_DISTINCT 1 @document AS documents TIMEOUT 10000 DIALECT 2", Text(command.Args));
    }

    [Fact]
    public void A_chunk_round_trips_through_its_hash_fields()
    {
        var chunk = TestChunks.Make("Text, with \"quotes\" and ünïcode.", [1f, 2f, 3f, 4f], tenant: "42", title: "Gifts", version: 2, ordinal: 5, tags: ["hr", "gifts policy"]);

        var hash = RediSearchFields.ToHash(chunk);
        var fields = hash.Where(e => e.Name != RediSearchFields.Vector).ToDictionary(e => (string)e.Name!, e => (string?)e.Value);
        var back = RediSearchFields.FromFields(fields);

        Assert.Equal(chunk with { Embedding = null, Tags = [] }, back with { Tags = [] });
        Assert.Equal(chunk.Tags, back.Tags);
        Assert.Equal("20250101", fields[RediSearchFields.Effective]);
        var vector = (byte[]?)hash.Single(e => e.Name == RediSearchFields.Vector).Value;
        Assert.Equal(chunk.Embedding, MemoryMarshal.Cast<byte, float>(vector).ToArray());
    }

    [Fact]
    public void Options_are_validated_naming_the_setting()
    {
        Assert.Contains("IndexName", Assert.Throws<ArgumentException>(() => new RediSearchIndexOptions { IndexName = "a b" }.Validate()).Message, StringComparison.Ordinal);
        Assert.Contains("KeyPrefix", Assert.Throws<ArgumentException>(() => new RediSearchIndexOptions { KeyPrefix = "" }.Validate()).Message, StringComparison.Ordinal);
        Assert.Contains("metadata", Assert.Throws<ArgumentException>(() => new RediSearchIndexOptions { IndexName = "chunk", KeyPrefix = "chunk" }.Validate()).Message, StringComparison.Ordinal);
        Assert.Contains("HnswM", Assert.Throws<ArgumentException>(() => new RediSearchIndexOptions { HnswM = 1 }.Validate()).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(20637, "2.6.37", false)]
    [InlineData(20800, "2.8.0", true)]
    [InlineData(20838, "2.8.38", true)]
    [InlineData(80200, "8.2.0", true)]
    public void Module_version_reads_like_the_release(int number, string text, bool bm25Std)
    {
        var version = new SearchModuleVersion(number);

        Assert.Equal(text, version.ToString());
        Assert.Equal(bm25Std, version.HasBm25Std);
    }

    private static List<string> Search(Query query) =>
        SearchCommandBuilder.Search(Options.IndexName, query).Args.Select(Text).ToList();

    private static string Text(object[] arguments) => string.Join(' ', arguments.Select(Text));

    private static string Text(object argument) => Raw(argument) switch
    {
        byte[] bytes => Convert.ToHexString(bytes),
        IFormattable number => number.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
        var other => other?.ToString() ?? "",
    };

    // NRedisStack passes some arguments as StackExchange.Redis values; unwrap them to what goes on the wire.
    private static object? Raw(object argument) => argument switch
    {
        StackExchange.Redis.RedisValue value when value.IsInteger => (long)value,
        StackExchange.Redis.RedisValue value => (byte[]?)value is { } bytes && !IsText(bytes) ? bytes : (string?)value,
        _ => argument,
    };

    private static bool IsText(byte[] bytes) => bytes.All(b => b is >= 0x20 and < 0x7F);
}
