using System.ClientModel;
using System.ClientModel.Primitives;
using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Text;
using Compliance.Api.Configuration;
using Microsoft.Extensions.AI;
using OpenAI;
using OpenAI.Chat;
using AiChatMessage = Microsoft.Extensions.AI.ChatMessage;
using AiFinishReason = Microsoft.Extensions.AI.ChatFinishReason;
using SdkChatMessage = OpenAI.Chat.ChatMessage;
using SdkFinishReason = OpenAI.Chat.ChatFinishReason;

namespace Compliance.Api.Answers.Llm;

/// <summary>
/// <see cref="IChatClient"/> over the official OpenAI SDK, pointed at any OpenAI-compatible endpoint (xAI by default).
/// One attempt per call: the SDK's own retries are off so that <see cref="ResilientChatClient"/> alone decides when
/// to retry. Provider failures surface as <see cref="LlmException"/>; cancellation as <see cref="OperationCanceledException"/>.
/// </summary>
/// <remarks>
/// Supports text in system, user and assistant messages, temperature, max output tokens, top-p, stop sequences
/// and the model id; other content (images, tools) is refused with <see cref="NotSupportedException"/> rather than
/// silently dropped.
/// </remarks>
public sealed class OpenAiChatClient : IChatClient
{
    private readonly LlmOptions _options;
    private readonly TimeProvider _time;
    private readonly HttpClient _http;
    private readonly OpenAIClient? _client;
    private readonly ConcurrentDictionary<string, ChatClient> _chatClients = new(StringComparer.Ordinal);
    private readonly ChatClientMetadata _metadata;

    public OpenAiChatClient(LlmOptions options, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _time = timeProvider ?? TimeProvider.System;

        // Our own HttpClient: no client-side timeout (ours rule) and pooled connections that are renewed, so a
        // long-running dyno follows DNS changes at the provider.
        _http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
        var endpoint = new Uri(options.BaseUrl);
        _metadata = new ChatClientMetadata("xai", endpoint, options.Model);
        if (options.IsConfigured)
        {
            _client = new OpenAIClient(new ApiKeyCredential(options.ApiKey!), new OpenAIClientOptions
            {
                Endpoint = endpoint,
                // One attempt per call; retries, back-off and the breaker live in ResilientChatClient.
                RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
                // The SDK's per-read network timeout must never fire before our overall timeout does.
                NetworkTimeout = TimeSpan.FromSeconds(options.TimeoutSeconds) + TimeSpan.FromSeconds(5),
                Transport = new HttpClientPipelineTransport(_http),
            });
        }
    }

    public async Task<ChatResponse> GetResponseAsync(
        IEnumerable<AiChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var (client, sdkMessages, sdkOptions) = Prepare(messages, options);
        ChatCompletion completion;
        try
        {
            completion = (await client.CompleteChatAsync(sdkMessages, sdkOptions, cancellationToken)).Value;
        }
        catch (Exception ex) when (ProviderFailure.Translate(ex, _options.ApiKey, _time) is { } failure)
        {
            throw failure;
        }

        try
        {
            return ToChatResponse(completion);
        }
        catch (Exception ex) when (ex is not LlmException && ProviderFailure.Translate(ex, _options.ApiKey, _time) is { } failure)
        {
            // The SDK parses lazily: a payload without choices fails only when read.
            throw new LlmException(LlmFailure.BadResponse, $"The provider's completion had an unexpected shape: {failure.Message}", ex);
        }
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<AiChatMessage> messages, ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var (client, sdkMessages, sdkOptions) = Prepare(messages, options);

        // The SDK asks for stream_options.include_usage itself when streaming, so the last chunk carries token usage.
        var updates = client.CompleteChatStreamingAsync(sdkMessages, sdkOptions, cancellationToken);
        await using var enumerator = updates.GetAsyncEnumerator(cancellationToken);
        var textSent = false;
        AiFinishReason? finishReason = null;
        StringBuilder? refusal = null;
        while (true)
        {
            StreamingChatCompletionUpdate update;
            try
            {
                if (!await enumerator.MoveNextAsync())
                {
                    break;
                }
                update = enumerator.Current;
            }
            catch (Exception ex) when (ProviderFailure.Translate(ex, _options.ApiKey, _time) is { } failure)
            {
                failure.AnswerStarted = textSent;
                throw failure;
            }

            if (!string.IsNullOrEmpty(update.RefusalUpdate))
            {
                (refusal ??= new StringBuilder()).Append(update.RefusalUpdate);
            }
            if (update.FinishReason == SdkFinishReason.ContentFilter)
            {
                throw Refused("The provider stopped the answer with finish reason content_filter.", textSent);
            }

            var mapped = ToUpdate(update);
            finishReason ??= mapped.FinishReason;
            if (mapped.Contents.Count == 0 && mapped.FinishReason is null && mapped.Role is null)
            {
                continue;
            }
            textSent |= !string.IsNullOrEmpty(mapped.Text);
            yield return mapped;
        }

        if (refusal is not null)
        {
            throw Refused($"The model refused to answer ({refusal.Length} characters of refusal text).", textSent);
        }
        if (finishReason is null)
        {
            // A stream that ends without a finish reason was cut short (a proxy or the provider closed it early).
            throw new LlmException(LlmFailure.BadResponse, "The answer stream ended before the provider marked it complete.")
            {
                AnswerStarted = textSent,
            };
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is not null)
        {
            return null;
        }
        if (serviceType == typeof(ChatClientMetadata))
        {
            return _metadata;
        }
        if (serviceType == typeof(OpenAIClient))
        {
            return _client;
        }
        return serviceType.IsInstanceOfType(this) ? this : null;
    }

