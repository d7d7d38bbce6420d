using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Compliance.Knowledge.Embeddings;

namespace Compliance.Benchmarks.Embeddings;

/// <summary>
/// The C# half of scripts/bench-embeddings.sh: the same inputs file, model and thread count as
/// tools/reference/benchmark-embeddings.mjs, measured the same way, printed as the same JSON line.
/// </summary>
internal static class EmbeddingSideBySide
{
    public static async Task<int> RunAsync(string[] args)
    {
        var options = new BenchArguments(args);
        var threads = options.Int("threads", 2);
        // The embedder batches as the product does (its default token budget) unless told otherwise.
        var batchTokens = options.Int("batch-tokens", EmbeddingOptions.DefaultMaxBatchTokens);
        var queryCount = options.Int("queries", 400);
        using var inputs = JsonDocument.Parse(await File.ReadAllBytesAsync(options.Required("inputs")));
        var queries = inputs.RootElement.GetProperty("queries").EnumerateArray().Select(q => q.GetString()!).ToArray();
        var passages = inputs.RootElement.GetProperty("passages").EnumerateArray().Select(p => p.GetString()!).ToArray();
        var passageTokens = inputs.RootElement.GetProperty("passageTokens").EnumerateArray().Sum(t => t.GetInt32());

        using var embedder = OnnxTextEmbedder.Load(new EmbeddingOptions
        {
            ModelDirectory = options.Required("model"),
            IntraOpThreads = threads,
            MaxBatchTokens = batchTokens,
            SessionConfigEntries = options.Config(),
        });

        // Query latency: one call per query, as a user question arrives.
        for (var i = 0; i < 50; i++)
        {
            await embedder.EmbedQueryAsync(queries[i % queries.Length], CancellationToken.None);
        }

        var latencies = new double[queryCount];
        for (var i = 0; i < queryCount; i++)
        {
            var start = Stopwatch.GetTimestamp();
            await embedder.EmbedQueryAsync(queries[i % queries.Length], CancellationToken.None);
            latencies[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }

        Array.Sort(latencies);

        // Passage throughput: the embedder's own batching over all passages.
        await embedder.EmbedPassagesAsync(passages.Take(4).ToArray(), CancellationToken.None);
        var started = Stopwatch.GetTimestamp();
        await embedder.EmbedPassagesAsync(passages, CancellationToken.None);
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;

        Console.WriteLine(JsonSerializer.Serialize(new
        {
            side = "csharp",
            threads,
            queryP50Ms = Percentile(latencies, 50),
            queryP99Ms = Percentile(latencies, 99),
            queries = queryCount,
            passageTokensPerSecond = passageTokens / seconds,
            passages = passages.Length,
            maxBatchTokens = batchTokens,
        }));
        return 0;
    }

    private static double Percentile(double[] sorted, double p) =>
        sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p / 100 * sorted.Length) - 1)];

    public static string Format(double value) => value.ToString("F2", CultureInfo.InvariantCulture);
}
