using System.Text.Json;
using Compliance.Evaluation.Dataset;
using Compliance.Evaluation.Metrics;
using Compliance.Evaluation.Reporting;
using Compliance.Evaluation.Running;

namespace Compliance.Knowledge.Tests.Search.Evaluation;

/// <summary>The evaluation tool's core, end to end over the committed obliqa-mini fixture.</summary>
public sealed class RetrievalEvaluationTests : IDisposable
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;
    private static readonly string Fixture = Path.Combine(AppContext.BaseDirectory, "Search", "Evaluation", "obliqa-mini");
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "compliance-eval-tests", Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task Dataset_resolves_judgements_like_obliqa_documents_them()
    {
        var dataset = await ObliqaDataset.LoadAsync(Fixture, "questions.json", null, Token);

        Assert.Equal(8, dataset.Passages.Count);
        Assert.Equal(1, dataset.EmptyPassages);
        Assert.Equal(1, dataset.UnresolvedJudgements);
        Assert.Equal(5, dataset.Questions.Count);
        // The duplicated key (1, "1.3") resolves to the passage whose text the judgement quotes.
        Assert.Equal(["a1000000-0000-4000-8000-000000000004"], dataset.Questions.Single(q => q.Id == "q-0002").Relevant);
        Assert.Equal(2, dataset.Questions.Single(q => q.Id == "q-0003").Relevant.Count);
    }

    [Fact]
    public async Task Missing_dataset_folders_and_files_are_named()
    {
        var folder = await Assert.ThrowsAsync<DirectoryNotFoundException>(() => ObliqaDataset.LoadAsync(_folder, "q.json", null, Token));
        var file = await Assert.ThrowsAsync<FileNotFoundException>(() => ObliqaDataset.LoadAsync(Fixture, "missing.json", null, Token));

        Assert.Contains("StructuredRegulatoryDocuments", folder.Message, StringComparison.Ordinal);
        Assert.Contains("missing.json", file.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Lexical_run_scores_bm25_beside_the_reference_and_explains_skipped_rows()
    {
        var report = await RetrievalEvaluation.RunAsync(
            new EvaluationRequest(Fixture, "questions.json", null, null, Path.Combine(_folder, "lexical.db")), null, Token);

        Assert.Equal(["bm25", "reference bm25 (plain fts5)"], report.Results.Select(r => r.Setting));
        Assert.Contains(report.Notes, n => n.Contains("'vector' skipped", StringComparison.Ordinal));
        var bm25 = report.Results[0];
        // Every fixture question shares its key words with its passage, so BM25 finds each within ten.
        Assert.Equal(1.0, bm25.RecallAt10, 9);
        Assert.InRange(bm25.MapAt10, 0.5, 1.0);
        Assert.InRange(bm25.NdcgAt10, bm25.MapAt10 - 0.2, 1.0);
        Assert.True(bm25.LatencyP99Milliseconds >= bm25.LatencyP50Milliseconds);
        Assert.Equal(5, bm25.Questions);
    }

    [Fact]
    public async Task With_an_embedder_every_setting_is_scored_and_written_as_json()
    {
        var report = await RetrievalEvaluation.RunAsync(
            new EvaluationRequest(Fixture, "questions.json", 4, new HashingTextEmbedder(64), Path.Combine(_folder, "hybrid.db")), null, Token);
        var json = Path.Combine(_folder, "out", "report.json");
        await ReportWriter.WriteJsonAsync(json, report, Token);

        Assert.Equal(RetrievalSetting.Standard.Select(s => s.Name).Append("reference bm25 (plain fts5)"), report.Results.Select(r => r.Setting));
        Assert.Empty(report.Notes);
        Assert.All(report.Results, r => Assert.Equal(4, r.Questions));
        Assert.All(report.Results, r => Assert.InRange(r.RecallAt5, 0.0, r.RecallAt10));
        Assert.Equal(new EmbedderIdentity(EmbedderIdentity.HashingKind, "feature-hashing-64", 64, null, null), report.Embedder);
        using var written = JsonDocument.Parse(await File.ReadAllTextAsync(json, Token));
        Assert.Equal(RetrievalSetting.Standard.Count + 1, written.RootElement.GetProperty("Results").GetArrayLength());
        Assert.Equal(report.Results[0].MapAt10, written.RootElement.GetProperty("Results")[0].GetProperty("MapAt10").GetDouble());
    }

    [Fact]
    public async Task The_fusion_sweep_scores_a_setting_exactly_as_the_search_it_stands_for()
    {
        var report = await RetrievalEvaluation.RunAsync(
            new EvaluationRequest(Fixture, "questions.json", null, new HashingTextEmbedder(64), Path.Combine(_folder, "sweep.db"), Sweep: true), null, Token);

        Assert.NotNull(report.Sweep);
        Assert.Equal(FusionSweep.Grid().Count, report.Sweep.Count);
        // The standard "hybrid weighted v=0.3" row ran HybridSearch with 50 candidates per list; the sweep fused
        // prefixes of deeper lists in memory. They must agree, or the sweep measures something the product never does.
        var searched = report.Results.Single(r => r.Setting == "hybrid weighted v=0.3");
        var swept = report.Sweep.Single(r => r.Setting == "weighted min-max v=0.30 n=50");
        Assert.Equal((searched.RecallAt5, searched.RecallAt10, searched.MapAt10, searched.NdcgAt10),
            (swept.RecallAt5, swept.RecallAt10, swept.MapAt10, swept.NdcgAt10));
        // The same for every knob of the second round: lexical re-ranking and adaptive weights.
        foreach (var (search, sweepRow) in new[]
        {
            ("hybrid z-score v=0.3 rerank top 20 w=0.3", "weighted z-score v=0.30 n=50 rerank top 20 w=0.30"),
            ("hybrid z-score v=0.3 adaptive z<3→v=0.6", "weighted z-score v=0.30 n=50 adaptive z<3.0→v=0.60"),
        })
        {
            var searchedRow = report.Results.Single(r => r.Setting == search);
            var sweptRow = report.Sweep.Single(r => r.Setting == sweepRow);
            Assert.Equal((searchedRow.RecallAt5, searchedRow.RecallAt10, searchedRow.MapAt10, searchedRow.NdcgAt10),
                (sweptRow.RecallAt5, sweptRow.RecallAt10, sweptRow.MapAt10, sweptRow.NdcgAt10));
        }
        Assert.Contains(report.Notes, n => n.StartsWith("Sweep of ", StringComparison.Ordinal));
        Assert.Contains("| rrf k=60 v=0.50 n=50 |", ReportWriter.ToMarkdown(report), StringComparison.Ordinal);
    }

    [Fact]
    public void Metrics_follow_their_textbook_definitions()
    {
        var relevant = new HashSet<string> { "a", "c", "x" };
        string[] ranked = ["a", "b", "c", "d"];

        Assert.Equal(2.0 / 3, RankingMetrics.RecallAt(ranked, relevant, 10), 12);
        Assert.Equal(1.0 / 3, RankingMetrics.RecallAt(ranked, relevant, 2), 12);
        Assert.Equal((1.0 + (2.0 / 3)) / 3, RankingMetrics.AveragePrecisionAt(ranked, relevant, 10), 12);
        var dcg = 1 + (1 / Math.Log2(4));
        var ideal = 1 + (1 / Math.Log2(3)) + (1 / Math.Log2(4));
        Assert.Equal(dcg / ideal, RankingMetrics.NdcgAt(ranked, relevant, 10), 12);
        Assert.Equal(1.0, RankingMetrics.NdcgAt(["a", "c", "x"], relevant, 10), 12);
        Assert.Equal(0.0, RankingMetrics.AveragePrecisionAt(["q"], relevant, 10));
    }

    [Fact]
    public void Percentiles_use_the_nearest_rank()
    {
        var samples = Enumerable.Range(1, 100).Select(i => (double)i).Reverse().ToList();

        Assert.Equal(50, RankingMetrics.Percentile(samples, 50));
        Assert.Equal(99, RankingMetrics.Percentile(samples, 99));
        Assert.Equal(7, RankingMetrics.Percentile([7], 99));
        Assert.True(double.IsNaN(RankingMetrics.Percentile([], 50)));
    }

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }
}
