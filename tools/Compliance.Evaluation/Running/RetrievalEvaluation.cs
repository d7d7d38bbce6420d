using System.Diagnostics;
using Compliance.Evaluation.Dataset;
using Compliance.Evaluation.Metrics;
using Compliance.Knowledge.Embeddings;
using Compliance.Knowledge.Indexing;
using Compliance.Knowledge.Indexing.Embedded;
using Compliance.Knowledge.Indexing.RediSearch;
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
    EmbedderIdentity Embedder,
    double IndexingSeconds,
    QueryEmbeddingTimes? QueryEmbedding,
    string LoadAverageBefore,
    string LoadAverageAfter,
    IReadOnlyList<SettingResult> Results,
    IReadOnlyList<string> Notes,
    IReadOnlyList<SettingResult>? Sweep = null);

/// <summary>
/// Time to embed each question once (single-text calls, as the API embeds a question), measured before scoring;
/// the settings' latencies exclude it because the vectors are then served from the API's own question cache.
/// </summary>
public sealed record QueryEmbeddingTimes(int Questions, double P50Milliseconds, double P99Milliseconds);

/// <summary>What to evaluate.</summary>
public sealed record EvaluationRequest(
    string DatasetPath,
    string QuestionFile,
    int? MaxQuestions,
    ITextEmbedder? Embedder,
    string IndexPath,
    int? MaxPassages = null,
    bool Sweep = false,
    int? MaxDocuments = null,
    bool SweepOnly = false,
    string? RedisUrl = null,
    double? FrequentTermShare = null,
    bool RescoreWithEmbeddedBm25 = true);

/// <summary>
/// Indexes the dataset's passages through the real embedded index (one chunk per passage), then runs every
/// question through <see cref="HybridSearch"/> for each setting and through the independent reference BM25.
/// </summary>
public static class RetrievalEvaluation
{
    private const int Depth = 10;
    // Passages per EmbedPassagesAsync call: the embedder sorts each call by length, so larger groups pad less.
    private const int EmbedBatch = 256;

