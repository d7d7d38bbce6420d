using Compliance.AnswerEvaluation.Questions;
using Compliance.AnswerEvaluation.Running;
using Compliance.Contracts.Questions;

namespace Compliance.AnswerEvaluation.Tests.Infrastructure;

/// <summary>Hand-made API responses and question sets, shaped as the real endpoint returns them.</summary>
internal static class Responses
{
    public const string Gifts = "Gifts and Entertainment Policy";
    public const string Trading = "Personal Trading and Pre-Clearance Policy";
    public const string Records = "Record Retention Policy";

    public static readonly QuestionSet Set = new(
        "test set",
        new Dictionary<string, string>
        {
            ["gifts-and-entertainment.md"] = Gifts,
            ["personal-trading.md"] = Trading,
            ["record-retention.md"] = Records,
        },
        [
            Answerable("gifts", "Can I accept a $150 gift?", ["gifts-and-entertainment.md"], ["$100", "5 business days"], ["3.2 Pre-clearance of gifts above $100"]),
            Answerable("both", "Gifts and trades?", ["gifts-and-entertainment.md", "personal-trading.md"], ["$100"]),
            Unanswerable("leave", "How much parental leave do I get?"),
        ]);

    public static EvaluationQuestion Answerable(string id, string question, string[] documents, string[] facts, string[]? sections = null) =>
        new(id, question, documents, sections, facts, true);

    public static EvaluationQuestion Unanswerable(string id, string question) => new(id, question, [], null, [], false);

    public static Citation Cite(int number, string title, string? section = null) =>
        new(number, Guid.NewGuid(), title, 1, section, null, $"chunk-{number}", 0.8, "snippet");

    public static QueryResponse Response(string status, string mode, string answer, params Citation[] citations) =>
        new(Guid.NewGuid(), status, mode, answer, citations, citations, null, null, "prompt-v1",
            new QueryUsage(0, 0, 0m), new QueryTimings(1, 2, null, 12.5), false, null);

    public static QueryResponse Answered(string answer, params Citation[] citations) =>
        Response(QueryStatuses.Answered, AnswerModes.RetrievalOnly, answer, citations);

    public static QueryResponse Refused() =>
        Response(QueryStatuses.Refused, AnswerModes.Refusal, "The policies do not cover this. Contact compliance@northwind-capital.example.");

    public static QueryOutcome Ok(QueryResponse response, double milliseconds = 20) => new(200, response, null, milliseconds);
}
