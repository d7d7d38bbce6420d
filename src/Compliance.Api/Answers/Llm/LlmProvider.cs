using System.Net.Http;
using Microsoft.Extensions.AI;
using Microsoft.SemanticKernel;

namespace Compliance.Api.Answers.Llm;

/// <summary>
/// One OpenAI-compatible provider: the primary (Grok-4 at xAI) or the optional fallback. <see cref="Role"/> is what
/// an answer records (<see cref="LlmProviderRoles"/>); <see cref="Name"/> what logs and metadata call it.
/// </summary>
public sealed record LlmProvider(string Role, string Name, Uri Endpoint, string? ApiKey, string Model, double Temperature)
{
    /// <summary>The variable an operator sets to give this provider its key (named in the not-configured failure).</summary>
    public required string ApiKeyVariable { get; init; }

    /// <summary>
    /// The provider as an <see cref="IChatClient"/>: Semantic Kernel's OpenAI connector (<c>AddOpenAIChatClient</c>) on
    /// <paramref name="http"/>, with the default temperature applied and every reply checked by
    /// <see cref="ReplyCheckingChatClient"/>. No resilience here: that is <see cref="ResilientChatClient"/>'s.
    /// </summary>
    /// <remarks>
    /// Handing the connector our own <see cref="HttpClient"/> is what turns the OpenAI SDK's own retries off
    /// (<c>ClientRetryPolicy(0)</c>) and its network timeout (infinite): the connector does that whenever a custom
    /// client is given, so our policy is the only one. The kernel gets no logger factory on purpose: the connector's
    /// logging middleware would write prompts and answers at Trace level, and prompts are never logged here.
    /// </remarks>
    internal IChatClient CreateClient(HttpClient http)
    {
        ArgumentNullException.ThrowIfNull(http);
        var metadata = new ChatClientMetadata(Name, Endpoint, Model);
        if (string.IsNullOrWhiteSpace(ApiKey))
        {
            return new NotConfiguredChatClient(metadata, ApiKeyVariable);
        }

        var kernel = Kernel.CreateBuilder();
#pragma warning disable SKEXP0010 // The kernel-builder overload is marked experimental; it only forwards to the services one.
        kernel.AddOpenAIChatClient(Model, Endpoint, ApiKey, httpClient: http);
#pragma warning restore SKEXP0010
        var connector = kernel.Build().GetRequiredService<IChatClient>();
        var temperature = (float)Temperature;
        return connector.AsBuilder()
            .Use(inner => new ReplyCheckingChatClient(inner, metadata))
            .ConfigureOptions(options => options.Temperature ??= temperature)
            .Build();
    }
}

/// <summary>The roles an answering provider has, as recorded on the answer.</summary>
public static class LlmProviderRoles
{
    public const string Primary = "primary";
    public const string Fallback = "fallback";
}

/// <summary>A provider without a key: every call fails at once as <see cref="LlmFailure.InvalidApiKey"/>, with no traffic.</summary>
internal sealed class NotConfiguredChatClient(ChatClientMetadata metadata, string apiKeyVariable) : IChatClient
{
    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        CancellationToken cancellationToken = default) => throw Failure();

    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages,
        ChatOptions? options = null, CancellationToken cancellationToken = default) => throw Failure();

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType == typeof(ChatClientMetadata) ? metadata : null;

    public void Dispose()
    {
    }

    private LlmException Failure() => new(LlmFailure.InvalidApiKey,
        $"{apiKeyVariable} is not set: the language model cannot be called (check LlmOptions.IsConfigured and answer in retrieval-only mode).");
}
