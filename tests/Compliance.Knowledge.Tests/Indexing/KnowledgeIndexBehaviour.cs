using Compliance.Knowledge.Indexing;
using static Compliance.Knowledge.Tests.Indexing.TestChunks;

namespace Compliance.Knowledge.Tests.Indexing;

/// <summary>
/// The behaviours every index backend must show. Each backend's test class derives from this one and supplies a
/// fresh, empty index; the same assertions then run against SQLite and against RediSearch.
/// </summary>
public abstract class KnowledgeIndexBehaviour : IAsyncLifetime
{
    protected const int Dimensions = 4;
    private const string TenantA = "111111111111111111";
    private const string TenantB = "222222222222222222";

    private readonly List<IKnowledgeIndex> _opened = [];

    /// <summary>A new empty index (or a skip, for a backend whose server is not configured).</summary>
    protected abstract Task<IKnowledgeIndex> CreateIndexAsync(string name);

    /// <summary>Removes whatever <see cref="CreateIndexAsync"/> created.</summary>
    protected abstract Task DestroyIndexAsync(IKnowledgeIndex index);

    protected static CancellationToken Token => TestContext.Current.CancellationToken;

    protected async Task<IKnowledgeIndex> OpenAsync(string name = "main", int dimensions = Dimensions)
    {
        var index = await CreateIndexAsync(name);
        _opened.Add(index);
        await index.EnsureCreatedAsync(dimensions, Token);
        return index;
    }

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        foreach (var index in _opened)
        {
            await DestroyIndexAsync(index);
        }
        GC.SuppressFinalize(this);
    }

    private static SearchFilter Global => new(Tenants.Global);

    [Fact]
    public async Task A_new_embedding_model_removes_the_old_models_vectors_and_keeps_the_text()
    {
        var index = await OpenAsync("model-change");
        var first = await index.UseEmbeddingModelAsync("model-a mean norm q=\"\" p=\"\" 512 sha256:aaaaaaaaaaaa", Token);
        Assert.Equal(new EmbeddingModelChange(null, true, 0), first);
        var trades = Make("Personal trades need pre-clearance.", Vector(0, 1, 0, 0));
        await index.UpsertAsync([Make("Gifts above 100 EUR are recorded in the gifts register.", Vector(1, 0, 0, 0)), trades], Token);

        // The same model again (a restart): nothing changes.
        var same = await index.UseEmbeddingModelAsync("model-a mean norm q=\"\" p=\"\" 512 sha256:aaaaaaaaaaaa", Token);
        Assert.Equal(new EmbeddingModelChange("model-a mean norm q=\"\" p=\"\" 512 sha256:aaaaaaaaaaaa", false, 0), same);
        Assert.Equal(2, (await index.SearchVectorAsync(Vector(1, 1, 0, 0), Global, 10, Token)).Count);

        // Another model: its vectors would be compared with model-a's, so model-a's go.
        var changed = await index.UseEmbeddingModelAsync("model-b cls norm q=\"\" p=\"\" 512 sha256:bbbbbbbbbbbb", Token);

        Assert.Equal(new EmbeddingModelChange("model-a mean norm q=\"\" p=\"\" 512 sha256:aaaaaaaaaaaa", true, 2), changed);
        Assert.Empty(await index.SearchVectorAsync(Vector(1, 1, 0, 0), Global, 10, Token));
        Assert.Single(await index.SearchTextAsync("gifts register", Global, 10, Token));
        Assert.Equal(2, (await index.GetStatisticsAsync(Token)).Chunks);
        // Re-embedded chunks are searchable by vector again.
        await index.UpsertAsync([trades with { Embedding = Vector(0, 0, 1, 0) }], Token);
        Assert.Equal(trades.ChunkId, Assert.Single(await index.SearchVectorAsync(Vector(0, 0, 1, 0), Global, 10, Token)).Chunk.ChunkId);
    }

    [Fact]
    public async Task Empty_index_returns_no_results_for_text_or_vector()
    {
        var index = await OpenAsync();

        Assert.Empty(await index.SearchTextAsync("blackout window", Global, 10, Token));
        Assert.Empty(await index.SearchVectorAsync(Vector(1, 0, 0, 0), Global, 10, Token));
        var statistics = await index.GetStatisticsAsync(Token);
        Assert.Equal(0, statistics.Chunks);
        Assert.Equal(index.Backend, statistics.Backend);
    }

    [Fact]
    public async Task Passage_containing_the_query_terms_ranks_first()
    {
        var index = await OpenAsync();
        var blackout = Make("Employees may not trade company shares during a blackout window before quarterly results.", ordinal: 1);
        await index.UpsertAsync(
        [
            Make("Gifts and entertainment above 100 EUR must be recorded in the gifts register."),
            blackout,
            Make("Records are retained for seven years after the end of the business relationship."),
            Make("Trading in personal accounts requires pre-clearance from compliance."),
        ], Token);

        var results = await index.SearchTextAsync("Can I trade shares in the blackout window?", Global, 10, Token);

        Assert.Equal(blackout.ChunkId, results[0].Chunk.ChunkId);
        Assert.Equal(1, results[0].Rank);
        Assert.Equal(Enumerable.Range(1, results.Count), results.Select(r => r.Rank));
        Assert.True(results.Zip(results.Skip(1)).All(pair => pair.First.Score >= pair.Second.Score), "scores must not increase down the list");
        Assert.DoesNotContain(results, r => r.Chunk.Text.StartsWith("Records", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Search_results_carry_every_stored_field()
    {
        var index = await OpenAsync();
        var chunk = Make("Pre-clearance is required for personal trades.", Vector(1, 2, 3, 4), tenant: TenantA, title: "Personal trading",
            version: 3, ordinal: 7, tags: ["trading", "personal account"]);
        await index.UpsertAsync([chunk], Token);

        var text = Assert.Single(await index.SearchTextAsync("pre-clearance", new SearchFilter(TenantA), 5, Token));
        var vector = Assert.Single(await index.SearchVectorAsync(Vector(1, 2, 3, 4), new SearchFilter(TenantA), 5, Token));

        foreach (var found in new[] { text.Chunk, vector.Chunk })
        {
            Assert.Equal(chunk with { Embedding = null, Tags = [] }, found with { Embedding = null, Tags = [] });
            Assert.Equal(chunk.Tags.Order(), found.Tags.Order());
        }
    }

    public static TheoryData<string> QuerySyntax =>
    [
        "@title:blackout", "blackout*", "-blackout", "blackout | window", "\"blackout window", "{blackout}", "@tenant:{global} blackout",
        "blackout NEAR window", "blackout AND window", "(blackout OR window)", "blackout NOT", "title:blackout", "^blackout",
        "blackout~2", "%blackout%", "$B blackout", "blackout\\", "*=>[KNN 2 @vec $B] blackout", "blackout'; DROP TABLE chunks; --", "NEAR(blackout window, 2)",
    ];

    [Theory]
    [MemberData(nameof(QuerySyntax))]
    public async Task Query_syntax_in_user_text_is_searched_literally(string query)
    {
        var index = await OpenAsync();
        var blackout = Make("No trading during the blackout window.");
        await index.UpsertAsync([blackout, Make("Gifts must be declared.")], Token);

        var results = await index.SearchTextAsync(query, Global, 10, Token);

        Assert.Equal(blackout.ChunkId, Assert.Single(results).Chunk.ChunkId);
    }

    [Fact]
    public async Task Word_forms_match_through_stemming()
    {
        var index = await OpenAsync();
        var declared = Make("Presents received must be declared to compliance.");
        await index.UpsertAsync([declared, Make("Trading is restricted.")], Token);

        Assert.Equal(declared.ChunkId, Assert.Single(await index.SearchTextAsync("declare a present", Global, 10, Token)).Chunk.ChunkId);
    }

    public static TheoryData<string, string> WordBoundaries => new()
    {
        // Extracted PDFs and Word files are full of these; RediSearch's tokenizer splits on none of them.
        { "Gifts must be logged in the\nregister kept by compliance.", "register" },
        { "Gifts must be logged.\r\nRegister entries are kept.", "logged" },
        { "The employee’s manager approves.", "employee" },
        { "Cash gifts—including vouchers—are refused.", "including" },
        { "See “blackout” rules.", "blackout" },
        { "Limit of 100\u00a0EUR per gift.", "eur" },
        { "Record the policy_id of each gift.", "id" },
        { "Use the form A\\B for gifts.", "b" },
    };

    [Theory]
    [MemberData(nameof(WordBoundaries))]
    public async Task Words_are_split_at_line_breaks_and_typographic_punctuation(string text, string query)
    {
        var index = await OpenAsync();
        var chunk = Make(text);
        await index.UpsertAsync([chunk, Make("Unrelated training schedule.")], Token);

        var found = Assert.Single(await index.SearchTextAsync(query, Global, 10, Token));

        Assert.Equal(chunk.ChunkId, found.Chunk.ChunkId);
        Assert.Equal(text, found.Chunk.Text);
    }

    [Theory]
    [InlineData("Règle générale des cadeaux.", "regle generale")]
    [InlineData("Regle generale des cadeaux.", "RÈGLE")]
    [InlineData("Die Geschenkrichtlinie gilt für alle.", "fur")]
    [InlineData("Cafe\u0301 vouchers are gifts.", "café")]
    public async Task Diacritics_are_ignored_on_both_sides(string text, string query)
    {
        var index = await OpenAsync();
        var chunk = Make(text);
        await index.UpsertAsync([chunk, Make("Unrelated training schedule.")], Token);

        Assert.Equal(chunk.ChunkId, Assert.Single(await index.SearchTextAsync(query, Global, 10, Token)).Chunk.ChunkId);
    }

    [Fact]
    public async Task Operator_words_are_ordinary_words()
    {
        var index = await OpenAsync();
        var near = Make("Stay near the exit AND keep the door closed.");
        await index.UpsertAsync([near, Make("Gifts must be declared.")], Token);

        Assert.Equal(near.ChunkId, Assert.Single(await index.SearchTextAsync("NEAR", Global, 10, Token)).Chunk.ChunkId);
        Assert.Equal(near.ChunkId, Assert.Single(await index.SearchTextAsync("AND exit", Global, 10, Token)).Chunk.ChunkId);
    }

    [Theory]
    [InlineData("\"")]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("?!.,;:*@{}()|-")]
    [InlineData("the of and to is")]
    [InlineData("What is it?")]
    public async Task Queries_without_searchable_terms_return_nothing(string query)
    {
        var index = await OpenAsync();
        await index.UpsertAsync([Make("What is the policy on gifts? It is to declare them.")], Token);

        Assert.Empty(await index.SearchTextAsync(query, Global, 10, Token));
    }

    [Fact]
    public async Task A_tenant_sees_global_and_its_own_chunks_but_never_another_tenants()
    {
        var index = await OpenAsync();
        var global = Make("Gifts policy for everyone.", Vector(1, 0, 0, 0.1f));
        var ownA = Make("Gifts policy of tenant A.", Vector(1, 0, 0, 0.2f), tenant: TenantA);
        var ownB = Make("Gifts policy of tenant B.", Vector(1, 0, 0, 0), tenant: TenantB);
        await index.UpsertAsync([global, ownA, ownB], Token);

        var forA = new SearchFilter(TenantA);
        var text = await index.SearchTextAsync("gifts policy tenant", forA, 10, Token);
        var vector = await index.SearchVectorAsync(Vector(1, 0, 0, 0), forA, 10, Token);
        var globalOnly = await index.SearchTextAsync("gifts policy tenant", Global, 10, Token);

        Assert.Equal(new[] { global.ChunkId, ownA.ChunkId }.Order(), text.Select(r => r.Chunk.ChunkId).Order());
        Assert.Equal(new[] { global.ChunkId, ownA.ChunkId }.Order(), vector.Select(r => r.Chunk.ChunkId).Order());
        Assert.Equal(global.ChunkId, Assert.Single(globalOnly).Chunk.ChunkId);
        Assert.DoesNotContain(text.Concat(vector), r => r.Chunk.TenantId == TenantB);
    }

    [Fact]
    public async Task Tenant_ids_with_query_syntax_neither_leak_nor_fail()
    {
        var index = await OpenAsync();
        await index.UpsertAsync([Make("Gifts for tenant B.", Vector(1, 0, 0, 0), tenant: TenantB)], Token);

        foreach (var hostile in new[] { $"x}} | @tenant:{{{TenantB}", $"{TenantB}*", "*", $"{TenantB}|x" })
        {
            Assert.Empty(await index.SearchTextAsync("gifts", new SearchFilter(hostile), 10, Token));
            Assert.Empty(await index.SearchVectorAsync(Vector(1, 0, 0, 0), new SearchFilter(hostile), 10, Token));
        }
    }

    [Fact]
    public async Task Disabled_chunks_are_not_found()
    {
        var index = await OpenAsync();
        var active = Make("Blackout window rules, current.", Vector(1, 0, 0, 0));
        var disabled = Make("Blackout window rules, old.", Vector(1, 0, 0, 0), status: ChunkStatus.Disabled);
        await index.UpsertAsync([active, disabled], Token);

        Assert.Equal(active.ChunkId, Assert.Single(await index.SearchTextAsync("blackout rules", Global, 10, Token)).Chunk.ChunkId);
        Assert.Equal(active.ChunkId, Assert.Single(await index.SearchVectorAsync(Vector(1, 0, 0, 0), Global, 10, Token)).Chunk.ChunkId);
    }

    [Fact]
    public async Task Document_and_tag_filters_narrow_both_lists()
    {
        var index = await OpenAsync();
        var documentA = Guid.NewGuid();
        var a = Make("Gifts register entry.", Vector(1, 0, 0, 0), documentId: documentA, tags: ["gifts", "hr"]);
        var b = Make("Gifts over the limit.", Vector(0.9f, 0.1f, 0, 0), tags: ["gifts-limits"]);
        var c = Make("Gifts in the trading room.", Vector(0.8f, 0.2f, 0, 0), tags: ["trading"]);
        await index.UpsertAsync([a, b, c], Token);

        var byDocument = new SearchFilter(Tenants.Global, DocumentIds: [documentA]);
        var byTag = new SearchFilter(Tenants.Global, Tags: ["trading", "gifts-limits"]);
        var both = new SearchFilter(Tenants.Global, DocumentIds: [documentA], Tags: ["trading"]);

        Assert.Equal(a.ChunkId, Assert.Single(await index.SearchTextAsync("gifts", byDocument, 10, Token)).Chunk.ChunkId);
        Assert.Equal(a.ChunkId, Assert.Single(await index.SearchVectorAsync(Vector(1, 0, 0, 0), byDocument, 10, Token)).Chunk.ChunkId);
        Assert.Equal(new[] { b.ChunkId, c.ChunkId }.Order(), (await index.SearchTextAsync("gifts", byTag, 10, Token)).Select(r => r.Chunk.ChunkId).Order());
        Assert.Equal([b.ChunkId, c.ChunkId], (await index.SearchVectorAsync(Vector(1, 0, 0, 0), byTag, 10, Token)).Select(r => r.Chunk.ChunkId));
        Assert.Empty(await index.SearchTextAsync("gifts", both, 10, Token));
        Assert.Empty(await index.SearchVectorAsync(Vector(1, 0, 0, 0), both, 10, Token));
    }

    [Fact]
    public async Task Tenant_and_tag_filters_match_exactly_including_case()
    {
        var index = await OpenAsync();
        // RediSearch TAG fields fold case unless declared CASESENSITIVE; SQLite compares exactly. Exact is the
        // contract: a tenant id is an identity, and a tag filter must not widen behind the caller's back.
        var upper = Make("Gifts rules of the upper tenant.", Vector(1, 0, 0, 0), tenant: "Tenant-A", tags: ["HR"]);
        await index.UpsertAsync([upper], Token);

        Assert.Empty(await index.SearchTextAsync("gifts", new SearchFilter("tenant-a"), 10, Token));
        Assert.Empty(await index.SearchVectorAsync(Vector(1, 0, 0, 0), new SearchFilter("tenant-a"), 10, Token));
        Assert.Empty(await index.SearchTextAsync("gifts", new SearchFilter("Tenant-A", Tags: ["hr"]), 10, Token));
        Assert.Empty(await index.SearchVectorAsync(Vector(1, 0, 0, 0), new SearchFilter("Tenant-A", Tags: ["hr"]), 10, Token));
        Assert.Equal(upper.ChunkId, Assert.Single(await index.SearchTextAsync("gifts", new SearchFilter("Tenant-A", Tags: ["HR"]), 10, Token)).Chunk.ChunkId);
        Assert.Equal(upper.ChunkId, Assert.Single(await index.SearchVectorAsync(Vector(1, 0, 0, 0), new SearchFilter("Tenant-A", Tags: ["HR"]), 10, Token)).Chunk.ChunkId);
    }

    [Fact]
    public async Task Vector_search_returns_the_nearest_by_cosine_with_similarity_scores()
    {
        var index = await OpenAsync();
        var query = Vector(1, 1, 0, 0);
        var chunks = new[]
        {
            Make("far", Vector(0, 0, 1, 0), ordinal: 1),
            Make("nearest", Vector(1, 0.9f, 0, 0), ordinal: 2),
            Make("middle", Vector(1, 0, 0.5f, 0), ordinal: 3),
            Make("opposite", Vector(-1, -1, 0, 0), ordinal: 4),
            Make("close", Vector(1, 0.5f, 0, 0), ordinal: 5),
        };
        await index.UpsertAsync(chunks, Token);

        var results = await index.SearchVectorAsync(query, Global, 3, Token);

        Assert.Equal(["nearest", "close", "middle"], results.Select(r => r.Chunk.Text));
        foreach (var result in results)
        {
            var expected = Cosine(query, chunks.Single(c => c.ChunkId == result.Chunk.ChunkId).Embedding!);
            Assert.Equal(expected, result.Score, 4);
        }
    }

    [Fact]
    public async Task Chunks_without_embedding_are_found_by_text_only()
    {
        var index = await OpenAsync();
        var textOnly = Make("Outside business activities need approval.");
        await index.UpsertAsync([textOnly], Token);

        Assert.Single(await index.SearchTextAsync("outside business", Global, 10, Token));
        Assert.Empty(await index.SearchVectorAsync(Vector(1, 0, 0, 0), Global, 10, Token));
    }

    [Fact]
    public async Task Re_upserting_a_chunk_replaces_its_text_vector_and_filters()
    {
        var index = await OpenAsync();
        var first = Make("Alpha rules for gifts.", Vector(1, 0, 0, 0), tags: ["old"]);
        await index.UpsertAsync([first], Token);
        var second = first with { Text = "Beta rules for trading.", Embedding = Vector(0, 1, 0, 0), Tags = ["new"] };
        await index.UpsertAsync([second], Token);

        Assert.Empty(await index.SearchTextAsync("alpha", Global, 10, Token));
        Assert.Equal("Beta rules for trading.", Assert.Single(await index.SearchTextAsync("beta", Global, 10, Token)).Chunk.Text);
        var nearest = Assert.Single(await index.SearchVectorAsync(Vector(0, 1, 0, 0), Global, 10, Token));
        Assert.Equal(1.0, nearest.Score, 4);
        Assert.Empty(await index.SearchTextAsync("beta", new SearchFilter(Tenants.Global, Tags: ["old"]), 10, Token));
        Assert.Equal(1, (await index.GetStatisticsAsync(Token)).Chunks);
    }

    [Fact]
    public async Task Deleting_a_version_leaves_the_other_versions()
    {
        var index = await OpenAsync();
        var document = Guid.NewGuid();
        var other = Guid.NewGuid();
        await index.UpsertAsync(
        [
            Make("Retention version one.", Vector(1, 0, 0, 0), documentId: document, version: 1, ordinal: 0),
            Make("Retention version one, part two.", Vector(1, 0, 0, 0), documentId: document, version: 1, ordinal: 1),
            Make("Retention version two.", Vector(1, 0, 0, 0), documentId: document, version: 2, ordinal: 0),
            Make("Retention elsewhere.", Vector(1, 0, 0, 0), documentId: other),
        ], Token);

        Assert.Equal(2, await index.DeleteDocumentAsync(document, 1, Token));
        var afterVersion = await index.SearchTextAsync("retention", Global, 10, Token);
        Assert.Equal(["Retention elsewhere.", "Retention version two."], afterVersion.Select(r => r.Chunk.Text).Order());

        Assert.Equal(1, await index.DeleteDocumentAsync(document, null, Token));
        Assert.Equal(other, Assert.Single(await index.SearchVectorAsync(Vector(1, 0, 0, 0), Global, 10, Token)).Chunk.DocumentId);
        Assert.Equal(0, await index.DeleteDocumentAsync(document, null, Token));
        var statistics = await index.GetStatisticsAsync(Token);
        Assert.Equal(1, statistics.Chunks);
        Assert.Equal(1, statistics.Documents);
    }

    [Fact]
    public async Task Embeddings_of_the_wrong_dimension_are_refused()
    {
        var index = await OpenAsync();

        var error = await Assert.ThrowsAsync<ArgumentException>(() => index.UpsertAsync([Make("Too long.", [1, 0, 0, 0, 0])], Token));
        Assert.Contains("5-dimensional", error.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ArgumentException>(() => index.SearchVectorAsync(new float[3], Global, 5, Token));
        Assert.Empty(await index.SearchTextAsync("long", Global, 10, Token));
    }

    [Fact]
    public async Task Reopening_with_another_dimension_is_refused()
    {
        var index = await OpenAsync("shared");
        await index.UpsertAsync([Make("Kept.", Vector(1, 0, 0, 0))], Token);

        var again = await CreateIndexAsync("shared");
        _opened.Add(again);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => again.EnsureCreatedAsync(Dimensions + 4, Token));
        Assert.Contains("4", error.Message, StringComparison.Ordinal);
        Assert.Contains("8", error.Message, StringComparison.Ordinal);

        await again.EnsureCreatedAsync(Dimensions, Token);
        Assert.Single(await again.SearchVectorAsync(Vector(1, 0, 0, 0), Global, 5, Token));
    }

    [Fact]
    public async Task Invalid_chunks_are_refused_with_the_chunk_named()
    {
        var index = await OpenAsync();

        var badTag = await Assert.ThrowsAsync<ArgumentException>(() => index.UpsertAsync([Make("x", tags: ["a,b"], chunkId: "chunk-7")], Token));
        var badStatus = await Assert.ThrowsAsync<ArgumentException>(() => index.UpsertAsync([Make("x", status: "deleted", chunkId: "chunk-8")], Token));
        var noTenant = await Assert.ThrowsAsync<ArgumentException>(() => index.UpsertAsync([Make("x", tenant: " ", chunkId: "chunk-9")], Token));
        // RediSearch trims TAG values: a padded tag or tenant would match differently on the two backends.
        var paddedTag = await Assert.ThrowsAsync<ArgumentException>(() => index.UpsertAsync([Make("x", tags: [" hr"], chunkId: "chunk-10")], Token));
        var paddedTenant = await Assert.ThrowsAsync<ArgumentException>(() => index.UpsertAsync([Make("x", tenant: "42 ", chunkId: "chunk-11")], Token));

        Assert.Contains("chunk-7", badTag.Message, StringComparison.Ordinal);
        Assert.Contains("chunk-8", badStatus.Message, StringComparison.Ordinal);
        Assert.Contains("chunk-9", noTenant.Message, StringComparison.Ordinal);
        Assert.Contains("chunk-10", paddedTag.Message, StringComparison.Ordinal);
        Assert.Contains("chunk-11", paddedTenant.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Limit_cuts_both_lists()
    {
        var index = await OpenAsync();
        var chunks = Enumerable.Range(0, 12).Select(i => Make($"Gifts rule number {i}.", Vector(1, i, 0, 0), ordinal: i)).ToArray();
        await index.UpsertAsync(chunks, Token);

        Assert.Equal(5, (await index.SearchTextAsync("gifts", Global, 5, Token)).Count);
        var vector = await index.SearchVectorAsync(Vector(1, 0, 0, 0), Global, 5, Token);
        Assert.Equal(["Gifts rule number 0.", "Gifts rule number 1.", "Gifts rule number 2.", "Gifts rule number 3.", "Gifts rule number 4."],
            vector.Select(r => r.Chunk.Text));
    }
}
