using Compliance.Api.Answers.Llm;
using Compliance.Api.Audit;

namespace Compliance.Api.Answers;

public static class AnswersExtensions
{
    /// <summary>The answer pipeline: the model client, limits, shared state, and the service with its gate, follow-up rewriter and generator.</summary>
    public static WebApplicationBuilder AddAnswers(this WebApplicationBuilder builder)
    {
        builder.AddLlm();
        builder.Services.AddOptions<AnswerOptions>().Bind(builder.Configuration).Validate(o =>
        {
            try
            {
                _ = o.ParsePrices();
                return o.MinTermCoverage is >= 0 and <= 1 && o.MinVectorSimilarity is null or (>= -1 and <= 1) &&
                    o.DailyBudgetUsd >= 0 && o.UserDailyQuestionCap >= 0 && o.AnswerCacheMinutes >= 0 &&
                    o.HistoryTokenBudget is >= 0 and <= 8000 && o.ConversationTurns is >= 1 and <= 50 && o.MaxAnswerTokens is >= 50 and <= 8000;
            }
            catch (FormatException)
            {
                return false;
            }
        }, "One of LLM_PRICES (model=input/output;...), MIN_TERM_COVERAGE (0-1), MIN_VECTOR_SIMILARITY (-1-1), DAILY_BUDGET_USD, USER_DAILY_QUESTION_CAP, " +
           "ANSWER_CACHE_MINUTES, HISTORY_TOKEN_BUDGET (0-8000), CONVERSATION_TURNS (1-50) or MAX_ANSWER_TOKENS (50-8000) is out of range.").ValidateOnStart();
        builder.Services.AddSingleton<AnswerState>();
        builder.Services.AddSingleton<UsageLimits>();
        builder.Services.AddSingleton<SemanticGate>();
        builder.Services.AddScoped<QuestionGate>();
        builder.Services.AddScoped<FollowUpRewriter>();
        builder.Services.AddScoped<AnswerGenerator>();
        builder.Services.AddScoped<AnswerService>();
        return builder;
    }
}
