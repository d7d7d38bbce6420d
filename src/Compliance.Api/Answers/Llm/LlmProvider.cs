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

        var connector = ConnectorFor(Model, Endpoint, ApiKey, http);
        var temperature = (float)Temperature;
        return connector.AsBuilder()
            .Use(inner => new ReplyCheckingChatClient(inner, metadata))
            .ConfigureOptions(options => options.Temperature ??= temperature)
            .Build();
    }

    /// <summary>
    /// The provider's chat client from Semantic Kernel's OpenAI connector: <c>AddOpenAIChatClient</c> builds the OpenAI
    /// SDK client on <paramref name="http"/> (endpoint, key, the SDK's retries off), and the answer pipeline talks to
    /// that client through Microsoft.Extensions.AI's OpenAI adapter (<c>AsIChatClient</c>), the innermost layer of what
    /// the connector registers, without the two layers the connector puts around it.
    /// </summary>
    /// <remarks>
    /// The connector registers <c>KernelFunctionInvokingChatClient → OpenTelemetryChatClient → OpenAIChatClient</c>.
    /// Neither outer layer does anything for this pipeline, yet both handle every streamed update: the answer client
    /// sends no tools (<see cref="ReplyCheckingChatClient"/> refuses them), so function invocation only inspects each
    /// update for function calls; the OpenTelemetry layer's activity source (<c>Experimental.Microsoft.Extensions.AI</c>)
    /// is subscribed by nothing here, yet it keeps every update of a stream to rebuild the whole response at the end.
    /// Measured (<c>bench llm-stream</c>): the same 8 updates and thread-pool hops per answer either way, ~4 KB less
    /// allocated per answer without them. docs/service-performance.md ("The SSE gap") has the figures.
    /// </remarks>
    internal static IChatClient ConnectorFor(string model, Uri endpoint, string apiKey, HttpClient http) =>
        RegisteredConnector(model, endpoint, apiKey, http).GetService<OpenAI.Chat.ChatClient>()?.AsIChatClient()
        ?? throw new InvalidOperationException("Semantic Kernel's OpenAI connector no longer exposes the OpenAI SDK's ChatClient.");

    /// <summary>The <see cref="IChatClient"/> exactly as Semantic Kernel's <c>AddOpenAIChatClient</c> registers it.</summary>
    internal static IChatClient RegisteredConnector(string model, Uri endpoint, string apiKey, HttpClient http)
    {
        var kernel = Kernel.CreateBuilder();
#pragma warning disable SKEXP0010 // The kernel-builder overload is marked experimental; it only forwards to the services one.
        kernel.AddOpenAIChatClient(model, endpoint, apiKey, httpClient: http);
#pragma warning restore SKEXP0010
        return kernel.Build().GetRequiredService<IChatClient>();
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
