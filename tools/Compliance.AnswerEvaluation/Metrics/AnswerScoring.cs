using Compliance.AnswerEvaluation.Questions;
using Compliance.AnswerEvaluation.Running;

namespace Compliance.AnswerEvaluation.Metrics;

/// <summary>
/// One question's result. Citation precision and recall, section recall and fact coverage are for answerable
/// questions only (null otherwise); precision is also null when nothing was cited, since no citation is neither
/// right nor wrong (recall is then 0).
/// </summary>
internal sealed record QuestionScore(
    string Id,
    string Question,
    bool Answerable,
    OutcomeKind Outcome,
    string? Mode,
    bool DecisionCorrect,
    IReadOnlyList<string> CitedDocuments,
    IReadOnlyList<string> MissingDocuments,
    IReadOnlyList<string> UnexpectedDocuments,
    double? CitationPrecision,
    double? CitationRecall,
    double? SectionRecall,
    double? FactCoverage,
    IReadOnlyList<string> MissingFacts,
    double ClientMilliseconds,
    double? ServerMilliseconds,
    bool CacheHit,
    string? Error)
{
    /// <summary>
    /// Shown in the failures table: a wrong answer/refuse decision, an error, or an expected document not cited.
    /// Extra documents and missing facts alone are not failures: a retrieval-only answer quotes the top passages
    /// whatever policy they come from, and need not contain every fact (both still lower the averages).
    /// </summary>
    public bool Failed => !DecisionCorrect || Outcome == OutcomeKind.Error || CitationRecall < 1;
}

/// <summary>Scores each question's outcome against its expectations; pure functions, no I/O.</summary>
internal static class AnswerScoring
{
    public static QuestionScore Score(QuestionSet set, EvaluationQuestion question, QueryOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(set);
        ArgumentNullException.ThrowIfNull(question);
        ArgumentNullException.ThrowIfNull(outcome);
        var response = outcome.Response;
        var kind = outcome.Kind;
        var answered = kind is OutcomeKind.Answered or OutcomeKind.Uncertain;
        var decisionCorrect = question.Answerable ? answered : kind == OutcomeKind.Refused;

        // Only an answer cites: a refusal's "closest passages" are pointers, not support for a claim.
        var citations = answered ? response?.Citations ?? [] : [];
        // Documents are compared by title, once each however many passages of them are cited.
        var cited = citations.Select(c => c.Title).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        var expected = question.ExpectedDocuments;
        bool IsCited(string file) => set.TitlesOf(file).Any(t => cited.Contains(t, StringComparer.OrdinalIgnoreCase));
        bool IsExpected(string title) => expected.Any(file => set.TitlesOf(file).Contains(title, StringComparer.OrdinalIgnoreCase));

        var missing = expected.Where(f => !IsCited(f)).ToList();
        // Shown by file name where the set knows the title: shorter, and what the question file says.
        var unexpected = cited.Where(t => !IsExpected(t)).Select(set.FileNameOf).ToList();
        double? precision = null, recall = null, sectionRecall = null, factCoverage = null;
        IReadOnlyList<string> missingFacts = [];
        if (question.Answerable)
        {
            recall = expected.Count == 0 ? null : (double)(expected.Count - missing.Count) / expected.Count;
            precision = cited.Count == 0 ? null : (double)(cited.Count - unexpected.Count) / cited.Count;
            if (question.ExpectedSections is { Count: > 0 } sections)
            {
                var citedSections = citations.Select(c => c.Section ?? string.Empty).ToList();
                sectionRecall = (double)sections.Count(s => citedSections.Any(c => c.Contains(s, StringComparison.OrdinalIgnoreCase))) / sections.Count;
            }

            missingFacts = FactMatcher.Missing(response?.Answer, question.Facts);
            factCoverage = question.Facts.Count == 0 ? null : (double)(question.Facts.Count - missingFacts.Count) / question.Facts.Count;
        }

        return new QuestionScore(
            question.Id, question.Question, question.Answerable, kind, response?.Mode, decisionCorrect,
            cited, missing, unexpected, precision, recall, sectionRecall, factCoverage, missingFacts,
            outcome.ClientMilliseconds, response?.Timings?.TotalMs, response?.CacheHit ?? false,
            outcome.Error ?? (kind == OutcomeKind.Error ? response?.Warning : null));
    }

