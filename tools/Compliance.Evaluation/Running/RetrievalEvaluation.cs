using System.Diagnostics;
using Compliance.Evaluation.Dataset;
using Compliance.Evaluation.Metrics;
using Compliance.Knowledge.Embeddings;
using Compliance.Knowledge.Indexing;
using Compliance.Knowledge.Indexing.Embedded;
using Compliance.Knowledge.Search;

namespace Compliance.Evaluation.Running;

/// <summary>The scores of one retrieval setting over every question.</summary>
public sealed record SettingResult(
    string Setting,
    int Questions,
    double RecallAt5,
    double RecallAt10,
    double MapAt10,
    double NdcgAt10,
    double LatencyP50Milliseconds,
    double LatencyP99Milliseconds);

/// <summary>Everything one evaluation run measured, as printed and as written to JSON.</summary>
public sealed record EvaluationReport(
    string Dataset,
    string QuestionFile,
    int Passages,
    int EmptyPassagesSkipped,
    int Questions,
    int UnresolvedJudgements,
    string? Embedder,
    double IndexingSeconds,
    IReadOnlyList<SettingResult> Results,
    IReadOnlyList<string> Notes);

/// <summary>What to evaluate.</summary>
public sealed record EvaluationRequest(
    string DatasetPath,
    string QuestionFile,
    int? MaxQuestions,
    ITextEmbedder? Embedder,
    string IndexPath,
    int Candidates = 50);

/// <summary>
/// Indexes the dataset's passages through the real embedded index (one chunk per passage), then runs every
/// question through <see cref="HybridSearch"/> for each setting and through the independent reference BM25.
/// </summary>
public static class RetrievalEvaluation
{
    private const int Depth = 10;
    private const int EmbedBatch = 64;

    public static async Task<EvaluationReport> RunAsync(EvaluationRequest request, IProgress<string>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var dataset = await ObliqaDataset.LoadAsync(request.DatasetPath, request.QuestionFile, request.MaxQuestions, cancellationToken);
        progress?.Report($"{dataset.Passages.Count} passages, {dataset.Questions.Count} questions");
        var notes = new List<string>();
        var results = new List<SettingResult>();

        using var index = new SqliteKnowledgeIndex(new EmbeddedIndexOptions { Path = request.IndexPath });
        var watch = Stopwatch.StartNew();
        await index.EnsureCreatedAsync(request.Embedder?.Dimensions ?? 1, cancellationToken);
        for (var start = 0; start < dataset.Passages.Count; start += EmbedBatch)
        {
            var batch = dataset.Passages.Skip(start).Take(EmbedBatch).ToList();
            var vectors = request.Embedder is null ? null : await request.Embedder.EmbedBatchAsync(batch.Select(p => p.Text).ToList(), cancellationToken);
            await index.UpsertAsync(batch.Select((p, i) => ToChunk(p, vectors?[i])).ToList(), cancellationToken);
            progress?.Report($"indexed {Math.Min(start + EmbedBatch, dataset.Passages.Count)}/{dataset.Passages.Count}");
        }
        var indexingSeconds = watch.Elapsed.TotalSeconds;

        foreach (var setting in RetrievalSetting.Standard)
        {
            if (setting.NeedsEmbedder && request.Embedder is null)
            {
                notes.Add($"'{setting.Name}' skipped: no embedder (pass --model DIR or --embedder hashing).");
                continue;
            }
            var search = new HybridSearch(index, request.Embedder, setting.ToOptions(request.Candidates, Depth));
            results.Add(await ScoreAsync(setting.Name, dataset.Questions, async question =>
            {
                var result = await search.SearchAsync(question, new SearchFilter(Tenants.Global), Depth, cancellationToken);
                return result.Hits.Select(h => h.Chunk.ChunkId).ToList();
            }));
            progress?.Report($"scored {setting.Name}");
        }

        using (var reference = ReferenceBm25.Build(dataset.Passages))
        {
            results.Add(await ScoreAsync("reference bm25 (plain fts5)", dataset.Questions,
                question => Task.FromResult(reference.Search(question, Depth))));
        }
        return new EvaluationReport(
            request.DatasetPath, request.QuestionFile, dataset.Passages.Count, dataset.EmptyPassages, dataset.Questions.Count,
            dataset.UnresolvedJudgements, request.Embedder?.ModelName, indexingSeconds, results, notes);
    }

    /// <summary>The chunk for one passage: its uuid as chunk id, one global document per ObliQA DocumentID.</summary>
    public static ChunkRecord ToChunk(Passage passage, float[]? embedding)
    {
        ArgumentNullException.ThrowIfNull(passage);
        return new ChunkRecord(
            ChunkId: passage.Id,
            DocumentId: new Guid(passage.DocumentId, 0, 0, new byte[8]),
            DocumentVersion: 1,
            TenantId: Tenants.Global,
            Title: "",
            SectionPath: passage.PassageId,
            PageStart: null,
            PageEnd: null,
            Ordinal: 0,
            CharStart: 0,
            CharEnd: passage.Text.Length,
            Text: passage.Text,
            Tags: [],
            EffectiveDate: null,
            Status: ChunkStatus.Active,
            Embedding: embedding);
    }

    private static async Task<SettingResult> ScoreAsync(
        string name, IReadOnlyList<EvaluationQuestion> questions, Func<string, Task<IReadOnlyList<string>>> search)
    {
        double recall5 = 0, recall10 = 0, map = 0, ndcg = 0;
        var latencies = new List<double>(questions.Count);
        foreach (var question in questions)
        {
            var watch = Stopwatch.StartNew();
            var ranked = await search(question.Text);
            latencies.Add(watch.Elapsed.TotalMilliseconds);
            recall5 += RankingMetrics.RecallAt(ranked, question.Relevant, 5);
            recall10 += RankingMetrics.RecallAt(ranked, question.Relevant, 10);
            map += RankingMetrics.AveragePrecisionAt(ranked, question.Relevant, 10);
            ndcg += RankingMetrics.NdcgAt(ranked, question.Relevant, 10);
        }
        var n = Math.Max(questions.Count, 1);
        return new SettingResult(name, questions.Count, recall5 / n, recall10 / n, map / n, ndcg / n,
            RankingMetrics.Percentile(latencies, 50), RankingMetrics.Percentile(latencies, 99));
    }
}
