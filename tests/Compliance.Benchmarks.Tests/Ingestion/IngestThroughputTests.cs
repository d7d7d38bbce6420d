using System.Globalization;
using Compliance.Benchmarks.Ingestion;
using Compliance.Knowledge.Embeddings;
using Compliance.Testing.Servers;
using Npgsql;

namespace Compliance.Benchmarks.Tests.Ingestion;

/// <summary>
/// The ingest-throughput run end to end on a real Postgres, the real extractor/chunker/embedded index, and (for the
/// embedding case) the generated tiny model through ONNX Runtime.
/// </summary>
public sealed class IngestThroughputTests : IDisposable
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;
    private readonly DirectoryInfo _scratch = Directory.CreateTempSubdirectory("ingest-throughput-");

    public void Dispose() => _scratch.Delete(recursive: true);

    [Fact]
    public async Task Lexical_run_counts_documents_chunks_and_tokens_and_names_the_failed_file()
    {
        var documents = WriteDocuments(withBrokenFile: true);
        var admin = await TestServers.PostgresAdminAsync();
        var databasesBefore = await BenchDatabasesAsync(admin);

        var result = await IngestThroughputRun.RunAsync(new IngestThroughputSettings(documents, null, admin, _scratch.FullName), Token);

        Assert.Equal(3, result.Documents);
        Assert.Equal(1, result.Failed);
        Assert.Contains("picture.md", Assert.Single(result.Failures), StringComparison.Ordinal);
        // Each policy has two numbered sections, each far below one chunk: two chunks per document.
        Assert.Equal(4, result.Chunks);
        // Chunk tokens: at least the section bodies, at most the whole files.
        var tokenizer = BundledTokenizers.GteSmall;
        Assert.InRange(result.Tokens,
            tokenizer.CountTokens(Body("gifts")) + tokenizer.CountTokens(Body("trades")),
            tokenizer.CountTokens(Policy("Gifts", "gifts")) + tokenizer.CountTokens(Policy("Trading", "trades")));
        Assert.Equal(0, result.EmbeddedTokens);
        Assert.True(result.StagesAttributed);
        Assert.Equal(TimeSpan.Zero, result.Stages[IngestStage.Embed]);
        Assert.All(new[] { IngestStage.Read, IngestStage.Extract, IngestStage.Chunk, IngestStage.Index, IngestStage.Database },
            stage => Assert.True(result.Stages[stage] > TimeSpan.Zero, $"{stage} took no time"));
        // The stages cover the whole run (up to the sub-tick rounding of each one).
        var stages = result.Stages.Values.Aggregate(TimeSpan.Zero, (sum, t) => sum + t);
        Assert.InRange((result.Total - stages).Duration(), TimeSpan.Zero, TimeSpan.FromTicks(result.Stages.Count));
        // The run's own database and index file are gone.
        Assert.Equal(databasesBefore, await BenchDatabasesAsync(admin));
        Assert.Empty(Directory.GetFiles(_scratch.FullName, "*.db*"));
    }

    [Fact]
    public async Task With_the_model_the_embedder_sees_every_chunk_with_its_title_and_section()
    {
        var documents = WriteDocuments(withBrokenFile: false);
        using var embedder = OnnxTextEmbedder.Load(new EmbeddingOptions { ModelDirectory = TinyModelDirectory(), IntraOpThreads = 1 });

        var result = await IngestThroughputRun.RunAsync(
            new IngestThroughputSettings(documents, embedder, await TestServers.PostgresAdminAsync(), _scratch.FullName), Token);

        Assert.Equal(0, result.Failed);
        Assert.Equal(4, result.Chunks);
        Assert.True(result.StagesAttributed);
        Assert.True(result.Stages[IngestStage.Embed] > TimeSpan.Zero);
        // Each embedded text is "title › section\ntext" plus [CLS] and [SEP]: more tokens than the chunk alone.
        Assert.InRange(result.EmbeddedTokens, result.Tokens + (4 * 4), result.Tokens + (4 * 40));

        var markdown = IngestThroughputCommand.Markdown(_scratch.FullName, embedder, 1, result, "1.00 1.00 1.00", "1.00 1.00 1.00");
        Assert.Contains("| input | embedder | documents | chunks | tokens | seconds | chunks/s | tokens/s |", markdown, StringComparison.Ordinal);
        Assert.Contains($"| gte-small-tiny | 2 | 4 | {result.Tokens.ToString("N0", CultureInfo.InvariantCulture)} |", markdown, StringComparison.Ordinal);
        Assert.Contains("| read | extract | chunk | embed | index | database |", markdown, StringComparison.Ordinal);
        Assert.DoesNotContain("WARNING", markdown, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bad_arguments_exit_2_before_anything_runs()
    {
        Assert.Equal(2, await IngestThroughputCommand.RunAsync(["--documents", Path.Combine(_scratch.FullName, "absent")]));
        Assert.Equal(2, await IngestThroughputCommand.RunAsync(["--documents", _scratch.FullName, "--model", "none"])); // empty folder
        WriteDocuments(withBrokenFile: false);
        Assert.Equal(2, await IngestThroughputCommand.RunAsync(["--documents", _scratch.FullName, "--model", Path.Combine(_scratch.FullName, "no-model")]));
        Assert.Equal(2, await IngestThroughputCommand.RunAsync(["--documents"]));
    }

    private static string Body(string noun) =>
        $"This policy governs {noun} made by employees of Northwind Capital Partners. " +
        $"Every one of the {noun} above the threshold needs written approval from the compliance officer.";

    private static string Policy(string name, string noun) =>
        $"# {name} policy\n\n## 1 Purpose\n\nThis policy governs {noun} made by employees of Northwind Capital Partners.\n\n" +
        $"## 2 Approval\n\nEvery one of the {noun} above the threshold needs written approval from the compliance officer.\n";

    private List<string> WriteDocuments(bool withBrokenFile)
    {
        var files = new List<string>();
        void Write(string name, byte[] bytes)
        {
            var path = Path.Combine(_scratch.FullName, name);
            File.WriteAllBytes(path, bytes);
            files.Add(path);
        }
        Write("gifts.md", System.Text.Encoding.UTF8.GetBytes(Policy("Gifts", "gifts")));
        if (withBrokenFile)
        {
            // A PNG under a Markdown name: extraction refuses it by content, as the API would.
            Write("picture.md", [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13]);
        }
        Write("trading.md", System.Text.Encoding.UTF8.GetBytes(Policy("Trading", "trades")));
        return files;
    }

    private static async Task<List<string>> BenchDatabasesAsync(string admin)
    {
        await using var connection = new NpgsqlConnection(admin);
        await connection.OpenAsync(Token);
        await using var command = new NpgsqlCommand("SELECT datname FROM pg_database WHERE datname LIKE 'ingest_bench_%' ORDER BY 1", connection);
        var names = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(Token);
        while (await reader.ReadAsync(Token))
        {
            names.Add(reader.GetString(0));
        }
        return names;
    }

    private static string TinyModelDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, ".tools", "models", "gte-small-tiny");
            if (File.Exists(Path.Combine(candidate, "model.onnx")))
            {
                return candidate;
            }
        }
        throw new InvalidOperationException("The generated test model .tools/models/gte-small-tiny is missing: run scripts/generate-test-models.sh.");
    }
}