    /// <summary>Aggregates the scores of one run; each rate is null when it has nothing to count.</summary>
    public static AnswerQualityReport Summarize(IReadOnlyList<QuestionScore> scores, string api, string questionFile, DateTimeOffset ranAt)
    {
        ArgumentNullException.ThrowIfNull(scores);
        var answerable = scores.Where(s => s.Answerable).ToList();
        var unanswerable = scores.Where(s => !s.Answerable).ToList();
        var confusion = new Dictionary<string, IReadOnlyDictionary<string, int>>(StringComparer.Ordinal)
        {
            ["answerable"] = CountByOutcome(answerable),
            ["unanswerable"] = CountByOutcome(unanswerable),
        };
        var modes = scores.GroupBy(s => s.Mode ?? "(none)", StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var succeeded = scores.Where(s => s.Outcome != OutcomeKind.Error).ToList();

        return new AnswerQualityReport(
            ranAt, api, questionFile, scores.Count, answerable.Count, unanswerable.Count, modes,
            AnswerRate: Share(answerable, s => s.DecisionCorrect),
            RefusalRate: Share(unanswerable, s => s.DecisionCorrect),
            RefusalAccuracy: Share(scores, s => s.DecisionCorrect),
            confusion,
            CitationPrecision: Mean(answerable.Select(s => s.CitationPrecision)),
            PrecisionQuestions: answerable.Count(s => s.CitationPrecision is not null),
            CitationRecall: Mean(answerable.Select(s => s.CitationRecall)),
            SectionRecall: Mean(answerable.Select(s => s.SectionRecall)),
            FactCoverage: Mean(answerable.Select(s => s.FactCoverage)),
            FactCoverageModes: [.. answerable.Select(s => s.Mode ?? "(none)").Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)],
            ClientLatency: LatencySummary.Of([.. succeeded.Select(s => s.ClientMilliseconds)]),
            ServerLatency: LatencySummary.Of([.. succeeded.Where(s => s.ServerMilliseconds is not null).Select(s => s.ServerMilliseconds!.Value)]),
            CacheHits: scores.Count(s => s.CacheHit),
            Errors: scores.Count(s => s.Outcome == OutcomeKind.Error),
            RateLimited: scores.Count(s => s.Outcome == OutcomeKind.RateLimited),
            Results: scores);
    }

    private static Dictionary<string, int> CountByOutcome(IEnumerable<QuestionScore> scores)
    {
        var counts = Enum.GetValues<OutcomeKind>().ToDictionary(OutcomeName, _ => 0, StringComparer.Ordinal);
        foreach (var score in scores)
        {
            counts[OutcomeName(score.Outcome)]++;
        }

        return counts;
    }

    internal static string OutcomeName(OutcomeKind kind) => kind switch
    {
        OutcomeKind.Answered => "answered",
        OutcomeKind.Uncertain => "uncertain",
        OutcomeKind.Refused => "refused",
        OutcomeKind.RateLimited => "rate_limited",
        _ => "error",
    };

    private static double? Share(IReadOnlyCollection<QuestionScore> scores, Func<QuestionScore, bool> counted) =>
        scores.Count == 0 ? null : (double)scores.Count(counted) / scores.Count;

    private static double? Mean(IEnumerable<double?> values)
    {
        var present = values.Where(v => v is not null).Select(v => v!.Value).ToList();
        return present.Count == 0 ? null : present.Average();
    }
}

/// <summary>
/// The result of one evaluation run. <see cref="AnswerRate"/>: answerable questions answered (answered or
/// uncertain); <see cref="RefusalRate"/>: unanswerable questions refused; <see cref="RefusalAccuracy"/>: both
/// decisions together over every question. <see cref="Confusion"/> counts outcomes per kind of question.
/// Citation and fact figures are macro-averages over answerable questions.
/// </summary>
internal sealed record AnswerQualityReport(
    DateTimeOffset RanAt,
    string Api,
    string QuestionFile,
    int Questions,
    int AnswerableQuestions,
    int UnanswerableQuestions,
    IReadOnlyDictionary<string, int> Modes,
    double? AnswerRate,
    double? RefusalRate,
    double? RefusalAccuracy,
    IReadOnlyDictionary<string, IReadOnlyDictionary<string, int>> Confusion,
    double? CitationPrecision,
    int PrecisionQuestions,
    double? CitationRecall,
    double? SectionRecall,
    double? FactCoverage,
    IReadOnlyList<string> FactCoverageModes,
    LatencySummary ClientLatency,
    LatencySummary ServerLatency,
    int CacheHits,
    int Errors,
    int RateLimited,
    IReadOnlyList<QuestionScore> Results)
{
    [System.Text.Json.Serialization.JsonIgnore]
    public IEnumerable<QuestionScore> Failures => Results.Where(r => r.Failed);
}
