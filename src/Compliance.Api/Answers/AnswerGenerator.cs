using System.Diagnostics;
using System.Text;
using Compliance.Api.Answers.Llm;
using Compliance.Api.Configuration;
using Compliance.Api.Knowledge;
using Compliance.Api.Persistence.Entities;
using Compliance.Contracts.Questions;
using Compliance.Knowledge.Embeddings;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;

namespace Compliance.Api.Answers;

/// <summary>
/// Writes the answer with the model: the prompt from the numbered sources and the conversation (within its token
/// budget), the streamed text passed on as it arrives, token usage and cost, the citation check, and what happens when
/// the model fails (an honest "incomplete" after partial text, quoted passages before any).
/// </summary>
public sealed class AnswerGenerator(
    IChatClient chat,
    KnowledgeRuntime knowledge,
    UsageLimits limits,
    AnswerState state,
    IOptions<LlmOptions> llmOptions,
    IOptions<AnswerOptions> answerOptions,
    ILogger<AnswerGenerator> logger)
{
    private readonly AnswerOptions _options = answerOptions.Value;
    private readonly LlmOptions _llm = llmOptions.Value;

    internal async Task GenerateAsync(AnswerRun run, Func<AnswerEvent, ValueTask> emit, string question, IReadOnlyList<ConversationTurn> history,
        IReadOnlyList<Citation> sources, IReadOnlyList<Citation> shortSources, string? cacheKey, CancellationToken cancellationToken)
    {
        await emit(new AnswerMeta(new QueryStreamMeta(run.QueryId, AnswerModes.Generated, shortSources)));
        var messages = AnswerPrompt.Build(question, sources, WithinBudget(history), _options);
        var chatOptions = new ChatOptions { ModelId = _llm.Model, Temperature = (float)_llm.Temperature, MaxOutputTokens = _options.MaxAnswerTokens };
        run.Model = _llm.Model;
        AnsweringProvider? provider = null;
        var text = new StringBuilder();
        try
        {
            await using var updates = chat.GetStreamingResponseAsync(messages, chatOptions, cancellationToken).GetAsyncEnumerator(cancellationToken);
            while (true)
            {
                // Only the wait for the model's next piece counts as model time; emitting it is the service's own.
                var waitStarted = Stopwatch.GetTimestamp();
                var more = await updates.MoveNextAsync();
                run.ModelMs = (run.ModelMs ?? 0) + Stopwatch.GetElapsedTime(waitStarted).TotalMilliseconds;
                if (!more)
                {
                    break;
                }
                var update = updates.Current;
                provider ??= AnsweringProvider.From(update.AdditionalProperties);
                foreach (var usage in update.Contents.OfType<UsageContent>())
                {
                    run.TokensIn = (int)(usage.Details.InputTokenCount ?? 0);
                    run.TokensOut = (int)(usage.Details.OutputTokenCount ?? 0);
                }
                if (!string.IsNullOrEmpty(update.Text))
                {
                    run.FirstTokenMs ??= (int)run.Clock.Elapsed.TotalMilliseconds;
                    text.Append(update.Text);
                    await emit(new AnswerDelta(update.Text));
                }
                if (update.ModelId is { Length: > 0 } model)
                {
                    run.Model = model;
                }
            }
        }
        catch (LlmException ex) when (ex.Kind == LlmFailure.Cancelled && cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException("The client disconnected.", ex, cancellationToken);
        }
        catch (LlmException ex)
        {
            Record(run, provider);
            run.Status = QueryStatus.Error;
            run.ErrorCode = ErrorCode(ex.Kind);
            run.CostUsd = limits.Cost(run.Model, run.TokensIn, run.TokensOut);
            if (ex.AnswerStarted)
            {
                // The user has seen part of an answer: say plainly that it broke off, never pretend it is complete.
                await emit(new AnswerFailed(new QueryStreamError(run.QueryId, run.ErrorCode, ex.UserMessage + " The answer above is incomplete.")));
                run.Answer = text.ToString();
                return;
            }
            // Nothing shown yet: the quoted passages are still worth having, clearly labelled.
            await run.FinishAsync(emit, AnswerModes.RetrievalOnly, shortSources,
                AnswerTexts.RetrievalOnly(shortSources), ex.UserMessage + " Here are the most relevant passages instead, quoted.", shortSources);
            return;
        }

        Record(run, provider);
        var checkedAnswer = CitationCheck.Check(text.ToString(), sources);
        if (checkedAnswer.DroppedNumbers.Count > 0)
        {
            logger.LogWarning("Query {QueryId}: the model cited sources that were not given ({Dropped}); removed", run.QueryId, string.Join(",", checkedAnswer.DroppedNumbers));
        }
        run.Status = checkedAnswer.IsSupported ? QueryStatus.Answered : QueryStatus.Uncertain;
        run.CostUsd = limits.Cost(run.Model, run.TokensIn, run.TokensOut);
        var citations = checkedAnswer.Citations.Select(c => c with { Snippet = AnswerTexts.Quote(c.Snippet) }).ToList();
        var response = await run.FinishAsync(emit, AnswerModes.Generated, citations, checkedAnswer.Text,
            checkedAnswer.IsSupported ? null : AnswerTexts.UncertainWarning, shortSources, alreadyStreamed: true);
        await state.AppendTurnAsync(ConversationKey.Of(run.Request), new ConversationTurn(question, checkedAnswer.Text));
        // A fallback's answer is not cached: once the primary is back, the same question should get the primary's answer.
        if (cacheKey is not null && run.Status == QueryStatus.Answered && provider?.Role != LlmProviderRoles.Fallback)
        {
            await state.SetCachedAsync(cacheKey, response);
        }
    }

    /// <summary>
    /// Records who answered. When the fallback did, the query log's error code keeps why the primary could not
    /// (<c>llm_fallback_after_timeout</c>, ...) beside the fallback's model, so the audit trail shows both.
    /// </summary>
    private static void Record(AnswerRun run, AnsweringProvider? provider)
    {
        run.Provider = provider?.Role;
        if (provider is { Role: LlmProviderRoles.Fallback, PrimaryFailure: { } primaryFailure })
        {
            run.ErrorCode = "llm_fallback_after_" + Persistence.EntityConfigurations.SnakeCase.From(primaryFailure.ToString());
        }
    }

    private static string ErrorCode(LlmFailure kind) => "llm_" + Persistence.EntityConfigurations.SnakeCase.From(kind.ToString());

    private List<ConversationTurn> WithinBudget(IReadOnlyList<ConversationTurn> history)
    {
        // Newest turns first until the budget is spent, then back in conversation order.
        var tokenizer = (knowledge.Embedder as OnnxTextEmbedder)?.Tokenizer ?? BundledTokenizers.GteSmall;
        var kept = new List<ConversationTurn>();
        var used = 0;
        for (var i = history.Count - 1; i >= 0; i--)
        {
            var cost = tokenizer.CountTokens(history[i].Question) + tokenizer.CountTokens(history[i].Answer);
            if (used + cost > _options.HistoryTokenBudget)
            {
                break;
            }
            used += cost;
            kept.Insert(0, history[i]);
        }
        return kept;
    }
}
