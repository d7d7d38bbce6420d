using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Compliance.Api.Documents;
using Compliance.Api.Tests.Infrastructure;
using Compliance.Contracts.Search;
using Compliance.Testing.Servers;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Compliance.Api.Tests.Search;

/// <summary>
/// The index records the model that made its vectors; starting the API with another model removes them and
/// re-embeds every document in the background, saying so in the log and in /health, and a re-embed a stop cut
/// short is finished after the next start. The job is held part-way by an <see cref="EmbeddingHold"/>, so what
/// health says while it runs is seen every time, not only when a poll happens to catch it.
/// </summary>
public sealed class EmbeddingModelChangeTests : IDisposable
{
    private readonly DirectoryInfo _scratch = Directory.CreateTempSubdirectory("model-change-");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _scratch.Delete(recursive: true);

    [Fact]
    public async Task Starting_with_another_model_re_embeds_the_index_in_the_background()
    {
        var database = await TestServers.CreateDatabaseAsync(await TestServers.PostgresAdminAsync(), "modelchange");
        var indexPath = Path.Combine(_scratch.FullName, "index", "index.db");
        var samples = Path.Combine(ComplianceApiFactory.RepositoryRoot(), "samples", "policies");
        try
        {
            string firstIdentity;
            await using (var first = Api(database, ComplianceApiFactory.TinyModelDirectory(), indexPath, samples))
            {
                await first.InitializeAsync();
                using var admin = first.CreateAdminClient();
                firstIdentity = (await EmbeddingHealthAsync(admin)).GetProperty("data").GetProperty("model_identity").GetString()!;
                Assert.StartsWith("gte-small-tiny mean norm", firstIdentity, StringComparison.Ordinal);
                Assert.Contains(await SearchAsync(first), hit => hit.VectorRank is not null);
            }

            Assert.Equal(firstIdentity, RecordedModel(indexPath));

            // The same weights under another recipe ([CLS] pooling): every stored vector is now another model's.
            var other = TinyWithRecipe("tiny-cls", "cls");
            var hold = new EmbeddingHold(progress => progress.Reindexing);
            await using var second = Api(database, other, indexPath, samples).WithServices(services => services.AddSingleton<IEmbeddingCheckpoint>(hold));
            await second.InitializeAsync();
            using var client = second.CreateAdminClient();

            var warning = Assert.Single(second.Logs.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("re-embed job", StringComparison.Ordinal));
            Assert.Contains(firstIdentity, warning.Message, StringComparison.Ordinal);
            Assert.Contains("tiny-cls cls norm", warning.Message, StringComparison.Ordinal);

            // Held on its first document: health says the index is being re-embedded, and how far it is.
            await hold.WaitUntilHeldAsync();
            var running = await EmbeddingHealthAsync(client);
            Assert.Equal("Degraded", running.GetProperty("status").GetString());
            Assert.Equal("running", running.GetProperty("data").GetProperty("reembed_status").GetString());
            Assert.Equal(0, running.GetProperty("data").GetProperty("reembed_documents_done").GetInt32());
            Assert.Contains("being re-embedded", running.GetProperty("description").GetString(), StringComparison.Ordinal);
            hold.Release();

            var health = await WaitForReembedAsync(client);
            var data = health.GetProperty("data");
            Assert.Equal("succeeded", data.GetProperty("reembed_status").GetString());
            Assert.True(data.GetProperty("reembed_documents_total").GetInt32() > 0);
            Assert.Equal(data.GetProperty("reembed_documents_total").GetInt32(), data.GetProperty("reembed_documents_done").GetInt32());
            Assert.Equal("Healthy", health.GetProperty("status").GetString());
            var secondIdentity = data.GetProperty("model_identity").GetString()!;
            Assert.StartsWith("tiny-cls cls norm", secondIdentity, StringComparison.Ordinal);
            Assert.Equal(secondIdentity, RecordedModel(indexPath));

            // Every chunk has a vector again, all of them the new model's, and search is hybrid with vector hits.
            var (chunks, vectors) = CountVectors(indexPath);
            Assert.Equal(chunks, vectors);
            Assert.Contains(await SearchAsync(second), hit => hit.VectorRank is not null);
        }
        finally
        {
            await TestServers.DropDatabaseAsync(database);
        }
    }

