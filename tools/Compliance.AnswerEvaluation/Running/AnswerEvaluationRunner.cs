using Compliance.AnswerEvaluation.Metrics;
using Compliance.AnswerEvaluation.Questions;
using Compliance.Contracts.Questions;

namespace Compliance.AnswerEvaluation.Running;

/// <summary>What one run asks and where: built from the command line and the environment.</summary>
internal sealed record EvaluationSettings(Uri ApiUrl, string Token, string QuestionFile, string UserId)
{
    /// <summary>Where the API listens when neither --api nor API_URL says otherwise (./run.sh's port).</summary>
    public static readonly Uri DefaultApiUrl = new("http://localhost:8080/");

    /// <summary>
    /// The synthetic asker: a fixed snowflake-shaped id, so that evaluation questions are easy to find (and exclude)
    /// in the query log and count against one user's daily cap only.
    /// </summary>
    public const string DefaultUserId = "100000000000000042";
}

/// <summary>The run cannot give meaningful figures (wrong token, no such endpoint, API down): stop instead of scoring N errors.</summary>
internal sealed class EvaluationAbortedException(string message) : Exception(message);

/// <summary>
/// Asks every question once, one at a time (so latency is that of an idle service, not of a queue), without a
/// guild or conversation, and scores each answer.
/// </summary>
internal sealed class AnswerEvaluationRunner(QueryApiClient client, TimeProvider clock)
{
    /// <exception cref="EvaluationAbortedException">The API refused the token, lacks the endpoint, or cannot be reached at the first question.</exception>
    public async Task<AnswerQualityReport> RunAsync(
        QuestionSet set, EvaluationSettings settings, Action<int, int>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(set);
        ArgumentNullException.ThrowIfNull(settings);
        var ranAt = clock.GetUtcNow();
        var scores = new List<QuestionScore>(set.Questions.Count);
        foreach (var question in set.Questions)
        {
            var outcome = await client.AskAsync(new QueryRequest(question.Question, settings.UserId), cancellationToken);
            if (outcome.HttpStatus is 401 or 403)
            {
                throw new EvaluationAbortedException($"The API refused the service token ({outcome.Error}). Check --token / SERVICE_TOKEN.");
            }

            if (scores.Count == 0 && outcome.HttpStatus is 404 or 405)
            {
                throw new EvaluationAbortedException($"{settings.ApiUrl} has no POST /api/v1/query ({outcome.Error}). Is this an API version that answers questions?");
            }

            if (scores.Count == 0 && outcome.HttpStatus is null)
            {
                throw new EvaluationAbortedException(outcome.Error ?? $"No answer from {settings.ApiUrl}.");
            }

            scores.Add(AnswerScoring.Score(set, question, outcome));
            progress?.Invoke(scores.Count, set.Questions.Count);
        }

        return AnswerScoring.Summarize(scores, settings.ApiUrl.ToString(), settings.QuestionFile, ranAt);
    }
}
