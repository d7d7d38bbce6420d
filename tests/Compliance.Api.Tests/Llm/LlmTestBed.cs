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

    private LlmTestBed(FakeOpenAiServer fake, LlmOptions options)
    {
        Fake = fake;
        Options = options;
        _loggers = LoggerFactory.Create(b => b.AddProvider(Logs).SetMinimumLevel(LogLevel.Trace));
        Chain = LlmServiceExtensions.CreateChain(options, fallback: null, _loggers, Clock);
    }

    public FakeOpenAiServer Fake { get; }

    public LlmOptions Options { get; }

    public CapturedLogs Logs { get; } = new();

    /// <summary>The clock the breaker reads; tests move it forward instead of waiting.</summary>
    public ShiftedClock Clock { get; } = new();

    public LlmProviderChain Chain { get; }

    public ResilientChatClient Client => Chain.Primary;

    /// <summary>Failure lines the client logged (warnings and errors, plus the information line of a cancellation).</summary>
    public IReadOnlyList<CapturedLog> FailureLogs =>
        [.. Logs.Entries.Where(e => e.Message.StartsWith("Language model call failed", StringComparison.Ordinal))];

    public static async Task<LlmTestBed> StartAsync(Action<LlmOptions>? configure = null, string? serverKey = null)
    {
        var fake = await FakeOpenAiServer.StartAsync(serverKey ?? FakeOpenAiServer.DefaultApiKey, TestContext.Current.CancellationToken);
        var options = new LlmOptions
        {
            ApiKey = FakeOpenAiServer.DefaultApiKey,
            BaseUrl = fake.BaseUrl.ToString(),
            Model = "grok-4-latest",
            Temperature = 0.1,
            TimeoutSeconds = 5,
            FirstTokenTimeoutSeconds = 1,
            MaxRetries = 2,
            RetryBaseDelaySeconds = 0.02,
            RetryMaxDelaySeconds = 2,
            BreakerFailureThreshold = 5,
            BreakerBreakSeconds = 30,
        };
        configure?.Invoke(options);
        return new LlmTestBed(fake, options);
    }

    public static List<ChatMessage> Question(string question) =>
        [new(ChatRole.System, SystemPrompt), new(ChatRole.User, question)];

    /// <summary>Streams an answer, keeping what arrived before a failure, as the answer endpoint would show it.</summary>
    public async Task<StreamedAnswer> StreamAsync(string question, ChatOptions? options = null)
    {
        var updates = new List<ChatResponseUpdate>();
        try
        {
            await foreach (var update in Client.GetStreamingResponseAsync(Question(question), options, TestContext.Current.CancellationToken))
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
    }
}

/// <summary>What a streaming call delivered: the updates, and the failure that ended it, if any.</summary>
internal sealed record StreamedAnswer(IReadOnlyList<ChatResponseUpdate> Updates, LlmException? Failure)
{
    public string Text => string.Concat(Updates.Select(u => u.Text));

    public UsageDetails? Usage => Updates.SelectMany(u => u.Contents).OfType<UsageContent>().LastOrDefault()?.Details;

    public ChatFinishReason? FinishReason => Updates.LastOrDefault(u => u.FinishReason is not null)?.FinishReason;
}

/// <summary>System time plus an offset: lets a test jump past the breaker's break without waiting for it.</summary>
internal sealed class ShiftedClock : TimeProvider
{
    public TimeSpan Offset { get; private set; }

    public void Advance(TimeSpan by) => Offset += by;

    public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + Offset;
}
