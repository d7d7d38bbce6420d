using System.Globalization;
using System.Text;
using Compliance.Benchmarks.Embeddings;
using Compliance.Knowledge.Embeddings;
using Compliance.Testing.Servers;

namespace Compliance.Benchmarks.Ingestion;

/// <summary>
/// <c>ingest-throughput [--documents DIR] [--model DIR|none] [--threads N] [--database CONNECTION]</c>: documents to
/// searchable through the API's ingestion, in chunks/s and tokens/s with the time per stage, printed as a markdown
/// table (docs/performance.md, "Ingestion throughput (end to end)").
/// </summary>
internal static class IngestThroughputCommand
{
    private const string Usage =
        "usage: ingest-throughput [--documents DIR (default samples/policies)] [--model DIR|none (default .tools/models/gte-small-random)] " +
        "[--threads N (ONNX Runtime threads, default 0 = its choice, as the API)] [--database CONNECTION (Postgres superuser; default a throwaway local cluster)]";

    public static async Task<int> RunAsync(string[] args)
    {
        string documentsDirectory;
        string? modelDirectory;
        int threads;
        string? database;
        try
        {
            var options = new BenchArguments(args);
            documentsDirectory = Path.GetFullPath(options.Optional("documents") ?? FindInRepository("samples", "policies"));
            var model = options.Optional("model");
            modelDirectory = model == "none" ? null : Path.GetFullPath(model ?? FindInRepository(".tools", "models", "gte-small-random"));
            threads = options.Int("threads", 0);
            database = options.Optional("database");
        }
        catch (Exception error) when (error is ArgumentException or FormatException or DirectoryNotFoundException)
        {
            await Console.Error.WriteLineAsync($"ingest-throughput: {error.Message}{Environment.NewLine}{Usage}");
            return 2;
        }

        if (!Directory.Exists(documentsDirectory))
        {
            await Console.Error.WriteLineAsync($"ingest-throughput: --documents {documentsDirectory} does not exist.");
            return 2;
        }
        // As the ingest command picks files from a folder: no hidden files, no README.
        var files = Directory.EnumerateFiles(documentsDirectory)
            .Where(f => !Path.GetFileName(f).StartsWith('.') && !Path.GetFileName(f).StartsWith("README.", StringComparison.OrdinalIgnoreCase))
            .Order(StringComparer.Ordinal).ToList();
        if (files.Count == 0)
        {
            await Console.Error.WriteLineAsync($"ingest-throughput: {documentsDirectory} holds no documents.");
            return 2;
        }

        OnnxTextEmbedder? embedder = null;
        if (modelDirectory is not null)
        {
            try
            {
                embedder = OnnxTextEmbedder.Load(new EmbeddingOptions { ModelDirectory = modelDirectory, IntraOpThreads = threads });
            }
            catch (Exception error) when (error is EmbeddingModelException or ArgumentException)
            {
                await Console.Error.WriteLineAsync($"ingest-throughput: --model {modelDirectory}: {error.Message}");
                return 2;
            }
        }

        using (embedder)
        {
            LocalPostgres? throwaway = null;
            try
            {
                if (database is null)
                {
                    throwaway = await LocalPostgres.StartAsync();
                    database = throwaway.AdminConnectionString;
                }
                var loadBefore = await LoadAverageAsync();
                var result = await IngestThroughputRun.RunAsync(
                    new IngestThroughputSettings(files, embedder, database, Path.Combine(Path.GetTempPath(), "compliance-bench")), CancellationToken.None);
                var loadAfter = await LoadAverageAsync();
                Console.Write(Markdown(documentsDirectory, embedder, threads, result, loadBefore, loadAfter));
                return result.Failed == 0 ? 0 : 1;
            }
            finally
            {
                if (throwaway is not null)
                {
                    await throwaway.DisposeAsync();
                }
            }
        }
    }

    /// <summary>The ready-to-paste report: one summary row and one row of stage shares.</summary>
    internal static string Markdown(string input, OnnxTextEmbedder? embedder, int threads, IngestThroughputResult result, string loadBefore, string loadAfter)
    {
        var culture = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        var mode = embedder is null
            ? "lexical-only (no model)"
            : $"{embedder.ModelName} ({Path.GetFileName(embedder.ModelPath)}, {(threads == 0 ? "ORT default" : threads.ToString(culture))} threads)";
        text.AppendLine(culture, $"ingest-throughput {Shorten(input)}, {mode}; {Environment.ProcessorCount} cores, load average {loadBefore} → {loadAfter}");
        text.AppendLine();
        text.AppendLine("| input | embedder | documents | chunks | tokens | seconds | chunks/s | tokens/s |");
        text.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|");
        text.AppendLine(culture,
            $"| {Shorten(input)} | {(embedder is null ? "none (lexical-only)" : embedder.ModelName)} | {result.Documents - result.Failed} | {result.Chunks:N0} | {result.Tokens:N0} | {result.Total.TotalSeconds:0.00} | {result.ChunksPerSecond:N1} | {result.TokensPerSecond:N0} |");
        text.AppendLine();
        var stages = Enum.GetValues<IngestStage>();
        text.AppendLine("| " + string.Join(" | ", stages.Select(s => s.ToString().ToLowerInvariant())) + " |");
        text.AppendLine("|" + string.Concat(stages.Select(_ => "---:|")));
        text.AppendLine("| " + string.Join(" | ", stages.Select(s =>
            string.Create(culture, $"{result.Stages[s].TotalSeconds:0.00} s ({100 * result.Stages[s].TotalSeconds / result.Total.TotalSeconds:0.0}%)"))) + " |");
        text.AppendLine();
        if (embedder is not null)
        {
            text.AppendLine(culture, $"Embedded tokens (title › section prefix and [CLS]/[SEP] included, as the model saw them): {result.EmbeddedTokens:N0}, {result.EmbeddedTokens / result.Stages[IngestStage.Embed].TotalSeconds:N0}/s while embedding.");
        }
        if (!result.StagesAttributed)
        {
            text.AppendLine("WARNING: the stage hooks did not fire once per document; DocumentIngestion's order may have changed, so the extract/chunk split is unreliable.");
        }
        foreach (var failure in result.Failures)
        {
            text.AppendLine(culture, $"FAILED {failure}");
        }
        return text.ToString();
    }

    private static string Shorten(string path)
    {
        var root = FindRepositoryRoot();
        return root is not null && path.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal) ? path[(root.Length + 1)..] : path;
    }

    private static async Task<string> LoadAverageAsync() =>
        File.Exists("/proc/loadavg")
            ? string.Join(' ', (await File.ReadAllTextAsync("/proc/loadavg")).Split(' ').Take(3))
            : "unknown";

    private static string? FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Compliance.sln")))
            {
                return dir.FullName;
            }
        }
        return null;
    }

    private static string FindInRepository(params string[] parts) =>
        FindRepositoryRoot() is { } root
            ? Path.Combine([root, .. parts])
            : throw new DirectoryNotFoundException($"Not run from inside the repository; give {string.Join('/', parts)} explicitly.");
}
