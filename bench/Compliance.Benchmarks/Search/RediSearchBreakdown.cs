using System.Diagnostics;
using System.Globalization;
using Compliance.Knowledge.Indexing;
using Compliance.Knowledge.Indexing.RediSearch;
using Compliance.Knowledge.Search;

namespace Compliance.Benchmarks.Search;

/// <summary>
/// Where one hybrid question's time goes on RediSearch (<c>latency --redisearch URL --reuse RUN --breakdown</c>):
/// each step at hybrid's depth (200 per list), timed in rotation within one loop, so every row sees the same load
/// (the machine is shared; separate runs minutes apart are not comparable). The hybrid rows compare the candidate
/// path (ids and scores, the fused top k loaded) with the full-chunk path it replaced, question by question.
/// </summary>
internal static class RediSearchBreakdown
{
    private const int Depth = 200;

    public static async Task RunAsync(RediSearchKnowledgeIndex index, RediSearchKnowledgeIndex unranked, IReadOnlyList<string> questions,
        float[][] vectors, SearchFilter filter, int iterations, TextWriter output)
    {
        iterations = Math.Min(iterations, questions.Count - 1500);
        var embedder = new PrecomputedQueryEmbedder(vectors[0]);
        var options = new HybridSearchOptions { TopK = 5 };
        var lean = new HybridSearch(index, embedder, options);
        var full = new HybridSearch(new FullChunks(index), embedder, options);
        // Questions 0-299 are asked in the warm-up too (their term counts and passages' tokens are cached, as for a
        // question asked again); the "new question" rows ask questions 1000+ and 1500+ once each, so the term counts
        // and most passages' tokens are not cached yet.
        var steps = new (string Name, bool Warm, Func<int, Task> Run)[]
        {
            ("text, every field (the full-chunk path), re-ranked", true, i => index.SearchTextAsync(questions[i], filter, Depth, CancellationToken.None)),
            ("text candidates (id, document, title, text length), re-ranked", true, i => index.SearchTextCandidatesAsync(questions[i], filter, Depth, CancellationToken.None)),
            ("text candidates, RediSearch's order (no re-ranking)", true, i => unranked.SearchTextCandidatesAsync(questions[i], filter, Depth, CancellationToken.None)),
            ("KNN, every field", true, i => index.SearchVectorAsync(vectors[i % vectors.Length], filter, Depth, CancellationToken.None)),
            ("KNN candidates (id, document, distance)", true, i => index.SearchVectorCandidatesAsync(vectors[i % vectors.Length], filter, Depth, CancellationToken.None)),
            ("hybrid, full-chunk path (before)", true, i => Hybrid(full, i)),
            ("hybrid, candidates + top 5 loaded (now)", true, i => Hybrid(lean, i)),
            ("hybrid, full-chunk path, new question", false, i => Hybrid(full, 1000 + i)),
            ("hybrid, candidates + top 5 loaded, new question", false, i => Hybrid(lean, 1500 + i)),
        };
        // Fusion and the load of the fused top 5 alone, from lists fetched once per question.
        var fuseSamples = new List<double>();
        var loadSamples = new List<double>();

        for (var i = 0; i < Math.Min(200, iterations); i++)
        {
            foreach (var step in steps.Where(step => step.Warm))
            {
                await step.Run(i);
            }
        }
        var samples = steps.Select(_ => new List<double>()).ToArray();
        var cpu = new TimeSpan[steps.Length];
        var process = Process.GetCurrentProcess();
        for (var i = 0; i < iterations; i++)
        {
            for (var s = 0; s < steps.Length; s++)
            {
                var cpuBefore = process.TotalProcessorTime;
                var watch = Stopwatch.StartNew();
                await steps[s].Run(i);
                samples[s].Add(watch.Elapsed.TotalMilliseconds);
                process.Refresh();
                cpu[s] += process.TotalProcessorTime - cpuBefore;
            }
            var text = await index.SearchTextCandidatesAsync(questions[i], filter, Depth, CancellationToken.None);
            var knn = await index.SearchVectorCandidatesAsync(vectors[i % vectors.Length], filter, Depth, CancellationToken.None);
            var fuse = Stopwatch.StartNew();
            var fused = RankFusion.FuseCandidates(text, knn, options, options.TopK);
            fuseSamples.Add(fuse.Elapsed.TotalMilliseconds);
            var load = Stopwatch.StartNew();
            await index.LoadChunksAsync([.. fused.Select(f => f.ChunkId)], filter, CancellationToken.None);
            loadSamples.Add(load.Elapsed.TotalMilliseconds);
        }
        output.WriteLine($"### Breakdown at depth {Depth} per list ({iterations} questions, steps in rotation)");
        output.WriteLine("| step | p50 ms | p99 ms | mean client CPU ms |");
        output.WriteLine("|---|---:|---:|---:|");
        for (var s = 0; s < steps.Length; s++)
        {
            Row(steps[s].Name, samples[s], cpu[s].TotalMilliseconds / iterations);
        }
        Row("fusion of the two candidate lists (in memory)", fuseSamples, null);
        Row("load of the fused top 5 (one pipelined HMGET each)", loadSamples, null);
        output.WriteLine();

        Task Hybrid(HybridSearch search, int i)
        {
            embedder.Vector = vectors[i % vectors.Length];
            return search.SearchAsync(questions[i], filter, null, CancellationToken.None);
        }

        void Row(string name, List<double> values, double? cpuMs)
        {
            values.Sort();
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {name} | {Percentile(values, 50):0.00} | {Percentile(values, 99):0.00} | {(cpuMs is { } c ? c.ToString("0.00", CultureInfo.InvariantCulture) : "-")} |"));
            output.Flush();
        }
    }

    private static double Percentile(List<double> sorted, double percentile) =>
        sorted[Math.Clamp((int)Math.Ceiling(percentile / 100 * sorted.Count) - 1, 0, sorted.Count - 1)];

    /// <summary>The index without its candidate search: hybrid search then takes the full-chunk path, as before.</summary>
    private sealed class FullChunks(IKnowledgeIndex inner) : IKnowledgeIndex
    {
        public string Backend => inner.Backend;

        public Task EnsureCreatedAsync(int dimensions, CancellationToken cancellationToken) => inner.EnsureCreatedAsync(dimensions, cancellationToken);

        public Task UpsertAsync(IReadOnlyList<ChunkRecord> chunks, CancellationToken cancellationToken) => inner.UpsertAsync(chunks, cancellationToken);

        public Task<int> DeleteDocumentAsync(Guid documentId, int? version, CancellationToken cancellationToken) => inner.DeleteDocumentAsync(documentId, version, cancellationToken);

        public Task<IReadOnlyList<RankedChunk>> SearchTextAsync(string query, SearchFilter filter, int limit, CancellationToken cancellationToken) =>
            inner.SearchTextAsync(query, filter, limit, cancellationToken);

        public Task<IReadOnlyList<RankedChunk>> SearchVectorAsync(ReadOnlyMemory<float> vector, SearchFilter filter, int limit, CancellationToken cancellationToken) =>
            inner.SearchVectorAsync(vector, filter, limit, cancellationToken);

        public Task<IndexStatistics> GetStatisticsAsync(CancellationToken cancellationToken) => inner.GetStatisticsAsync(cancellationToken);

        public Task<EmbeddingModelChange> UseEmbeddingModelAsync(string model, CancellationToken cancellationToken) => inner.UseEmbeddingModelAsync(model, cancellationToken);
    }
}