    public void Dispose() => _http.Dispose();

    private static LlmException Refused(string detail, bool answerStarted) =>
        new(LlmFailure.ContentRefused, detail) { AnswerStarted = answerStarted };

    private (ChatClient Client, List<SdkChatMessage> Messages, ChatCompletionOptions Options) Prepare(
        IEnumerable<AiChatMessage> messages, ChatOptions? options)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var sdkMessages = messages.Select(ToSdkMessage).ToList();
        if (sdkMessages.Count == 0)
        {
            throw new ArgumentException("At least one message is required.", nameof(messages));
        }
        if (_client is null)
        {
            throw new LlmException(LlmFailure.InvalidApiKey,
                "XAI_API_KEY is not set: the language model cannot be called (check LlmOptions.IsConfigured and answer in retrieval-only mode).");
        }
        if (options?.Tools is { Count: > 0 })
        {
            throw new NotSupportedException("Tools are not supported by the answer client.");
        }

        var model = string.IsNullOrWhiteSpace(options?.ModelId) ? _options.Model : options.ModelId;
        var client = _chatClients.GetOrAdd(model, static (name, sdk) => sdk.GetChatClient(name), _client);
        var sdkOptions = new ChatCompletionOptions
        {
            Temperature = options?.Temperature ?? (float)_options.Temperature,
            MaxOutputTokenCount = options?.MaxOutputTokens,
            TopP = options?.TopP,
        };
        foreach (var stop in options?.StopSequences ?? [])
        {
            sdkOptions.StopSequences.Add(stop);
        }
        return (client, sdkMessages, sdkOptions);
    }

    private static SdkChatMessage ToSdkMessage(AiChatMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message.Contents.FirstOrDefault(c => c is not TextContent) is { } other)
        {
            throw new NotSupportedException($"Message content of type {other.GetType().Name} is not supported; send text only.");
        }
        var text = message.Text;
        if (message.Role == ChatRole.System)
        {
            return new SystemChatMessage(text);
        }
        if (message.Role == ChatRole.User)
        {
            return new UserChatMessage(text);
        }
        if (message.Role == ChatRole.Assistant)
        {
            return new AssistantChatMessage(text);
        }
        throw new NotSupportedException($"Messages with role '{message.Role}' are not supported; use system, user or assistant.");
    }

    private static ChatResponse ToChatResponse(ChatCompletion completion)
    {
        if (completion.FinishReason == SdkFinishReason.ContentFilter || !string.IsNullOrEmpty(completion.Refusal))
        {
            throw Refused(completion.FinishReason == SdkFinishReason.ContentFilter
                ? "The provider stopped the answer with finish reason content_filter."
                : $"The model refused to answer ({completion.Refusal!.Length} characters of refusal text).", answerStarted: false);
        }
        var text = string.Concat(completion.Content.Where(p => p.Kind == ChatMessageContentPartKind.Text).Select(p => p.Text));
        var message = new AiChatMessage(ChatRole.Assistant, text)
        {
            MessageId = completion.Id,
            CreatedAt = completion.CreatedAt,
            RawRepresentation = completion,
        };
        return new ChatResponse(message)
        {
            ResponseId = completion.Id,
            ModelId = completion.Model,
            CreatedAt = completion.CreatedAt,
            FinishReason = ToFinishReason(completion.FinishReason),
            Usage = ToUsage(completion.Usage),
            RawRepresentation = completion,
        };
    }

    private static ChatResponseUpdate ToUpdate(StreamingChatCompletionUpdate update)
    {
        var contents = new List<AIContent>();
        foreach (var part in update.ContentUpdate)
        {
            if (part.Kind == ChatMessageContentPartKind.Text && !string.IsNullOrEmpty(part.Text))
            {
                contents.Add(new TextContent(part.Text));
            }
        }
        if (ToUsage(update.Usage) is { } usage)
        {
            contents.Add(new UsageContent(usage));
        }
        return new ChatResponseUpdate(update.Role is null ? null : ChatRole.Assistant, contents)
        {
            ResponseId = update.CompletionId,
            MessageId = update.CompletionId,
            ModelId = update.Model,
            CreatedAt = update.CreatedAt == default ? null : update.CreatedAt,
            FinishReason = update.FinishReason is { } reason ? ToFinishReason(reason) : null,
            RawRepresentation = update,
        };
    }

    private static AiFinishReason ToFinishReason(SdkFinishReason reason) => reason switch
    {
        SdkFinishReason.Stop => AiFinishReason.Stop,
        SdkFinishReason.Length => AiFinishReason.Length,
        SdkFinishReason.ContentFilter => AiFinishReason.ContentFilter,
        SdkFinishReason.ToolCalls or SdkFinishReason.FunctionCall => AiFinishReason.ToolCalls,
        _ => new AiFinishReason(reason.ToString()),
    };

    private static UsageDetails? ToUsage(ChatTokenUsage? usage) => usage is null ? null : new UsageDetails
    {
        InputTokenCount = usage.InputTokenCount,
        OutputTokenCount = usage.OutputTokenCount,
        TotalTokenCount = usage.TotalTokenCount,
        CachedInputTokenCount = usage.InputTokenDetails?.CachedTokenCount,
        // Grok-4 thinks before it answers; reasoning tokens are billed as output and matter for cost accounting.
        ReasoningTokenCount = usage.OutputTokenDetails?.ReasoningTokenCount,
    };
}