    [Fact]
    public async Task A_re_embed_stopped_part_way_is_finished_in_the_background_after_the_next_start()
    {
        var database = await TestServers.CreateDatabaseAsync(await TestServers.PostgresAdminAsync(), "modelresume");
        var indexPath = Path.Combine(_scratch.FullName, "index", "index.db");
        var samples = Path.Combine(ComplianceApiFactory.RepositoryRoot(), "samples", "policies");
        try
        {
            long documents;
            await using (var first = Api(database, ComplianceApiFactory.TinyModelDirectory(), indexPath, samples))
            {
                await first.InitializeAsync();
                first.CreateClient().Dispose(); // starts the host: the sample policies are indexed with the first model
                documents = await CountAsync(database, "SELECT count(*) FROM documents WHERE \"Status\" = 'indexed'");
                Assert.True(documents >= 3, $"{documents} sample documents");
            }

            // The model changes, and the API stops while the re-embed job is on its second document.
            var other = TinyWithRecipe("tiny-cls", "cls");
            var reembedded = new HashSet<Guid>();
            var hold = new EmbeddingHold(progress => progress.Reindexing && reembedded.Add(progress.DocumentId) && reembedded.Count == 2);
            await using (var second = Api(database, other, indexPath, samples).WithServices(services => services.AddSingleton<IEmbeddingCheckpoint>(hold)))
            {
                await second.InitializeAsync();
                second.CreateClient().Dispose();
                await hold.WaitUntilHeldAsync();
            }

            // What the stop left: one document re-embedded, the others without vectors and still marked to do.
            var (chunksBefore, vectorsBefore) = CountVectors(indexPath);
            Assert.InRange(vectorsBefore, 1, chunksBefore - 1);
            Assert.Equal(documents - 1, await CountAsync(database, "SELECT count(*) FROM documents WHERE \"ReembedPending\""));

            // Same model at the next start: the index records it already, and the job is resumed from the marks.
            await using var third = Api(database, other, indexPath, samples);
            await third.InitializeAsync();
            using var client = third.CreateAdminClient();

            // Resumed once the API listens, beside interrupted ingestion: it shows in /health shortly after start.
            var deadline = DateTime.UtcNow.AddMinutes(1);
            while (!(await EmbeddingHealthAsync(client)).GetProperty("data").TryGetProperty("reembed_status", out _))
            {
                Assert.True(DateTime.UtcNow < deadline, "no re-embed job in /health a minute after start: the interrupted re-embed was not resumed");
                await Task.Delay(100, Ct);
            }
            var health = await WaitForReembedAsync(client);
            var data = health.GetProperty("data");
            Assert.Equal("succeeded", data.GetProperty("reembed_status").GetString());
            Assert.Equal(documents - 1, data.GetProperty("reembed_documents_total").GetInt32());
            Assert.Equal("Healthy", health.GetProperty("status").GetString());
            Assert.Single(third.Logs.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("Resuming the interrupted re-embed", StringComparison.Ordinal));
            var (chunks, vectors) = CountVectors(indexPath);
            Assert.Equal(chunksBefore, chunks);
            Assert.Equal(chunks, vectors);
            Assert.StartsWith("tiny-cls cls norm", RecordedModel(indexPath), StringComparison.Ordinal);
            Assert.Equal(0L, await CountAsync(database, "SELECT count(*) FROM documents WHERE \"ReembedPending\""));
            Assert.Contains(await SearchAsync(third), hit => hit.VectorRank is not null);
        }
        finally
        {
            await TestServers.DropDatabaseAsync(database);
        }
    }

    [Fact]
    public async Task Restarting_with_the_same_model_keeps_the_vectors_and_starts_no_job()
    {
        var database = await TestServers.CreateDatabaseAsync(await TestServers.PostgresAdminAsync(), "modelsame");
        var indexPath = Path.Combine(_scratch.FullName, "index", "index.db");
        var samples = Path.Combine(ComplianceApiFactory.RepositoryRoot(), "samples", "policies");
        try
        {
            await using (var first = Api(database, ComplianceApiFactory.TinyModelDirectory(), indexPath, samples))
            {
                await first.InitializeAsync();
                first.CreateClient().Dispose(); // starts the host
            }

            await using var second = Api(database, ComplianceApiFactory.TinyModelDirectory(), indexPath, samples);
            await second.InitializeAsync();
            using var client = second.CreateAdminClient();

            var health = await EmbeddingHealthAsync(client);
            Assert.Equal("Healthy", health.GetProperty("status").GetString());
            Assert.False(health.GetProperty("data").TryGetProperty("reembed_job", out _));
            Assert.DoesNotContain(second.Logs.Entries, e => e.Message.Contains("re-embed job", StringComparison.Ordinal));
            var (chunks, vectors) = CountVectors(indexPath);
            Assert.True(chunks > 0);
            Assert.Equal(chunks, vectors);
        }
        finally
        {
            await TestServers.DropDatabaseAsync(database);
        }
    }

