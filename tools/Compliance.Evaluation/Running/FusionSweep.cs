using System.Globalization;
using Compliance.Evaluation.Dataset;
using Compliance.Evaluation.Metrics;
using Compliance.Knowledge.Embeddings;
using Compliance.Knowledge.Indexing;
using Compliance.Knowledge.Search;

namespace Compliance.Evaluation.Running;

/// <summary>One fusion setting of the sweep, as <see cref="HybridSearchOptions"/> would carry it.</summary>
public sealed record SweepSetting(FusionMethod Fusion, int Candidates, double VectorWeight, int RrfK, ScoreNormalization Normalization,
    int RerankDepth = 0, double RerankWeight = 0.5, double? AdaptiveZ = null, double AdaptiveVectorWeight = 0.5)
{
    public HybridSearchOptions ToOptions(int topK) => new()
    {
        Fusion = Fusion,
        CandidatesPerList = Candidates,
        VectorWeight = VectorWeight,
        TextWeight = 1 - VectorWeight,
        RrfK = RrfK,
        Normalization = Normalization,
        LexicalRerankDepth = RerankDepth,
        LexicalRerankWeight = RerankWeight,
        AdaptiveTextZThreshold = AdaptiveZ,
        AdaptiveVectorWeight = AdaptiveVectorWeight,
        TopK = topK,
    };

    public string Name =>
        VectorWeight == 0 ? "bm25 (text list alone)"
        : VectorWeight == 1 ? "vector (vector list alone)"
        : Fusion == FusionMethod.Rrf
        ? string.Create(CultureInfo.InvariantCulture, $"rrf k={RrfK} v={VectorWeight:0.00} n={Candidates}")
        : string.Create(CultureInfo.InvariantCulture, $"weighted {(Normalization == ScoreNormalization.MinMax ? "min-max" : "z-score")} v={VectorWeight:0.00} n={Candidates}") + Extras;

    private string Extras =>
        (AdaptiveZ is { } z ? string.Create(CultureInfo.InvariantCulture, $" adaptive z<{z:0.0}→v={AdaptiveVectorWeight:0.00}") : "")
        + (RerankDepth > 0 ? string.Create(CultureInfo.InvariantCulture, $" rerank top {RerankDepth} w={RerankWeight:0.00}") : "");
}

/// <summary>
/// Sweeps fusion settings without re-querying: each question's BM25 and vector lists are fetched once at the
/// deepest candidate depth, and every setting fuses prefixes of them with the same <c>RankFusion.Fuse</c> (with the question, for its lexical re-ranking)
/// that <see cref="HybridSearch"/> calls (a ranked list cut to n is what a search for n candidates returns).
/// </summary>
public static class FusionSweep
{
    public static IReadOnlyList<SweepSetting> Grid()
    {
        int[] depths = [20, 50, 100, 200];
        double[] weights = [0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8];
        // A weight of 0 or 1 ranks one list alone (the BM25 and vector rows, from the same fetched lists).
        var grid = new List<SweepSetting>
        {
            new(FusionMethod.Rrf, depths[0], 0, 60, ScoreNormalization.MinMax),
            new(FusionMethod.Rrf, depths[0], 1, 60, ScoreNormalization.MinMax),
        };
        foreach (var n in depths)
        {
            foreach (var w in weights)
            {
                foreach (var k in new[] { 1, 5, 10, 20, 40, 60, 100 })
                {
                    grid.Add(new SweepSetting(FusionMethod.Rrf, n, w, k, ScoreNormalization.MinMax));
                }
                grid.Add(new SweepSetting(FusionMethod.Weighted, n, w, 60, ScoreNormalization.MinMax));
                grid.Add(new SweepSetting(FusionMethod.Weighted, n, w, 60, ScoreNormalization.ZScore));
            }
        }
        // Issue 12's second round (docs/retrieval-quality.md, "Lexical re-ranking and adaptive weights"): weighted
        // z-score fusion, then a lexical re-ranking of the fused top N and/or per-query weights.
        foreach (var n in new[] { 50, 200 })
        {
            foreach (var v in new[] { 0.3, 0.4, 0.5 })
            {
                foreach (var depth in new[] { 10, 20, 30, 50, 100 })
                {
                    foreach (var w in new[] { 0.1, 0.2, 0.3, 0.4, 0.5, 0.7 })
                    {
                        grid.Add(new SweepSetting(FusionMethod.Weighted, n, v, 60, ScoreNormalization.ZScore, depth, w));
                    }
                }
                foreach (var z in new[] { 2.0, 3.0, 4.0, 5.0, 6.0 })
                {
                    foreach (var adaptive in new[] { 0.5, 0.6, 0.7 })
                    {
                        grid.Add(new SweepSetting(FusionMethod.Weighted, n, v, 60, ScoreNormalization.ZScore, AdaptiveZ: z, AdaptiveVectorWeight: adaptive));
                        grid.Add(new SweepSetting(FusionMethod.Weighted, n, v, 60, ScoreNormalization.ZScore, 30, 0.3, z, adaptive));
                    }
                }
            }
        }
        return grid;
    }

    public static async Task<IReadOnlyList<SettingResult>> RunAsync(
        IKnowledgeIndex index, ITextEmbedder questionEmbedder, IReadOnlyList<EvaluationQuestion> questions,
        IReadOnlyList<SweepSetting> grid, int depth, IProgress<string>? progress, CancellationToken cancellationToken)
    {
        var maxCandidates = grid.Max(s => s.Candidates);
        var filter = new SearchFilter(Tenants.Global);
        var lists = new List<(IReadOnlyList<RankedChunk> Text, IReadOnlyList<RankedChunk> Vector)>(questions.Count);
        foreach (var question in questions)
        {
            var text = await index.SearchTextAsync(question.Text, filter, maxCandidates, cancellationToken);
            var vector = await index.SearchVectorAsync(await questionEmbedder.EmbedQueryAsync(question.Text, cancellationToken), filter, maxCandidates, cancellationToken);
            lists.Add((text, vector));
        }
        progress?.Report($"sweep: fetched {maxCandidates} candidates per list for {questions.Count} questions");
        var results = new List<SettingResult>(grid.Count);
        foreach (var setting in grid)
        {
            var options = setting.ToOptions(depth);
            options.Validate();
            double recall5 = 0, recall10 = 0, map = 0, ndcg = 0;
            for (var i = 0; i < questions.Count; i++)
            {
                var (text, vector) = lists[i];
                var hits = RankFusion.Fuse(questions[i].Text, Cut(text, setting.Candidates), Cut(vector, setting.Candidates), options, depth);
                var ranked = hits.Select(h => h.Chunk.ChunkId).ToList();
                recall5 += RankingMetrics.RecallAt(ranked, questions[i].Relevant, 5);
                recall10 += RankingMetrics.RecallAt(ranked, questions[i].Relevant, 10);
                map += RankingMetrics.AveragePrecisionAt(ranked, questions[i].Relevant, 10);
                ndcg += RankingMetrics.NdcgAt(ranked, questions[i].Relevant, 10);
            }
            var n = Math.Max(questions.Count, 1);
            results.Add(new SettingResult(setting.Name, questions.Count, recall5 / n, recall10 / n, map / n, ndcg / n, 0, 0));
        }
        return results;
    }

    private static IReadOnlyList<RankedChunk> Cut(IReadOnlyList<RankedChunk> list, int count) =>
        list.Count <= count ? list : list.Take(count).ToList();
}
