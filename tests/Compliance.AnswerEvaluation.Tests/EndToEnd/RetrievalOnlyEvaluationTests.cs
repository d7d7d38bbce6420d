using Compliance.AnswerEvaluation.Metrics;
using Compliance.AnswerEvaluation.Questions;
using Compliance.AnswerEvaluation.Running;
using Compliance.AnswerEvaluation.Tests.Infrastructure;
using Compliance.Contracts.Questions;

namespace Compliance.AnswerEvaluation.Tests.EndToEnd;

/// <summary>
/// The committed question set through the real API (retrieval-only, lexical search), scored by the tool's own code.
/// The thresholds are what the current system measured (docs/answer-quality.md) minus a margin, so a change that
/// makes answers worse fails here, and a better one is a prompt to raise them.
/// </summary>
public sealed class RetrievalOnlyEvaluationTests(SamplePoliciesApi api) : IClassFixture<SamplePoliciesApi>
{
    // Measured on the sample policies with lexical retrieval, no model key and the default MIN_TERM_COVERAGE 0.55
    // (docs/answer-quality.md): refusal accuracy 0.779, answer rate 0.746 (47/63), refusal rate 0.929 (13/14),
    // citation precision 0.457, citation recall 0.746. The margins allow about three more answerable
    // questions refused and one more unanswerable one answered, so a small retrieval change does not fail the build
    // but a real regression does.
    private const double MinimumRefusalAccuracy = 0.74;
    private const double MinimumAnswerRate = 0.70;
    private const double MinimumRefusalRate = 0.85;
    private const double MinimumCitationRecall = 0.70;
    private const double MinimumCitationPrecision = 0.42;

    [Fact]
    public async Task The_question_set_meets_the_measured_retrieval_only_thresholds()
    {
        // The 77 questions these minimums were measured on. The para-*/offtopic-* questions added for the semantic
        // gate are judged with a real model (RealModelEvaluationTests); lexical search refuses most paraphrases by
        // design (0.160 on them, docs/answer-quality.md).
        var report = await RunAsync(q => !q.Id.StartsWith("para-", StringComparison.Ordinal) && !q.Id.StartsWith("offtopic-", StringComparison.Ordinal));
        Assert.Equal(77, report.Questions);
        TestContext.Current.TestOutputHelper?.WriteLine(Reporting.AnswerReportWriter.ToMarkdown(report));

        Assert.Equal(0, report.Errors);
        Assert.Equal(0, report.RateLimited);
        // Without XAI_API_KEY nothing is generated: every answer is quoted passages or a refusal.
        Assert.All(report.Results, r => Assert.Contains(r.Mode, new[] { AnswerModes.RetrievalOnly, AnswerModes.Refusal }));
        Assert.InRange(report.RefusalAccuracy!.Value, MinimumRefusalAccuracy, 1);
        Assert.InRange(report.AnswerRate!.Value, MinimumAnswerRate, 1);
        Assert.InRange(report.RefusalRate!.Value, MinimumRefusalRate, 1);
        Assert.InRange(report.CitationRecall!.Value, MinimumCitationRecall, 1);
        Assert.InRange(report.CitationPrecision!.Value, MinimumCitationPrecision, 1);
    }

    private async Task<AnswerQualityReport> RunAsync(Func<EvaluationQuestion, bool> include)
    {
        var committed = await QuestionSet.LoadAsync(Repository.QuestionFile, TestContext.Current.CancellationToken);
        var set = committed with { Questions = committed.Questions.Where(include).ToList() };
        using var http = api.CreateClient();
        var client = new QueryApiClient(http, http.BaseAddress!, SamplePoliciesApi.ServiceToken);
        var probe = await client.AskAsync(new QueryRequest("Can I accept a gift?", EvaluationSettings.DefaultUserId), TestContext.Current.CancellationToken);
        if (probe.HttpStatus is 404 or 405)
        {
            Assert.Skip("This API build has no POST /api/v1/query yet (HTTP 404): the end-to-end evaluation runs once it lands on main.");
        }

        var settings = new EvaluationSettings(http.BaseAddress!, SamplePoliciesApi.ServiceToken, Repository.QuestionFile, EvaluationSettings.DefaultUserId);
        return await new AnswerEvaluationRunner(client, TimeProvider.System).RunAsync(set, settings, null, TestContext.Current.CancellationToken);
    }
}
