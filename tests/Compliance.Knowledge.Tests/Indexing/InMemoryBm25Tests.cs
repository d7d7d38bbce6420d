using Compliance.Knowledge.Indexing;
using Compliance.Knowledge.Indexing.Embedded;
using static Compliance.Knowledge.Tests.Indexing.TestChunks;

namespace Compliance.Knowledge.Tests.Indexing;

/// <summary>
/// The embedded index ranks text from memory; these tests hold it to FTS5's own <c>bm25()</c> in SQL
/// (<see cref="SqliteKnowledgeIndex.SearchTextWithFts5Async"/>): same chunks, same order, same scores, through
/// stemming, diacritics, filters, replacements, deletions, compaction and reopening the file.
/// </summary>
public sealed class InMemoryBm25Tests : IDisposable
{
    private const string TenantA = "100000000000000001";
    private const string TenantB = "100000000000000002";

    // Inflected forms, diacritics and capitals so stemming and folding matter; a few very common words so some
    // terms sit in over half the rows, where FTS5 floors the IDF.
    private static readonly string[] Words =
    [
        "trade", "trading", "traded", "trades", "blackout", "window", "windows", "pre-clearance", "clearance",
        "gift", "gifts", "gifted", "entertainment", "hospitality", "insider", "insiders", "information", "material",
        "non-public", "employee", "employees", "compliance", "officer", "officers", "approval", "approve", "approved",
        "record", "records", "retention", "retain", "retained", "years", "seven", "2024", "2025", "café", "naïve",
        "Résumé", "déclaration", "declare", "declared", "declaring", "conflict", "conflicts", "outside", "business",
        "activity", "activities", "director", "board", "securities", "security", "account", "accounts", "broker",
        "holding", "period", "periods", "days", "thirty", "quarter", "quarterly", "results", "announcement", "market",
        "abuse", "manipulation", "report", "reporting", "reported", "breach", "breaches", "sanction", "disciplinary",
    ];

    private static readonly string[] CommonWords = ["policy", "must", "staff", "firm"];

    private readonly EmbeddedIndexFolder _indexes = new("compliance-bm25-tests");

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Ranks_and_scores_exactly_as_fts5_bm25_does()
    {
        var index = await OpenAsync("same");
        await index.UpsertAsync(Corpus(seed: 7, count: 600), Token);

        var compared = await AssertSameAsFts5Async(index, Queries(seed: 11, count: 150), new SearchFilter(Tenants.Global), limit: 50);

        // Not a vacuous pass: most questions must have found something to compare.
        Assert.True(compared > 100, $"only {compared} of 150 queries returned results");
    }

    [Fact]
    public async Task Filters_by_tenant_status_document_and_tag_as_the_sql_does()
    {
        var index = await OpenAsync("filters");
        var corpus = Corpus(seed: 3, count: 400);
        await index.UpsertAsync(corpus, Token);
        var someDocuments = corpus.Select(c => c.DocumentId).Distinct().Take(5).ToArray();

        foreach (var filter in new[]
        {
            new SearchFilter(TenantA),
            new SearchFilter(TenantB),
            new SearchFilter("200000000000000009"),
            new SearchFilter(TenantA, DocumentIds: someDocuments),
            new SearchFilter(Tenants.Global, Tags: ["trading"]),
            new SearchFilter(TenantB, Tags: ["gifts", "records"]),
        })
        {
            await AssertSameAsFts5Async(index, Queries(seed: 5, count: 40), filter, limit: 20);
        }
    }

    [Fact]
    public async Task Stays_exact_through_replacements_deletions_and_compaction()
    {
        var index = await OpenAsync("churn");
        var corpus = Corpus(seed: 21, count: 500);
        await index.UpsertAsync(corpus, Token);

        // Replace a third of the chunks in place (same ids, new text) and delete whole documents: enough dead
        // postings to make the in-memory index compact itself at least once.
        var replaced = corpus.Where((_, i) => i % 3 == 0).Select((chunk, i) => chunk with { Text = Sentence(new Random(1000 + i), 30) }).ToList();
        await index.UpsertAsync(replaced, Token);
        foreach (var document in corpus.Select(c => c.DocumentId).Distinct().Take(20))
        {
            await index.DeleteDocumentAsync(document, version: null, Token);
        }

        await AssertSameAsFts5Async(index, Queries(seed: 13, count: 80), new SearchFilter(TenantA), limit: 50);
    }

    [Fact]
    public async Task Stays_exact_after_reopening_the_file()
    {
        var index = await OpenAsync("reopen");
        await index.UpsertAsync(Corpus(seed: 17, count: 300), Token);
        var queries = Queries(seed: 19, count: 40);
        var before = await index.SearchTextAsync(queries[0], new SearchFilter(Tenants.Global), 10, Token);
        _indexes.Close(index);

        // The reopened index builds its postings from the FTS5 index on disk, not from what it tokenised itself.
        var reopened = await OpenAsync("reopen");
        await AssertSameAsFts5Async(reopened, queries, new SearchFilter(TenantB), limit: 30);
        var after = await reopened.SearchTextAsync(queries[0], new SearchFilter(Tenants.Global), 10, Token);
        Assert.Equal(before.Select(r => (r.Chunk.ChunkId, r.Score)), after.Select(r => (r.Chunk.ChunkId, r.Score)));
    }

