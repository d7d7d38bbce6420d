using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using OpenAI.Chat;
using AiChatMessage = Microsoft.Extensions.AI.ChatMessage;
using AiFinishReason = Microsoft.Extensions.AI.ChatFinishReason;

namespace Compliance.Api.Answers.Llm;

/// <summary>
/// What the connector lets through and an answer must not: a stream that simply stops (a proxy or the provider
/// closed it early; the connector raises nothing), a refusal or a content filter, and content other than text.
/// Each becomes an <see cref="LlmException"/>, so a broken answer is never mistaken for a short one.
/// </summary>
internal sealed class ReplyCheckingChatClient(IChatClient innerClient, ChatClientMetadata metadata) : DelegatingChatClient(innerClient)
{
    public override async Task<ChatResponse> GetResponseAsync(
        IEnumerable<AiChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var list = TextOnly(messages, options);
        var response = await base.GetResponseAsync(list, options, cancellationToken);
        if (response.FinishReason == AiFinishReason.ContentFilter)
        {
            throw Refused("The provider stopped the answer with finish reason content_filter.", answerStarted: false);
        }
        if (response.RawRepresentation is ChatCompletion { Refusal: { Length: > 0 } refusal })
        {
            throw Refused($"The model refused to answer ({refusal.Length} characters of refusal text).", answerStarted: false);
        }
        return response;
    }

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<AiChatMessage> messages, ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var list = TextOnly(messages, options);
        var textSent = false;
        AiFinishReason? finishReason = null;
        await foreach (var update in base.GetStreamingResponseAsync(list, options, cancellationToken))
        {
            // Checked before the update is passed on: refusal text must never reach the user as if it were an answer.
            if (update.RawRepresentation is StreamingChatCompletionUpdate { RefusalUpdate: { Length: > 0 } })
            {
                throw Refused("The model refused to answer.", textSent);
            }
            if (update.FinishReason == AiFinishReason.ContentFilter)
            {
                throw Refused("The provider stopped the answer with finish reason content_filter.", textSent);
            }
            finishReason ??= update.FinishReason;
            textSent |= !string.IsNullOrEmpty(update.Text);
            yield return update;
        }
        if (finishReason is null)
        {
            // The SDK ends the enumeration quietly when the connection closes cleanly mid-answer.
            throw new LlmException(LlmFailure.BadResponse, "The answer stream ended before the provider marked it complete.")
            {
                AnswerStarted = textSent,
            };
        }
    }

    public override object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is null && serviceType == typeof(ChatClientMetadata) ? metadata : base.GetService(serviceType, serviceKey);
    }

    private static LlmException Refused(string detail, bool answerStarted) =>
        new(LlmFailure.ContentRefused, detail) { AnswerStarted = answerStarted };

    /// <summary>
    /// The answer pipeline sends text only. Anything else (images, tools) is refused before any request rather than
    /// sent to a model that was never asked to handle it.
    /// </summary>
    private static IReadOnlyList<AiChatMessage> TextOnly(IEnumerable<AiChatMessage> messages, ChatOptions? options)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var list = messages as IReadOnlyList<AiChatMessage> ?? [.. messages];
        if (list.Count == 0)
        {
            throw new ArgumentException("At least one message is required.", nameof(messages));
        }
        if (options?.Tools is { Count: > 0 })
        {
            throw new NotSupportedException("Tools are not supported by the answer client.");
        }
        foreach (var message in list)
        {
            if (message.Contents.FirstOrDefault(c => c is not TextContent) is { } other)
            {
                throw new NotSupportedException($"Message content of type {other.GetType().Name} is not supported; send text only.");
            }
            if (message.Role != ChatRole.System && message.Role != ChatRole.User && message.Role != ChatRole.Assistant)
            {
                throw new NotSupportedException($"Messages with role '{message.Role}' are not supported; use system, user or assistant.");
            }
        }
        return list;
    }
}
