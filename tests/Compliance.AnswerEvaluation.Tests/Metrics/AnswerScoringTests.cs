using Compliance.AnswerEvaluation.Metrics;
using Compliance.AnswerEvaluation.Running;
using Compliance.Contracts.Questions;
using static Compliance.AnswerEvaluation.Tests.Infrastructure.Responses;

namespace Compliance.AnswerEvaluation.Tests.Metrics;

public sealed class AnswerScoringTests
{
    private static readonly DateTimeOffset RanAt = new(2026, 11, 21, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_correct_answer_scores_full_marks_even_when_it_words_the_numbers_differently()
    {
        var answer = Answered("Gifts over 100 dollars need pre-clearance and must be recorded within five business days [1].",
            Cite(1, Gifts, "3 Gifts › 3.2 Pre-clearance of gifts above $100"), Cite(2, Gifts, "3 Gifts › 3.4 Recording"));

        var score = AnswerScoring.Score(Set, Set.Questions[0], Ok(answer));

        Assert.True(score.DecisionCorrect);
        Assert.Equal(1.0, score.CitationPrecision);
        Assert.Equal(1.0, score.CitationRecall);
        Assert.Equal(1.0, score.SectionRecall);
        Assert.Equal(1.0, score.FactCoverage);
        Assert.Equal([Gifts], score.CitedDocuments);
        Assert.False(score.Failed);
    }

    [Fact]
    public void Precision_counts_each_cited_document_once_and_recall_each_expected_one()
    {
        // Two passages of the gifts policy, one of an unrelated policy; the trading policy is missing.
        var answer = Answered("Gifts above $100 need pre-clearance.", Cite(1, Gifts), Cite(2, Gifts.ToUpperInvariant()), Cite(3, Records));

        var score = AnswerScoring.Score(Set, Set.Questions[1], Ok(answer));

        Assert.Equal(0.5, score.CitationPrecision);
        Assert.Equal(0.5, score.CitationRecall);
        Assert.Equal(["personal-trading.md"], score.MissingDocuments);
        Assert.Equal(["record-retention.md"], score.UnexpectedDocuments);
        Assert.True(score.Failed);
    }

    [Fact]
    public void Missing_facts_are_listed_and_lower_coverage_but_alone_are_not_a_failure()
    {
        var score = AnswerScoring.Score(Set, Set.Questions[0], Ok(Answered("Gifts are limited to $100 per year [1].", Cite(1, Gifts, "3.2 Pre-clearance of gifts above $100"))));

        Assert.Equal(0.5, score.FactCoverage);
        Assert.Equal(["5 business days"], score.MissingFacts);
        Assert.False(score.Failed);
    }

    [Fact]
    public void A_refused_answerable_question_has_no_precision_zero_recall_and_fails()
    {
        var score = AnswerScoring.Score(Set, Set.Questions[0], Ok(Refused()));

        Assert.Equal(OutcomeKind.Refused, score.Outcome);
        Assert.False(score.DecisionCorrect);
        Assert.Null(score.CitationPrecision);
        Assert.Equal(0.0, score.CitationRecall);
        Assert.True(score.Failed);
    }

    [Fact]
    public void A_refusals_closest_passages_earn_no_citation_credit()
    {
        var refusal = Refused() with { Citations = [Cite(1, Gifts, "3.2 Pre-clearance of gifts above $100")] };

        var score = AnswerScoring.Score(Set, Set.Questions[0], Ok(refusal));

        Assert.Equal(0.0, score.CitationRecall);
        Assert.Equal(0.0, score.SectionRecall);
        Assert.Empty(score.CitedDocuments);
        Assert.Equal(["gifts-and-entertainment.md"], score.MissingDocuments);
    }

    [Fact]
    public void Extra_documents_lower_precision_without_making_the_question_a_failure()
    {
        var score = AnswerScoring.Score(Set, Set.Questions[0], Ok(Answered("$100 within 5 business days", Cite(1, Gifts), Cite(2, "Travel Policy"))));

        Assert.Equal(0.5, score.CitationPrecision);
        Assert.Equal(["Travel Policy"], score.UnexpectedDocuments);
        Assert.False(score.Failed);
    }

    [Fact]
    public void An_unanswerable_question_is_right_only_when_refused_and_has_no_citation_figures()
    {
        var refused = AnswerScoring.Score(Set, Set.Questions[2], Ok(Refused()));
        var answered = AnswerScoring.Score(Set, Set.Questions[2], Ok(Answered("Leave is ... [1]", Cite(1, Records))));

        Assert.True(refused.DecisionCorrect);
        Assert.False(refused.Failed);
        Assert.False(answered.DecisionCorrect);
        Assert.Null(answered.CitationPrecision);
        Assert.Null(answered.CitationRecall);
        Assert.Equal(["record-retention.md"], answered.UnexpectedDocuments);
        Assert.True(answered.Failed);
    }

    [Fact]
    public void An_uncertain_answer_is_still_an_answer()
    {
        var uncertain = Response(QueryStatuses.Uncertain, AnswerModes.Generated, "Gifts above $100 need pre-clearance.");

        var score = AnswerScoring.Score(Set, Set.Questions[0], Ok(uncertain));

        Assert.Equal(OutcomeKind.Uncertain, score.Outcome);
        Assert.True(score.DecisionCorrect);
        Assert.Equal(0.0, score.CitationRecall);
    }

    [Fact]
    public void A_document_without_a_heading_is_matched_by_its_file_name()
    {
        var score = AnswerScoring.Score(Set, Set.Questions[0], Ok(Answered("$100", Cite(1, "gifts-and-entertainment"))));

        Assert.Equal(1.0, score.CitationRecall);
        Assert.Equal(1.0, score.CitationPrecision);
    }

    [Theory]
    [InlineData(500, null, nameof(OutcomeKind.Error))]
    [InlineData(null, null, nameof(OutcomeKind.Error))]
    [InlineData(429, null, nameof(OutcomeKind.RateLimited))]
    [InlineData(200, QueryStatuses.RateLimited, nameof(OutcomeKind.RateLimited))]
    [InlineData(200, QueryStatuses.Error, nameof(OutcomeKind.Error))]
    [InlineData(200, "something-new", nameof(OutcomeKind.Error))]
    public void Failed_requests_are_classified_by_status(int? httpStatus, string? status, string expected)
    {
        var response = status is null ? null : Response(status, AnswerModes.RetrievalOnly, "x");
        var score = AnswerScoring.Score(Set, Set.Questions[0], new QueryOutcome(httpStatus, response, httpStatus is null ? "unreachable" : null, 5));

        Assert.Equal(Enum.Parse<OutcomeKind>(expected), score.Outcome);
        Assert.False(score.DecisionCorrect);
        Assert.True(score.Failed);
    }

    [Fact]
    public void The_summary_reports_both_rates_the_confusion_table_and_macro_averages()
    {
        var leave = Set.Questions[2];
        var scores = new[]
        {
            // Answerable: one perfect, one half right, one refused, one error.
            AnswerScoring.Score(Set, Set.Questions[0], Ok(Answered("$100 within 5 business days", Cite(1, Gifts, "3.2 Pre-clearance of gifts above $100")), 10)),
            AnswerScoring.Score(Set, Set.Questions[1], Ok(Answered("$100", Cite(1, Gifts), Cite(2, Records)), 30)),
            AnswerScoring.Score(Set, Set.Questions[0], Ok(Refused(), 20)),
            AnswerScoring.Score(Set, Set.Questions[0], new QueryOutcome(500, null, "HTTP 500", 1000)),
            // Unanswerable: one refused, one answered.
            AnswerScoring.Score(Set, leave, Ok(Refused(), 40)),
            AnswerScoring.Score(Set, leave, Ok(Answered("Leave...", Cite(1, Records)), 50)),
        };

        var report = AnswerScoring.Summarize(scores, "http://api/", "questions.json", RanAt);

        Assert.Equal(6, report.Questions);
        Assert.Equal(4, report.AnswerableQuestions);
        Assert.Equal(0.5, report.AnswerRate);
        Assert.Equal(0.5, report.RefusalRate);
        Assert.Equal(3.0 / 6, report.RefusalAccuracy);
        Assert.Equal(2, report.Confusion["answerable"]["answered"]);
        Assert.Equal(1, report.Confusion["answerable"]["refused"]);
        Assert.Equal(1, report.Confusion["answerable"]["error"]);
        Assert.Equal(1, report.Confusion["unanswerable"]["refused"]);
        Assert.Equal(1, report.Confusion["unanswerable"]["answered"]);
        // Precision over the two answers with citations; recall over all four answerable questions.
        Assert.Equal(2, report.PrecisionQuestions);
        Assert.Equal((1.0 + 0.5) / 2, report.CitationPrecision);
        Assert.Equal((1.0 + 0.5 + 0 + 0) / 4, report.CitationRecall);
        Assert.Equal((1.0 + 1.0 + 0 + 0) / 4, report.FactCoverage);
        Assert.Equal(1, report.Errors);
        // The failed request's 1000 ms does not count as a latency.
        Assert.Equal(5, report.ClientLatency.Samples);
        Assert.Equal(30, report.ClientLatency.P50);
        Assert.Equal(50, report.ClientLatency.P95);
        Assert.Equal(12.5, report.ServerLatency.P50);
        Assert.Equal(["(none)", AnswerModes.Refusal, AnswerModes.RetrievalOnly], report.FactCoverageModes);
        Assert.Equal(4, report.Failures.Count());
    }

    [Fact]
    public void Rates_with_nothing_to_count_are_null_not_zero()
    {
        var scores = new[] { AnswerScoring.Score(Set, Set.Questions[0], Ok(Refused())) };

        var report = AnswerScoring.Summarize(scores, "http://api/", "questions.json", RanAt);

        Assert.Null(report.RefusalRate);
        Assert.Null(report.CitationPrecision);
        Assert.Equal(0.0, report.AnswerRate);
    }
}
