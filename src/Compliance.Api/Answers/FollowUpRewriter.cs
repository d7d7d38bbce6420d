using Compliance.Api.Answers.Llm;
using Compliance.Api.Configuration;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;

namespace Compliance.Api.Answers;

/// <summary>How the question given to retrieval was formed, for the query log.</summary>
/// <param name="Text">The question retrieval searches with.</param>
/// <param name="Method"><c>as-asked</c> (no conversation), <c>model</c> (<see cref="FollowUpPrompt"/>) or <c>rule</c> (<see cref="FollowUps"/>).</param>
/// <param name="PromptVersion"><see cref="FollowUpPrompt.Version"/> when the model rewrote it.</param>
public sealed record StandaloneQuestion(string Text, string Method, string? PromptVersion = null);

/// <summary>
/// Makes a follow-up understandable on its own before retrieval: the model rewrites it with <see cref="FollowUpPrompt"/>
/// when one is configured, and the simple rule of <see cref="FollowUps"/> does when not, or when the model fails.
/// </summary>
public sealed class FollowUpRewriter(IChatClient chat, IOptions<LlmOptions> llmOptions, ILogger<FollowUpRewriter> logger)
{
    private readonly LlmOptions _llm = llmOptions.Value;

    public async Task<StandaloneQuestion> RewriteAsync(string question, IReadOnlyList<ConversationTurn> history, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(question);
        ArgumentNullException.ThrowIfNull(history);
        if (history.Count == 0)
        {
            return new StandaloneQuestion(question, "as-asked");
        }
        if (_llm.IsConfigured)
        {
            try
            {
                var rewritten = await chat.GetResponseAsync(FollowUpPrompt.Build(question, history),
                    new ChatOptions { ModelId = _llm.Model, Temperature = 0, MaxOutputTokens = 80 }, cancellationToken);
                if (rewritten.Text is { Length: > 3 and < 500 } standalone)
                {
                    return new StandaloneQuestion(standalone.Trim(), "model", FollowUpPrompt.Version);
                }
            }
            catch (LlmException ex) when (ex.Kind != LlmFailure.Cancelled)
            {
                logger.LogInformation("Follow-up rewrite by the model failed ({Kind}); using the simple rule", ex.Kind);
            }
        }
        return new StandaloneQuestion(FollowUps.Rewrite(question, history), "rule");
    }
}
