using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace Compliance.Api.Answers;

/// <summary>How answers are made, bounded and priced. Bound from the environment variables named on each property.</summary>
public sealed class AnswerOptions
{
    /// <summary><c>COMPLIANCE_CONTACT</c>: who a refusal points the user to. Default "the compliance team".</summary>
    [ConfigurationKeyName("COMPLIANCE_CONTACT")]
    public string Contact { get; set; } = "the compliance team";

    /// <summary><c>ORGANISATION_NAME</c>: the organisation the assistant speaks for, used in the prompt.</summary>
    [ConfigurationKeyName("ORGANISATION_NAME")]
    public string Organisation { get; set; } = "the organisation";

    /// <summary>
    /// <c>MIN_TERM_COVERAGE</c>: the share (0–1) of a question's key terms the best passages must contain for the
    /// question to count as covered by the policies. Below it (and without a strong vector match) the answer is an
    /// honest refusal. Default 0.55: two of three key terms, but not one of two ("parental leave" must not pass on
    /// "leave" alone). Measured on eval/answers (docs/answer-quality.md): 0.5 answered "parental leave" questions,
    /// 0.6 refused 6 more answerable ones than 0.55 without catching more unanswerable ones.
    /// </summary>
    [ConfigurationKeyName("MIN_TERM_COVERAGE")]
    public double MinTermCoverage { get; set; } = 0.55;

    /// <summary>
    /// <c>MIN_VECTOR_SIMILARITY</c>: the cosine similarity (−1–1) the passage closest to a question must reach for the
    /// question to count as covered when an embedding model is loaded (the semantic gate, <see cref="SemanticGate"/>).
    /// Unset (the default): the threshold measured for the loaded model on eval/answers (docs/answer-quality.md);
    /// a model without a measurement keeps the key-term rule (<see cref="MinTermCoverage"/>) until this is set.
    /// </summary>
    [ConfigurationKeyName("MIN_VECTOR_SIMILARITY")]
    public double? MinVectorSimilarity { get; set; }

    /// <summary>
    /// <c>LLM_PRICES</c>: USD per million tokens, input/output, per model: <c>grok-4-latest=3/15;grok-4-fast=0.2/0.5</c>.
    /// A model without a price costs 0 and logs a warning once.
    /// </summary>
    [ConfigurationKeyName("LLM_PRICES")]
    public string Prices { get; set; } = "grok-4-latest=3/15;grok-4=3/15;grok-4-0709=3/15";

    /// <summary><c>DAILY_BUDGET_USD</c>: model spend per UTC day for the deployment; once reached, answers are retrieval-only. 0 = no budget.</summary>
    [ConfigurationKeyName("DAILY_BUDGET_USD")]
    public decimal DailyBudgetUsd { get; set; } = 50m;

    /// <summary><c>USER_DAILY_QUESTION_CAP</c>: questions per user per UTC day. 0 = no cap. Default 200.</summary>
    [ConfigurationKeyName("USER_DAILY_QUESTION_CAP")]
    public int UserDailyQuestionCap { get; set; } = 200;

    /// <summary><c>ANSWER_CACHE_MINUTES</c>: how long an identical question (same tenant, corpus and prompt) is answered from cache. 0 = off.</summary>
    [ConfigurationKeyName("ANSWER_CACHE_MINUTES")]
    public int AnswerCacheMinutes { get; set; } = 60;

    /// <summary><c>HISTORY_TOKEN_BUDGET</c>: tokens of earlier turns a follow-up may carry into the prompt. Default 1500.</summary>
    [ConfigurationKeyName("HISTORY_TOKEN_BUDGET")]
    public int HistoryTokenBudget { get; set; } = 1500;

    /// <summary><c>CONVERSATION_TURNS</c>: turns kept per conversation. Default 6.</summary>
    [ConfigurationKeyName("CONVERSATION_TURNS")]
    public int ConversationTurns { get; set; } = 6;

    /// <summary><c>MAX_ANSWER_TOKENS</c>: the longest answer asked of the model. Default 800.</summary>
    [ConfigurationKeyName("MAX_ANSWER_TOKENS")]
    public int MaxAnswerTokens { get; set; } = 800;

    /// <summary><c>STORE_REDACTED_QUESTIONS</c>: keep the redacted question in the audit trail instead of the original. Default false.</summary>
    [ConfigurationKeyName("STORE_REDACTED_QUESTIONS")]
    public bool StoreRedactedQuestions { get; set; }

    /// <summary>The parsed <see cref="Prices"/>: model → (input, output) USD per million tokens.</summary>
    public IReadOnlyDictionary<string, (decimal Input, decimal Output)> ParsePrices()
    {
        var result = new Dictionary<string, (decimal, decimal)>(StringComparer.OrdinalIgnoreCase);
        foreach (var entry in Prices.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = entry.IndexOf('=', StringComparison.Ordinal);
            var slash = entry.IndexOf('/', StringComparison.Ordinal);
            if (eq <= 0 || slash < eq ||
                !decimal.TryParse(entry[(eq + 1)..slash], NumberStyles.Number, CultureInfo.InvariantCulture, out var input) ||
                !decimal.TryParse(entry[(slash + 1)..], NumberStyles.Number, CultureInfo.InvariantCulture, out var output) ||
                input < 0 || output < 0)
            {
                throw new FormatException($"entry '{entry}' is not model=input/output (USD per million tokens).");
            }
            result[entry[..eq].Trim()] = (input, output);
        }
        return result;
    }
}