    public static async Task<EvaluationReport> RunAsync(EvaluationRequest request, IProgress<string>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var dataset = await ObliqaDataset.LoadAsync(request.DatasetPath, request.QuestionFile, request.MaxQuestions, cancellationToken);
        progress?.Report($"{dataset.Passages.Count} passages, {dataset.Questions.Count} questions");
        var notes = new List<string>();
        var results = new List<SettingResult>();
        var passages = dataset.Passages;
        var questions = dataset.Questions;
        if (request.MaxDocuments is { } maxDocuments)
        {
            (passages, questions) = DocumentSubset.Select(passages, questions, maxDocuments);
            notes.Add($"Document subset: the first {maxDocuments} documents ({passages.Count} of {dataset.Passages.Count} passages) and the " +
                $"{questions.Count} of {dataset.Questions.Count} questions answered entirely inside them; scores are higher than on the full corpus.");
        }
        if (request.MaxPassages is { } maxPassages && maxPassages < passages.Count)
        {
            passages = PassageSubset.Select(passages, questions, maxPassages);
            var relevant = questions.SelectMany(q => q.Relevant).Distinct().Count();
            notes.Add($"Passage subset: {passages.Count} of {dataset.Passages.Count} passages (the {relevant} relevant to the evaluated questions " +
                $"and {passages.Count - relevant} others spread over every document); scores are higher than on the full corpus.");
        }
        var loadBefore = LoadAverage.Read();
        var identity = EmbedderIdentity.Of(request.Embedder);

        // The embedded index, or with a Redis URL the RediSearch backend (a fresh index, dropped afterwards).
        await using var backend = await EvaluationBackend.OpenAsync(request.RedisUrl, request.IndexPath, request.FrequentTermShare, request.RescoreWithEmbeddedBm25);
        var index = backend.Index;
        // Passage vectors are kept only to check RediSearch's KNN against an exact scan.
        var kept = request.RedisUrl is not null && request.Embedder is not null ? new List<(string Id, float[] Vector)>(passages.Count) : null;
        var watch = Stopwatch.StartNew();
        await index.EnsureCreatedAsync(request.Embedder?.Dimensions ?? 1, cancellationToken);
        for (var start = 0; start < passages.Count; start += EmbedBatch)
        {
            var batch = passages.Skip(start).Take(EmbedBatch).ToList();
            var vectors = request.Embedder is null ? null : await request.Embedder.EmbedPassagesAsync(batch.Select(p => p.Text).ToList(), cancellationToken);
            await index.UpsertAsync(batch.Select((p, i) => ToChunk(p, vectors?[i])).ToList(), cancellationToken);
            kept?.AddRange(batch.Select((p, i) => (p.Id, vectors![i])));
            var done = Math.Min(start + EmbedBatch, passages.Count);
            progress?.Report($"indexed {done}/{passages.Count} passages ({done / watch.Elapsed.TotalSeconds:0.0}/s)");
        }
        var indexingSeconds = watch.Elapsed.TotalSeconds;
        if (index is RediSearchKnowledgeIndex rediSearch)
        {
            notes.Add($"Backend: RediSearch {rediSearch.ModuleVersion} on Redis {await backend.ServerVersionAsync()} (a fresh index, dropped afterwards).");
        }

        // The API wraps its embedder in this cache; embedding every question once here keeps the per-setting
        // latencies comparable (search only) and times the question embedding on its own.
        using var questionEmbedder = request.Embedder is null ? null
            : new CachingTextEmbedder(new BorrowedEmbedder(request.Embedder), questions.Count + 1);
        QueryEmbeddingTimes? queryTimes = null;
        if (questionEmbedder is not null)
        {
            var embedLatencies = new List<double>(questions.Count);
            foreach (var question in questions)
            {
                var started = Stopwatch.GetTimestamp();
                await questionEmbedder.EmbedQueryAsync(question.Text, cancellationToken);
                embedLatencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
            queryTimes = new QueryEmbeddingTimes(questions.Count,
                RankingMetrics.Percentile(embedLatencies, 50), RankingMetrics.Percentile(embedLatencies, 99));
            progress?.Report($"embedded {questions.Count} questions");
            if (kept is not null)
            {
                notes.Add(await KnnAgreement.MeasureAsync(index, questionEmbedder, questions, kept, cancellationToken));
            }
        }

        // The sweep alone fetches two lists per question instead of running a search per setting: on a loaded
        // machine the standard rows' searches take longer than the sweep.
        foreach (var setting in request.SweepOnly && questionEmbedder is not null ? Array.Empty<RetrievalSetting>() : RetrievalSetting.Standard)
        {
            if (setting.NeedsEmbedder && request.Embedder is null)
            {
                notes.Add($"'{setting.Name}' skipped: no embedder (pass --model DIR or --embedder hashing).");
                continue;
            }
            var search = new HybridSearch(index, questionEmbedder, setting.ToOptions(Depth));
            results.Add(await ScoreAsync(setting.Name, questions, async question =>
            {
                var result = await search.SearchAsync(question, new SearchFilter(Tenants.Global), Depth, cancellationToken);
                return result.Hits.Select(h => h.Chunk.ChunkId).ToList();
            }));
            progress?.Report($"scored {setting.Name}");
        }

        IReadOnlyList<SettingResult>? sweep = null;
        if ((request.Sweep || request.SweepOnly) && questionEmbedder is not null)
        {
            sweep = await FusionSweep.RunAsync(index, questionEmbedder, questions, FusionSweep.Grid(), Depth, progress, cancellationToken);
            var bestMap = sweep.MaxBy(r => r.MapAt10)!;
            var bestRecall = sweep.MaxBy(r => r.RecallAt10)!;
            notes.Add(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"Sweep of {sweep.Count} fusion settings: best MAP@10 {bestMap.MapAt10:0.0000} ({bestMap.Setting}, recall@10 {bestMap.RecallAt10:0.0000}); " +
                $"best recall@10 {bestRecall.RecallAt10:0.0000} ({bestRecall.Setting}, MAP@10 {bestRecall.MapAt10:0.0000})."));
        }

        using (var reference = ReferenceBm25.Build(passages))
        {
            results.Add(await ScoreAsync("reference bm25 (plain fts5)", questions,
                question => Task.FromResult(reference.Search(question, Depth))));
        }
        return new EvaluationReport(
            request.DatasetPath, request.QuestionFile, passages.Count, dataset.EmptyPassages, questions.Count,
            dataset.UnresolvedJudgements, identity, indexingSeconds, queryTimes, loadBefore, LoadAverage.Read(), results, notes, sweep);
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

    /// <summary>An embedder the caller owns, so disposing the cache around it leaves it alone.</summary>
    private sealed class BorrowedEmbedder(ITextEmbedder inner) : ITextEmbedder
    {
        public int Dimensions => inner.Dimensions;

        public string ModelName => inner.ModelName;

        public Task<float[]> EmbedQueryAsync(string query, CancellationToken cancellationToken) => inner.EmbedQueryAsync(query, cancellationToken);

        public Task<float[][]> EmbedPassagesAsync(IReadOnlyList<string> passages, CancellationToken cancellationToken) =>
            inner.EmbedPassagesAsync(passages, cancellationToken);
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
