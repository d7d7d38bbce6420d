using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace Compliance.Api.Answers.Llm;

/// <summary>Which provider wrote an answer, and why the fallback did when it did. Carried on every update and response.</summary>
/// <param name="Role"><see cref="LlmProviderRoles.Primary"/> or <see cref="LlmProviderRoles.Fallback"/>.</param>
/// <param name="Name">The provider's name (<see cref="LlmProvider.Name"/>).</param>
/// <param name="PrimaryFailure">How the primary failed before its first token, when the fallback answered.</param>
public sealed record AnsweringProvider(string Role, string Name, LlmFailure? PrimaryFailure = null)
{
    /// <summary>The key in <c>AdditionalProperties</c> of each <see cref="ChatResponseUpdate"/> and <see cref="ChatResponse"/>.</summary>
    public const string PropertyKey = "compliance.llm.provider";

    /// <summary>The provider recorded on <paramref name="properties"/>, if any.</summary>
    public static AnsweringProvider? From(AdditionalPropertiesDictionary? properties) =>
        properties is not null && properties.TryGetValue(PropertyKey, out var value) ? value as AnsweringProvider : null;
}

/// <summary>
/// The <see cref="IChatClient"/> the answer pipeline uses: the primary provider and, when <c>LLM_FALLBACK_*</c> is
/// configured, a second OpenAI-compatible provider that answers only when the primary failed before its first token
/// (its retries spent, its breaker open, a bad key, a stall). Once the primary's text has reached the caller there is
/// no fallback: the user has seen part of an answer, and a second model's answer cannot be spliced onto it.
/// </summary>
/// <remarks>
/// Both providers share one overall budget (<c>GROK_TIMEOUT</c>): the fallback gets what the primary left, so a
/// fallback never holds the user past the router's limit. A refusal or the caller leaving is final, not a reason to
/// ask another model. Every update and response carries an <see cref="AnsweringProvider"/>.
/// </remarks>
public sealed class LlmProviderChain : IChatClient
{
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly IDisposable[] _owned;

    public LlmProviderChain(ResilientChatClient primary, ResilientChatClient? fallback, ILogger<LlmProviderChain> logger,
        TimeProvider? timeProvider = null, params IDisposable[] owned)
    {
        ArgumentNullException.ThrowIfNull(primary);
        ArgumentNullException.ThrowIfNull(logger);
        Primary = primary;
        Fallback = fallback;
        _logger = logger;
        _time = timeProvider ?? TimeProvider.System;
        _owned = owned;
        PrimaryName = primary.GetService<ChatClientMetadata>()?.ProviderName ?? LlmProviderRoles.Primary;
        FallbackName = fallback?.GetService<ChatClientMetadata>()?.ProviderName ?? LlmProviderRoles.Fallback;
    }

    public ResilientChatClient Primary { get; }

    public ResilientChatClient? Fallback { get; }

    private string PrimaryName { get; }

    private string FallbackName { get; }

    public async Task<ChatResponse> GetResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var started = _time.GetTimestamp();
        ChatResponse response;
        try
        {
            response = await Primary.GetResponseAsync(messages, options, Primary.Timeout, cancellationToken);
        }
        catch (LlmException failure) when (CanFallBack(failure, started) is { } remaining)
        {
            response = await Fallback!.GetResponseAsync(messages, ForFallback(options), remaining, cancellationToken);
            Mark(response.AdditionalProperties ??= [], Answered(failure));
            return response;
        }
        Mark(response.AdditionalProperties ??= [], new AnsweringProvider(LlmProviderRoles.Primary, PrimaryName));
        return response;
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var started = _time.GetTimestamp();
        var primary = new AnsweringProvider(LlmProviderRoles.Primary, PrimaryName);
        LlmException? primaryFailure = null;
        TimeSpan? fallbackBudget = null;
        await using (var updates = Primary.GetStreamingResponseAsync(messages, options, Primary.Timeout, cancellationToken)
            .GetAsyncEnumerator(cancellationToken))
        {
            var yielded = false;
            while (true)
            {
                try
                {
                    if (!await updates.MoveNextAsync())
                    {
                        break;
                    }
                }
                // The primary yields nothing until its first word arrived, so "nothing yielded" is "before the first token".
                catch (LlmException failure) when (!yielded && (fallbackBudget = CanFallBack(failure, started)) is not null)
                {
                    primaryFailure = failure;
                    break;
                }
                yielded = true;
                Mark(updates.Current.AdditionalProperties ??= [], primary);
                yield return updates.Current;
            }
        }
        if (primaryFailure is null || fallbackBudget is not { } remaining)
        {
            yield break;
        }

        var answering = Answered(primaryFailure);
        await foreach (var update in Fallback!.GetStreamingResponseAsync(messages, ForFallback(options), remaining, cancellationToken))
        {
            Mark(update.AdditionalProperties ??= [], answering);
            yield return update;
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is null && serviceType.IsInstanceOfType(this) ? this : Primary.GetService(serviceType, serviceKey);
    }

    public void Dispose()
    {
        Primary.Dispose();
        Fallback?.Dispose();
        foreach (var owned in _owned)
        {
            owned.Dispose();
        }
    }

    /// <summary>The budget left for the fallback, or null when the failure is final or there is no fallback.</summary>
    private TimeSpan? CanFallBack(LlmException failure, long started)
    {
        if (Fallback is null || failure.AnswerStarted || failure.Kind is LlmFailure.Cancelled or LlmFailure.ContentRefused)
        {
            return null;
        }
        var remaining = Primary.Timeout - _time.GetElapsedTime(started);
        return remaining > TimeSpan.Zero ? remaining : null;
    }

    private AnsweringProvider Answered(LlmException primaryFailure)
    {
        _logger.LogWarning("The fallback language model ({LlmProvider}) answers: the primary failed before its first token ({LlmFailure})",
            FallbackName, primaryFailure.Kind);
        return new AnsweringProvider(LlmProviderRoles.Fallback, FallbackName, primaryFailure.Kind);
    }

    /// <summary>The primary's model id means nothing to the fallback: it answers with its own configured model.</summary>
    private static ChatOptions? ForFallback(ChatOptions? options)
    {
        if (options?.ModelId is null)
        {
            return options;
        }
        var copy = options.Clone();
        copy.ModelId = null;
        return copy;
    }

    private static void Mark(AdditionalPropertiesDictionary properties, AnsweringProvider provider) =>
        properties[AnsweringProvider.PropertyKey] = provider;
}
