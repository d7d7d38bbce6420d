using Compliance.Api.Answers.Llm;
using Compliance.Api.Configuration;
using Compliance.Api.Tests.Infrastructure;
using Compliance.Testing.FakeOpenAi;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace Compliance.Api.Tests.Llm;

/// <summary>
/// The real client stack, built as <c>AddLlm</c> builds it (Semantic Kernel's OpenAI connector → reply checks →
/// <see cref="ResilientChatClient"/>), against a <see cref="FakeOpenAiServer"/>, with short timeouts so fault tests run
/// in a second or two, and captured logs. <see cref="Client"/> is the primary provider of the chain.
/// </summary>
internal sealed class LlmTestBed : IAsyncDisposable
{
    public const string SystemPrompt = "Answer only from the numbered sources.";

    private readonly ILoggerFactory _loggers;

    public const string FallbackApiKey = "sk-fallbackKeyForTests0123456789abcd";
    public const string FallbackModel = "fallback-model-mini";

    private LlmTestBed(FakeOpenAiServer fake, LlmOptions options, FakeOpenAiServer? fallbackFake)
    {
        Fake = fake;
        FallbackFake = fallbackFake;
        Options = options;
        _loggers = LoggerFactory.Create(b => b.AddProvider(Logs).SetMinimumLevel(LogLevel.Trace));
        var fallback = fallbackFake is null ? null : new LlmFallbackOptions
        {
            BaseUrl = fallbackFake.BaseUrl.ToString(),
            ApiKey = FallbackApiKey,
            Model = FallbackModel,
        };
        Chain = LlmServiceExtensions.CreateChain(options, fallback, _loggers, Clock);
    }

    public FakeOpenAiServer Fake { get; }

    /// <summary>The second provider, when the bed was started with a fallback.</summary>
    public FakeOpenAiServer? FallbackFake { get; }

    public LlmOptions Options { get; }

    public CapturedLogs Logs { get; } = new();

    /// <summary>The clock the breaker reads; tests move it forward instead of waiting.</summary>
    public ShiftedClock Clock { get; } = new();

    public LlmProviderChain Chain { get; }

    public ResilientChatClient Client => Chain.Primary;

    /// <summary>Failure lines the client logged (warnings and errors, plus the information line of a cancellation).</summary>
    public IReadOnlyList<CapturedLog> FailureLogs =>
        [.. Logs.Entries.Where(e => e.Message.StartsWith("Language model call failed", StringComparison.Ordinal))];

    public static async Task<LlmTestBed> StartAsync(Action<LlmOptions>? configure = null, string? serverKey = null, bool withFallback = false)
    {
        await WarmUp.Value;
        var fake = await FakeOpenAiServer.StartAsync(serverKey ?? FakeOpenAiServer.DefaultApiKey, TestContext.Current.CancellationToken);
        var fallbackFake = withFallback ? await FakeOpenAiServer.StartAsync(FallbackApiKey, TestContext.Current.CancellationToken) : null;
        var options = new LlmOptions
        {
            ApiKey = FakeOpenAiServer.DefaultApiKey,
            BaseUrl = fake.BaseUrl.ToString(),
            Model = "grok-4-latest",
            Temperature = 0.1,
            // Generous enough for a cold first call on a loaded two-core machine (JIT of the connector's stack takes
            // over a second there); tests about timing set their own values.
            TimeoutSeconds = 10,
            FirstTokenTimeoutSeconds = 3,
            MaxRetries = 2,
            RetryBaseDelaySeconds = 0.02,
            RetryMaxDelaySeconds = 2,
            BreakerFailureThreshold = 5,
            BreakerBreakSeconds = 30,
        };
        configure?.Invoke(options);
        return new LlmTestBed(fake, options, fallbackFake);
    }

    /// <summary>
    /// One call through a throwaway stack per test process: the first call JIT-compiles the connector, the OpenAI SDK
    /// and Polly, which on a loaded two-core machine takes seconds and would count against a test's first-token clock.
    /// </summary>
    private static readonly Lazy<Task> WarmUp = new(async () =>
    {
        await using var fake = await FakeOpenAiServer.StartAsync();
        using var chain = LlmServiceExtensions.CreateChain(
            new LlmOptions { ApiKey = FakeOpenAiServer.DefaultApiKey, BaseUrl = fake.BaseUrl.ToString(), TimeoutSeconds = 60, FirstTokenTimeoutSeconds = 60 },
            fallback: null, Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance, TimeProvider.System);
        await foreach (var _ in chain.GetStreamingResponseAsync(Question("warm up")))
        {
        }
        await chain.GetResponseAsync(Question("warm up"));
    });

    public static List<ChatMessage> Question(string question) =>
        [new(ChatRole.System, SystemPrompt), new(ChatRole.User, question)];

    /// <summary>Streams an answer, keeping what arrived before a failure, as the answer endpoint would show it.</summary>
    public Task<StreamedAnswer> StreamAsync(string question, ChatOptions? options = null) => StreamAsync(Client, question, options);

    /// <summary>Streams an answer through the whole provider chain (primary, then the fallback if there is one).</summary>
    public Task<StreamedAnswer> StreamThroughChainAsync(string question, ChatOptions? options = null) => StreamAsync(Chain, question, options);

    private static async Task<StreamedAnswer> StreamAsync(IChatClient client, string question, ChatOptions? options)
    {
        var updates = new List<ChatResponseUpdate>();
        try
        {
            await foreach (var update in client.GetStreamingResponseAsync(Question(question), options, TestContext.Current.CancellationToken))
            {
                updates.Add(update);
            }
            return new StreamedAnswer(updates, null);
        }
        catch (LlmException ex)
        {
            return new StreamedAnswer(updates, ex);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Chain.Dispose();
        _loggers.Dispose();
        await Fake.DisposeAsync();
        if (FallbackFake is not null)
        {
            await FallbackFake.DisposeAsync();
        }
    }
}

/// <summary>What a streaming call delivered: the updates, and the failure that ended it, if any.</summary>
internal sealed record StreamedAnswer(IReadOnlyList<ChatResponseUpdate> Updates, LlmException? Failure)
{
    public string Text => string.Concat(Updates.Select(u => u.Text));

    public UsageDetails? Usage => Updates.SelectMany(u => u.Contents).OfType<UsageContent>().LastOrDefault()?.Details;

    public ChatFinishReason? FinishReason => Updates.LastOrDefault(u => u.FinishReason is not null)?.FinishReason;

    /// <summary>The provider every update says it came from (null when none said so).</summary>
    public AnsweringProvider? Provider => Updates.Select(u => AnsweringProvider.From(u.AdditionalProperties)).Distinct().SingleOrDefault();
}

/// <summary>System time plus an offset: lets a test jump past the breaker's break without waiting for it.</summary>
internal sealed class ShiftedClock : TimeProvider
{
    public TimeSpan Offset { get; private set; }

    public void Advance(TimeSpan by) => Offset += by;

    public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + Offset;
}
