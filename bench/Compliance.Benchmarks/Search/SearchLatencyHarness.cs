using System.Diagnostics;
using System.Globalization;
using Compliance.Knowledge.Indexing;
using Compliance.Knowledge.Indexing.Embedded;
using Compliance.Knowledge.Indexing.RediSearch;
using Compliance.Knowledge.Search;
using StackExchange.Redis;

namespace Compliance.Benchmarks.Search;

/// <summary>
/// Loads a corpus into a fresh embedded index (or, given a Redis URL, a fresh RediSearch index, dropped afterwards),
/// then times many text, vector and hybrid searches (query embedding excluded) and reports p50/p99 wall time, CPU time
/// per query in this process, load throughput and memory.
/// </summary>
public static class SearchLatencyHarness
{
    public static async Task RunAsync(SearchCorpus corpus, int dimensions, int iterations, string folder, TextWriter output, string? redisUrl = null, bool keep = false, string? reuse = null, double? frequentTermShare = null, bool breakdown = false)
    {
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, $"bench-{Guid.NewGuid():N}.db");
        var managedBefore = GC.GetTotalMemory(forceFullCollection: true);
        using var redis = redisUrl is null ? null : await ConnectionMultiplexer.ConnectAsync(RedisConfiguration(redisUrl));
        var run = reuse ?? Guid.NewGuid().ToString("N")[..8];
        IKnowledgeIndex index = redis is null
            ? new SqliteKnowledgeIndex(new EmbeddedIndexOptions { Path = path })
            : new RediSearchKnowledgeIndex(redis.GetDatabase(), new RediSearchIndexOptions
            {
                IndexName = "bench-" + run,
                KeyPrefix = $"bench-chunk-{run}:",
                FrequentTermShare = frequentTermShare ?? new RediSearchIndexOptions().FrequentTermShare,
            });
        var usedBefore = redis is null ? 0 : await UsedMemoryAsync(redis);
        try
        {
            await index.EnsureCreatedAsync(dimensions, CancellationToken.None);
            var load = Stopwatch.StartNew();
            foreach (var batch in reuse is null ? corpus.Chunks.Chunk(1000) : [])
            {
                await index.UpsertAsync(batch, CancellationToken.None);
            }
            var loadSeconds = load.Elapsed.TotalSeconds;
            // Drop the corpus' own copies of the vectors before measuring what the index holds.
            var statistics = await index.GetStatisticsAsync(CancellationToken.None);
            var chunkCount = corpus.Chunks.Count;
            corpus = corpus with { Chunks = [] };
            var managedAfter = GC.GetTotalMemory(forceFullCollection: true);

            var random = new Random(1);
            var queryVectors = Enumerable.Range(0, 64).Select(_ => SearchCorpus.RandomUnitVector(random, dimensions)).ToArray();
            var embedder = new PrecomputedQueryEmbedder(queryVectors[0]);
            var hybrid = new HybridSearch(index, embedder, new HybridSearchOptions { TopK = 5 });
            var filter = new SearchFilter("100000000000000003");

            output.WriteLine($"## {corpus.Name} chunks, {dimensions} dimensions, {index.Backend} index ({statistics.Version})");
            output.WriteLine(reuse is not null
                ? $"load: none, searching the index bench-{run} a --keep run loaded ({statistics.Chunks} chunks)"
                : string.Create(CultureInfo.InvariantCulture,
                    $"load: {chunkCount} chunks in {loadSeconds:0.0} s ({chunkCount / loadSeconds:0} chunks/s, text + vectors, batches of 1000)"));
            var redisGrowth = redis is null ? 0 : await UsedMemoryAsync(redis) - usedBefore;
            output.WriteLine(index is SqliteKnowledgeIndex embedded
                ? string.Create(CultureInfo.InvariantCulture,
                    $"memory: managed heap +{(managedAfter - managedBefore) / 1048576.0:0.0} MiB (vector matrix with its int8 copy {embedded.VectorMemoryBytes / 1048576.0:0.0} MiB, text postings {embedded.TextMemoryBytes / 1048576.0:0.0} MiB), file {statistics.SizeBytes / 1048576.0:0.0} MiB")
                : string.Create(CultureInfo.InvariantCulture,
                    $"memory: Redis used_memory +{redisGrowth / 1048576.0:0.0} MiB (hashes with both text forms, the text index and HNSW)"));
            output.WriteLine();
            if (breakdown && index is RediSearchKnowledgeIndex rediSearchIndex)
            {
                // The same index without the client-side re-ranking, for its row.
                using var unranked = new RediSearchKnowledgeIndex(redis!.GetDatabase(), new RediSearchIndexOptions
                {
                    IndexName = "bench-" + run,
                    KeyPrefix = $"bench-chunk-{run}:",
                    FrequentTermShare = frequentTermShare ?? new RediSearchIndexOptions().FrequentTermShare,
                    RescoreWithEmbeddedBm25 = false,
                });
                await unranked.EnsureCreatedAsync(dimensions, CancellationToken.None);
                await RediSearchBreakdown.RunAsync(rediSearchIndex, unranked, corpus.Queries, queryVectors, filter, iterations, output);
                return;
            }
            output.WriteLine("| search | p50 ms | p99 ms | mean CPU ms/query |");
            output.WriteLine("|---|---:|---:|---:|");
            await MeasureAsync("text (BM25, top 50)", iterations, output, i =>
                index.SearchTextAsync(corpus.Queries[i % corpus.Queries.Count], filter, 50, CancellationToken.None));
            await MeasureAsync(index is SqliteKnowledgeIndex ? "vector (exact, top 50)" : "vector (HNSW KNN, top 50)", iterations, output, i =>
                index.SearchVectorAsync(queryVectors[i % queryVectors.Length], filter, 50, CancellationToken.None));
            await MeasureAsync("hybrid (text + vector + RRF, top 5)", iterations, output, i =>
            {
                embedder.Vector = queryVectors[i % queryVectors.Length];
                return hybrid.SearchAsync(corpus.Queries[i % corpus.Queries.Count], filter, null, CancellationToken.None);
            });
            output.WriteLine();
        }
        finally
        {
            if (index is RediSearchKnowledgeIndex && keep)
            {
                // The first query's text and vector, for FT.PROFILE of the same commands.
                await File.WriteAllTextAsync(Path.Combine(folder, $"bench-{run}.query.txt"), corpus.Queries[0]);
                await File.WriteAllBytesAsync(Path.Combine(folder, $"bench-{run}.vector.bin"), RediSearchFields.VectorBytes(SearchCorpus.RandomUnitVector(new Random(1), dimensions)));
                output.WriteLine($"kept RediSearch index bench-{run} (keys bench-chunk-{run}:*); first query in {folder}/bench-{run}.query.txt and .vector.bin");
            }
            else if (index is RediSearchKnowledgeIndex rediSearch)
            {
                await rediSearch.DropAsync();
            }
            (index as IDisposable)?.Dispose();
            foreach (var suffix in new[] { "", "-wal", "-shm" })
            {
                File.Delete(path + suffix);
            }
        }
    }

    private static ConfigurationOptions RedisConfiguration(string url)
    {
        // redis://host:port only: a benchmark against a local server, no credentials on the command line.
        var uri = new Uri(url);
        var options = ConfigurationOptions.Parse($"{uri.Host}:{(uri.Port > 0 ? uri.Port : 6379)}");
        options.SyncTimeout = 60_000;
        // RESP2 as the API pins it: the index reads RediSearch replies in their RESP2 shapes.
        options.Protocol = RedisProtocol.Resp2;
        // INFO memory (for the memory line) is an admin command in StackExchange.Redis.
        options.AllowAdmin = true;
        return options;
    }

    private static async Task<long> UsedMemoryAsync(ConnectionMultiplexer redis)
    {
        var info = await redis.GetServer(redis.GetEndPoints()[0]).InfoAsync("memory");
        var used = info.SelectMany(group => group).First(pair => pair.Key == "used_memory").Value;
        return long.Parse(used, CultureInfo.InvariantCulture);
    }

    private static async Task MeasureAsync<T>(string name, int iterations, TextWriter output, Func<int, Task<T>> search)
    {
        for (var i = 0; i < Math.Min(200, iterations); i++)
        {
            try
            {
                await search(i);
            }
            catch (SearchTimeoutException)
            {
                // Warm-up only.
            }
        }
        var samples = new double[iterations];
        var timedOut = 0;
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        for (var i = 0; i < iterations; i++)
        {
            var watch = Stopwatch.StartNew();
            try
            {
                await search(i);
            }
            catch (SearchTimeoutException)
            {
                // RediSearch refused a search past its TIMEOUT: counted, and its time kept in the percentiles.
                timedOut++;
            }
            samples[i] = watch.Elapsed.TotalMilliseconds;
        }
        var cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalMilliseconds / iterations;
        Array.Sort(samples);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {name} | {Percentile(samples, 50):0.00} | {Percentile(samples, 99):0.00} | {cpu:0.00} |{(timedOut > 0 ? $" {timedOut} of {iterations} timed out" : "")}"));
        output.Flush();
    }

    private static double Percentile(double[] sorted, double percentile) =>
        sorted[Math.Clamp((int)Math.Ceiling(percentile / 100 * sorted.Length) - 1, 0, sorted.Length - 1)];
}
