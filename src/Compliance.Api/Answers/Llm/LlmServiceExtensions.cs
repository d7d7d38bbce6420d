using Compliance.Api.Configuration;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Compliance.Api.Answers.Llm;

public static class LlmServiceExtensions
{
    /// <summary>
    /// Registers <see cref="IChatClient"/>: Grok through the OpenAI SDK (<see cref="OpenAiChatClient"/>) wrapped in
    /// timeouts, retries and a circuit breaker (<see cref="ResilientChatClient"/>). Settings come from the validated
    /// <see cref="LlmOptions"/> (bound by <c>AddApiConfiguration</c>).
    /// </summary>
    /// <remarks>
    /// The client is always resolvable, so handlers can take it as a parameter. Without <c>XAI_API_KEY</c>
    /// (<see cref="LlmOptions.IsConfigured"/> false) the API is in retrieval-only mode and a call fails at once with
    /// <see cref="LlmFailure.InvalidApiKey"/>, without any network traffic: check the option before calling.
    /// </remarks>
    public static WebApplicationBuilder AddLlm(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(sp => new OpenAiChatClient(
            sp.GetRequiredService<IOptions<LlmOptions>>().Value, sp.GetRequiredService<TimeProvider>()));
        builder.Services.AddSingleton(sp => new ResilientChatClient(
            sp.GetRequiredService<OpenAiChatClient>(),
            sp.GetRequiredService<IOptions<LlmOptions>>().Value,
            sp.GetRequiredService<ILogger<ResilientChatClient>>(),
            sp.GetRequiredService<TimeProvider>()));
        builder.Services.AddSingleton<IChatClient>(sp => sp.GetRequiredService<ResilientChatClient>());
        return builder;
    }
}
