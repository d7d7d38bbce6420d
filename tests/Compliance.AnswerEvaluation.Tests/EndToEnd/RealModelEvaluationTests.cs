using Compliance.AnswerEvaluation.Metrics;
using Compliance.AnswerEvaluation.Questions;
using Compliance.AnswerEvaluation.Running;
using Compliance.AnswerEvaluation.Tests.Infrastructure;
using Compliance.Contracts.Questions;

namespace Compliance.AnswerEvaluation.Tests.EndToEnd;

/// <summary>
/// The whole committed question set (126, paraphrases and off-topic questions included) through the real API with the
/// default real embedding model, arctic-embed-xs, and its measured semantic gate; retrieval-only answers, scored by the
/// tool's own code. Minimums are the measurement in docs/answer-quality.md minus a margin, as in
/// <see cref="RetrievalOnlyEvaluationTests"/>.
/// </summary>
public sealed class RealModelEvaluationTests(RealModelEvaluationTests.RealModelPoliciesApi api) : IClassFixture<RealModelEvaluationTests.RealModelPoliciesApi>
{
    // Measured with arctic-embed-xs (CLS pooling, query prefix), weighted fusion (BM25 0.7 / vector 0.3),
    // MIN_VECTOR_SIMILARITY 0.562 on 7 Dec 2026 over the 126 questions (the 114 plus 12 added as a fresh held-out
    // check): refusal accuracy 0.794, answer rate 0.883 (83/94), refusal rate 0.531 (17/32), citation recall 0.819,
    // paraphrases answered 22/31. On the 114 alone: 0.816 / 0.886 / 0.577 / 0.818, 17/25. The margins allow about
    // three more wrong decisions each (the refusal rate, over 32 questions, dropped from 0.50 to 0.43 for that reason:
    // the added off-topic questions are harder, the gate is the same).
    private const double MinimumRefusalAccuracy = 0.765;
    private const double MinimumAnswerRate = 0.85;
    private const double MinimumRefusalRate = 0.43;
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
        // The questions worded unlike their policy: lexical search answers 4 of the first 25, the semantic gate 22 of 31.
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