    private static ComplianceApiFactory Api(string database, string model, string indexPath, string samples) =>
        new ComplianceApiFactory { DatabaseOverride = database }
            .WithSetting("EMBED_MODEL", model)
            .WithSetting("INDEX_PATH", indexPath)
            .WithSetting("SAMPLE_POLICIES_DIR", samples);

    private static async Task<IReadOnlyList<SearchHit>> SearchAsync(ComplianceApiFactory api)
    {
        using var client = api.CreateServiceClient();
        var response = await client.PostAsJsonAsync("/api/v1/search", new SearchRequest("Do I need pre-clearance for a gift over $100?"), Ct);
        response.EnsureSuccessStatusCode();
        var result = (await response.Content.ReadFromJsonAsync<SearchResponse>(DocumentUploads.Json, Ct))!;
        Assert.Equal("hybrid", result.Mode);
        return result.Results;
    }

    private static async Task<JsonElement> EmbeddingHealthAsync(HttpClient admin) =>
        JsonDocument.Parse(await admin.GetStringAsync("/health/detailed", Ct)).RootElement.GetProperty("dependencies").GetProperty("embedding_model").Clone();

    private static async Task<JsonElement> WaitForReembedAsync(HttpClient admin)
    {
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (true)
        {
            var health = await EmbeddingHealthAsync(admin);
            var data = health.GetProperty("data");
            Assert.True(data.TryGetProperty("reembed_status", out var status), $"no re-embed job in /health: {health}");
            if (status.GetString() != "running")
            {
                return health;
            }

            // While it runs, health says so.
            Assert.Equal("Degraded", health.GetProperty("status").GetString());
            Assert.True(DateTime.UtcNow < deadline, $"the re-embed job is still running: {health}");
            await Task.Delay(200, Ct);
        }
    }

    /// <summary>The tiny model's files in a directory of its own, with an embedding-model.json recipe.</summary>
    private string TinyWithRecipe(string name, string pooling)
    {
        var directory = Directory.CreateDirectory(Path.Combine(_scratch.FullName, name)).FullName;
        var tiny = ComplianceApiFactory.TinyModelDirectory();
        foreach (var file in new[] { "vocab.txt", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "config.json" })
        {
            File.Copy(Path.Combine(tiny, file), Path.Combine(directory, file));
        }

        File.CreateSymbolicLink(Path.Combine(directory, "model.onnx"), Path.Combine(tiny, "model.onnx"));
        using var stream = File.OpenRead(Path.Combine(tiny, "model.onnx"));
        var sha256 = Convert.ToHexStringLower(SHA256.HashData(stream));
        File.WriteAllText(Path.Combine(directory, "embedding-model.json"),
            $$"""{"name":"{{name}}","pooling":"{{pooling}}","normalize":true,"maxTokens":512,"sha256":"{{sha256}}"}""");
        return directory;
    }

    private static async Task<long> CountAsync(string database, string sql)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync(Ct);
        await using var count = new NpgsqlCommand(sql, connection);
        return (long)(await count.ExecuteScalarAsync(Ct))!;
    }

    private static string? RecordedModel(string indexPath)
    {
        using var connection = new SqliteConnection($"Data Source={indexPath};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT value FROM index_settings WHERE key = 'embedding_model'";
        return (string?)command.ExecuteScalar();
    }

    private static (long Chunks, long Vectors) CountVectors(string indexPath)
    {
        using var connection = new SqliteConnection($"Data Source={indexPath};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*), count(embedding) FROM chunks";
        using var reader = command.ExecuteReader();
        reader.Read();
        return (reader.GetInt64(0), reader.GetInt64(1));
    }
}