    [Fact]
    public async Task A_word_fts5_splits_into_several_tokens_is_answered_by_the_sql_path()
    {
        var index = await OpenAsync("split");
        // U+19B5 (a New Tai Lue vowel) is a letter to .NET's current Unicode tables but a separator to the Unicode 6.1
        // tables of unicode61, so FTS5 splits the word into two tokens that must be adjacent: a phrase, not two words.
        await index.UpsertAsync(
        [
            Make("The blackout window closes after results.", Vector(1, 0, 0, 0)),
            Make("A window in the office; a blackout on the street.", Vector(0, 1, 0, 0)),
        ], Token);

        const string query = "blackout\u19B5window";
        var results = await index.SearchTextAsync(query, new SearchFilter(Tenants.Global), 10, Token);
        var reference = await index.SearchTextWithFts5Async(query, new SearchFilter(Tenants.Global), 10, Token);

        var hit = Assert.Single(results);
        Assert.StartsWith("The blackout window", hit.Chunk.Text, StringComparison.Ordinal);
        Assert.Equal(reference.Select(r => (r.Chunk.ChunkId, r.Score)), results.Select(r => (r.Chunk.ChunkId, r.Score)));
    }

    [Fact]
    public async Task Stemmed_forms_find_each_other_and_syntax_is_literal()
    {
        var index = await OpenAsync("stems");
        await index.UpsertAsync(
        [
            Make("Employees declared every gift received.", Vector(1, 0, 0, 0), title: "Gifts"),
            Make("Trading windows open after the announcement.", Vector(0, 1, 0, 0), title: "Trading"),
        ], Token);

        var declare = Assert.Single(await index.SearchTextAsync("DECLARING gifts?", new SearchFilter(Tenants.Global), 10, Token));
        Assert.Contains("declared", declare.Chunk.Text, StringComparison.Ordinal);
        var syntax = await index.SearchTextAsync("trade* OR \"window\" NEAR(x) -gift {announcement}", new SearchFilter(Tenants.Global), 10, Token);
        Assert.Equal(2, syntax.Count);
        Assert.Contains("Trading", syntax[0].Chunk.Text, StringComparison.Ordinal);
    }

    public void Dispose() => _indexes.Dispose();

    private Task<SqliteKnowledgeIndex> OpenAsync(string name) => _indexes.OpenAsync(name, 4);

    /// <summary>Compares every query's results with FTS5's; returns how many queries had any result.</summary>
    private static async Task<int> AssertSameAsFts5Async(SqliteKnowledgeIndex index, IReadOnlyList<string> queries, SearchFilter filter, int limit)
    {
        var withResults = 0;
        foreach (var query in queries)
        {
            var expected = await index.SearchTextWithFts5Async(query, filter, limit, Token);
            var actual = await index.SearchTextAsync(query, filter, limit, Token);
            Assert.True(
                expected.Select(r => r.Chunk.ChunkId).SequenceEqual(actual.Select(r => r.Chunk.ChunkId)),
                $"ranking differs for \"{query}\": FTS5 [{string.Join(", ", expected.Take(5).Select(r => $"{r.Chunk.ChunkId}:{r.Score:R}"))}] " +
                $"vs memory [{string.Join(", ", actual.Take(5).Select(r => $"{r.Chunk.ChunkId}:{r.Score:R}"))}]");
            for (var i = 0; i < expected.Count; i++)
            {
                Assert.Equal(expected[i].Score, actual[i].Score, 1e-9);
                Assert.Equal(i + 1, actual[i].Rank);
            }
            withResults += expected.Count > 0 ? 1 : 0;
        }
        return withResults;
    }

    private static List<ChunkRecord> Corpus(int seed, int count)
    {
        var random = new Random(seed);
        var documents = Enumerable.Range(0, Math.Max(count / 10, 1)).Select(_ => Guid.NewGuid()).ToArray();
        var tenants = new[] { Tenants.Global, Tenants.Global, TenantA, TenantB };
        var tagSets = new[] { Array.Empty<string>(), ["trading"], ["gifts", "conduct"], ["records"] };
        var chunks = new List<ChunkRecord>(count);
        for (var i = 0; i < count; i++)
        {
            var document = documents[i % documents.Length];
            chunks.Add(Make(
                Sentence(random, random.Next(5, 90)),
                Vector(1, (float)random.NextDouble(), 0, 0),
                tenant: tenants[random.Next(tenants.Length)],
                title: Sentence(random, random.Next(1, 5)),
                documentId: document,
                ordinal: i,
                status: random.Next(10) == 0 ? ChunkStatus.Disabled : ChunkStatus.Active,
                tags: tagSets[random.Next(tagSets.Length)]));
        }
        return chunks;
    }

    private static List<string> Queries(int seed, int count)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, count).Select(_ => Sentence(random, random.Next(1, 16)) + (random.Next(4) == 0 ? "?" : ""))];
    }

    private static string Sentence(Random random, int words) =>
        string.Join(' ', Enumerable.Range(0, words).Select(_ => random.Next(5) == 0 ? CommonWords[random.Next(CommonWords.Length)] : Words[random.Next(Words.Length)]));
}
