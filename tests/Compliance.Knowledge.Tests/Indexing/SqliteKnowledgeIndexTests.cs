using Compliance.Knowledge.Indexing;
using Compliance.Knowledge.Indexing.Embedded;
using Microsoft.Data.Sqlite;
using static Compliance.Knowledge.Tests.Indexing.TestChunks;

namespace Compliance.Knowledge.Tests.Indexing;

/// <summary>The shared index behaviours against the embedded SQLite index, plus what only a file-backed index has.</summary>
public sealed class SqliteKnowledgeIndexTests : KnowledgeIndexBehaviour
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "compliance-index-tests", Guid.NewGuid().ToString("N"));

    protected override Task<IKnowledgeIndex> CreateIndexAsync(string name) =>
        Task.FromResult<IKnowledgeIndex>(new SqliteKnowledgeIndex(new EmbeddedIndexOptions { Path = Path.Combine(_folder, name + ".db") }));

    protected override Task DestroyIndexAsync(IKnowledgeIndex index)
    {
        ((SqliteKnowledgeIndex)index).Dispose();
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Vectors_survive_reopening_the_file()
    {
        var index = await OpenAsync("persisted");
        var chunk = Make("Persisted passage.", Vector(0, 0, 1, 0));
        await index.UpsertAsync([chunk], Token);
        ((SqliteKnowledgeIndex)index).Dispose();

        var reopened = await CreateIndexAsync("persisted");
        await reopened.EnsureCreatedAsync(Dimensions, Token);

        var hit = Assert.Single(await reopened.SearchVectorAsync(Vector(0, 0, 1, 0), new SearchFilter(Tenants.Global), 5, Token));
        Assert.Equal(chunk.ChunkId, hit.Chunk.ChunkId);
        Assert.Equal(1.0, hit.Score, 4);
        ((SqliteKnowledgeIndex)reopened).Dispose();
    }

    [Fact]
    public async Task File_is_in_wal_mode_with_a_schema_version()
    {
        var index = (SqliteKnowledgeIndex)await OpenAsync("pragmas");

        using var connection = new SqliteConnection($"Data Source={index.FilePath}");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode";
        Assert.Equal("wal", command.ExecuteScalar());
        command.CommandText = "PRAGMA user_version";
        Assert.Equal((long)SqliteKnowledgeIndex.SchemaVersion, command.ExecuteScalar());
    }

    [Fact]
    public async Task A_file_from_a_newer_schema_is_refused()
    {
        var index = (SqliteKnowledgeIndex)await OpenAsync("future");
        using (var connection = new SqliteConnection($"Data Source={index.FilePath};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = $"PRAGMA user_version = {SqliteKnowledgeIndex.SchemaVersion + 1}";
            command.ExecuteNonQuery();
        }

        var again = await CreateIndexAsync("future");
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => again.EnsureCreatedAsync(Dimensions, Token));
        Assert.Contains("newer", error.Message, StringComparison.Ordinal);
        ((SqliteKnowledgeIndex)again).Dispose();
    }

    [Fact]
    public async Task Searching_before_opening_says_what_to_call()
    {
        using var index = new SqliteKnowledgeIndex(new EmbeddedIndexOptions { Path = Path.Combine(_folder, "unopened.db") });

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => index.SearchTextAsync("x", new SearchFilter(Tenants.Global), 5, Token));
        Assert.Contains("EnsureCreatedAsync", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    public void Empty_path_is_refused_naming_the_setting(string path)
    {
        var error = Assert.Throws<ArgumentException>(() => new SqliteKnowledgeIndex(new EmbeddedIndexOptions { Path = path }));
        Assert.Contains("INDEX_PATH", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Title_terms_weigh_more_than_body_terms()
    {
        var index = await OpenAsync();
        var titled = Make("Rules on receiving things from clients.", title: "Gifts", ordinal: 1);
        var body = Make("Rules on gifts received from clients.", title: "Client relations", ordinal: 2);
        await index.UpsertAsync([body, titled], Token);

        var results = await index.SearchTextAsync("gifts", new SearchFilter(Tenants.Global), 5, Token);

        Assert.Equal(titled.ChunkId, results[0].Chunk.ChunkId);
    }

    [Fact]
    public async Task Diacritics_and_case_do_not_matter()
    {
        var index = await OpenAsync();
        await index.UpsertAsync([Make("Die Règlementation für Geschenke.")], Token);

        Assert.Single(await index.SearchTextAsync("REGLEMENTATION", new SearchFilter(Tenants.Global), 5, Token));
    }

    [Fact]
    public async Task Readers_never_see_a_half_written_vector()
    {
        var index = await OpenAsync("concurrent");
        var east = Vector(1, 0, 0, 0);
        var north = Vector(0, 1, 0, 0);
        var query = Vector(1, 2, 0, 0);
        var chunk = Make("Flipping.", east);
        await index.UpsertAsync([chunk], Token);
        var allowed = new[] { Cosine(query, east), Cosine(query, north) };

        using var stop = new CancellationTokenSource();
        var writer = Task.Run(async () =>
        {
            for (var i = 0; i < 200; i++)
            {
                await index.UpsertAsync([chunk with { Embedding = i % 2 == 0 ? north : east }], Token);
            }
            await stop.CancelAsync();
        }, Token);
        var observed = 0;
        while (!stop.IsCancellationRequested)
        {
            foreach (var hit in await index.SearchVectorAsync(query, new SearchFilter(Tenants.Global), 5, Token))
            {
                Assert.Contains(allowed, a => Math.Abs(a - hit.Score) < 1e-5);
                observed++;
            }
        }
        await writer;

        Assert.True(observed > 0, "the reader should have seen the chunk at least once");
        Assert.Single(await index.SearchVectorAsync(query, new SearchFilter(Tenants.Global), 5, Token));
    }
}
