using Compliance.Api.Configuration;
using Compliance.ServiceDefaults.Redaction;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Compliance.Api.Answers.Llm;

public static class LlmServiceExtensions
{
    /// <summary>The primary provider's name in logs and <see cref="ChatClientMetadata"/>.</summary>
    public const string PrimaryProviderName = "xai";

    /// <summary>The fallback provider's name in logs and <see cref="ChatClientMetadata"/>.</summary>
    public const string FallbackProviderName = "fallback";

    /// <summary>
    /// Registers <see cref="IChatClient"/>: an <see cref="LlmProviderChain"/> of Grok through Semantic Kernel's OpenAI
    /// connector and, when <c>LLM_FALLBACK_*</c> is set, a second OpenAI-compatible provider; each provider wrapped in
    /// timeouts, retries and a circuit breaker (<see cref="ResilientChatClient"/>). Settings come from the validated
    /// <see cref="LlmOptions"/> (bound by <c>AddApiConfiguration</c>) and <see cref="LlmFallbackOptions"/>.
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
        builder.Services.AddOptions<LlmFallbackOptions>().Bind(builder.Configuration).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<LlmFallbackOptions>, LlmFallbackOptionsValidation>();
        SensitiveDataRedactor.Shared.AddKnownSecret(builder.Configuration["LLM_FALLBACK_API_KEY"]);

        builder.Services.AddSingleton(sp => CreateChain(
            sp.GetRequiredService<IOptions<LlmOptions>>().Value,
            sp.GetRequiredService<IOptions<LlmFallbackOptions>>().Value,
            sp.GetRequiredService<ILoggerFactory>(),
            sp.GetRequiredService<TimeProvider>()));
        builder.Services.AddSingleton<IChatClient>(sp => sp.GetRequiredService<LlmProviderChain>());
        return builder;
    }

    /// <summary>The chain for these settings (also what the tests build, so they exercise the deployed stack).</summary>
    public static LlmProviderChain CreateChain(LlmOptions options, LlmFallbackOptions? fallback, ILoggerFactory loggers, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggers);
        var primary = new LlmProvider(LlmProviderRoles.Primary, PrimaryProviderName, new Uri(options.BaseUrl), options.ApiKey,
            options.Model, options.Temperature) { ApiKeyVariable = "XAI_API_KEY" };
        var primaryHttp = ProviderHttpClient();
        var resilientPrimary = new ResilientChatClient(primary.CreateClient(primaryHttp), options,
            loggers.CreateLogger<ResilientChatClient>(), time, options.ApiKey);
        if (fallback is not { IsConfigured: true })
        {
            return new LlmProviderChain(resilientPrimary, null, loggers.CreateLogger<LlmProviderChain>(), time, primaryHttp);
        }

        var second = new LlmProvider(LlmProviderRoles.Fallback, FallbackProviderName, new Uri(fallback.BaseUrl!), fallback.ApiKey,
            fallback.Model!, options.Temperature) { ApiKeyVariable = "LLM_FALLBACK_API_KEY" };
        var fallbackHttp = ProviderHttpClient();
        var resilientFallback = new ResilientChatClient(second.CreateClient(fallbackHttp), options,
            loggers.CreateLogger<ResilientChatClient>(), time, fallback.ApiKey);
        return new LlmProviderChain(resilientPrimary, resilientFallback, loggers.CreateLogger<LlmProviderChain>(), time,
            primaryHttp, fallbackHttp);
    }

    // No client-side timeout (ours rule) and pooled connections that are renewed, so a long-running dyno follows DNS
    // changes at the provider. Giving the connector this client also turns the OpenAI SDK's own retries off.
    private static HttpClient ProviderHttpClient() =>
        new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) }) { Timeout = Timeout.InfiniteTimeSpan };
}
