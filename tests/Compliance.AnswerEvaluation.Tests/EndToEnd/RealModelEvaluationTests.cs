using Compliance.AnswerEvaluation.Metrics;
using Compliance.AnswerEvaluation.Questions;
using Compliance.AnswerEvaluation.Running;
using Compliance.AnswerEvaluation.Tests.Infrastructure;
using Compliance.Contracts.Questions;

namespace Compliance.AnswerEvaluation.Tests.EndToEnd;

/// <summary>
/// The whole committed question set (114, paraphrases and off-topic questions included) through the real API with the
/// default real embedding model, arctic-embed-xs, and its measured semantic gate; retrieval-only answers, scored by the
/// tool's own code. Minimums are the measurement in docs/answer-quality.md minus a margin, as in
/// <see cref="RetrievalOnlyEvaluationTests"/>.
/// </summary>
public sealed class RealModelEvaluationTests(RealModelEvaluationTests.RealModelPoliciesApi api) : IClassFixture<RealModelEvaluationTests.RealModelPoliciesApi>
{
    // Measured with arctic-embed-xs (CLS pooling, query prefix), RRF k = 60, MIN_VECTOR_SIMILARITY 0.562 on 7 Dec 2026:
    // refusal accuracy 0.816, answer rate 0.886 (78/88), refusal rate 0.577 (15/26), citation recall 0.818,
    // paraphrases answered 17/25. Lexical search on the same 114 questions: 0.649 / 0.580 / 0.885 / 0.568, 4/25.
    // The margins allow about three more wrong decisions each.
    private const double MinimumRefusalAccuracy = 0.78;
    private const double MinimumAnswerRate = 0.85;
    private const double MinimumRefusalRate = 0.50;
    private const double MinimumCitationRecall = 0.78;
    private const double MinimumParaphraseAnswerRate = 0.60;

    [Fact]
    public async Task The_extended_question_set_meets_the_measured_semantic_thresholds()
    {
        if (!RealModelPoliciesApi.ModelPresent)
        {
            Assert.Skip($"No real embedding model at {RealModelPoliciesApi.ModelDirectory} (building src/Compliance.Api extracts the default one there; " +
                $"or set {RealModelPoliciesApi.ModelVariable}): the semantic evaluation needs trained weights.");
        }

        var set = await QuestionSet.LoadAsync(Repository.QuestionFile, TestContext.Current.CancellationToken);
        using var http = api.CreateClient();
        var client = new QueryApiClient(http, http.BaseAddress!, SamplePoliciesApi.ServiceToken);
        var settings = new EvaluationSettings(http.BaseAddress!, SamplePoliciesApi.ServiceToken, Repository.QuestionFile, EvaluationSettings.DefaultUserId);
        var report = await new AnswerEvaluationRunner(client, TimeProvider.System).RunAsync(set, settings, null, TestContext.Current.CancellationToken);
        TestContext.Current.TestOutputHelper?.WriteLine(Reporting.AnswerReportWriter.ToMarkdown(report));

        Assert.Equal(0, report.Errors);
        Assert.All(report.Results, r => Assert.Contains(r.Mode, new[] { AnswerModes.RetrievalOnly, AnswerModes.Refusal }));
        Assert.InRange(report.RefusalAccuracy!.Value, MinimumRefusalAccuracy, 1);
        Assert.InRange(report.AnswerRate!.Value, MinimumAnswerRate, 1);
        Assert.InRange(report.RefusalRate!.Value, MinimumRefusalRate, 1);
        Assert.InRange(report.CitationRecall!.Value, MinimumCitationRecall, 1);
        // The questions worded unlike their policy: lexical search answers 4 of 25, the semantic gate 17.
        var paraphrases = report.Results.Where(r => r.Id.StartsWith("para-", StringComparison.Ordinal)).ToList();
        Assert.InRange(paraphrases.Count(r => r.Outcome == OutcomeKind.Answered) / (double)paraphrases.Count, MinimumParaphraseAnswerRate, 1);
    }

    /// <summary>The sample-policies API with the real model: the build's default one, or <c>COMPLIANCE_TEST_EMBED_MODEL</c>.</summary>
    public sealed class RealModelPoliciesApi : SamplePoliciesApi
    {
        public const string ModelVariable = "COMPLIANCE_TEST_EMBED_MODEL";

        public static string ModelDirectory =>
            Environment.GetEnvironmentVariable(ModelVariable) is { Length: > 0 } configured
                ? Path.GetFullPath(configured)
                : Path.Combine(Repository.Root, ".tools", "models", "arctic-embed-xs");

        public static bool ModelPresent => File.Exists(Path.Combine(ModelDirectory, "model.onnx"));

        protected override string? EmbeddingModelDirectory => ModelPresent ? ModelDirectory : null;
    }
}
