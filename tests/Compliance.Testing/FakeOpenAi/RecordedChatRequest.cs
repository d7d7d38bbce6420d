using System.Diagnostics;

namespace Compliance.Testing.FakeOpenAi;

/// <summary>One message of a recorded request.</summary>
public sealed record RecordedMessage(string Role, string Content);

/// <summary>A request as <see cref="FakeOpenAiServer"/> received it, for assertions on prompts, settings and timing.</summary>
public sealed class RecordedChatRequest
{
    private readonly TaskCompletionSource _disconnected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>1 for the first request the server received, 2 for the next, ...</summary>
    public required int Number { get; init; }

    public required DateTimeOffset ReceivedAt { get; init; }

    /// <summary><see cref="Stopwatch.GetTimestamp"/> at arrival: monotonic, for spacing between attempts.</summary>
    public required long ReceivedTimestamp { get; init; }

    public required string Method { get; init; }

    public required string Path { get; init; }

    /// <summary>Request headers (the last value of each), names case-insensitive.</summary>
    public required IReadOnlyDictionary<string, string> Headers { get; init; }

    /// <summary>The raw JSON body.</summary>
    public required string Body { get; init; }

    public string? Model { get; init; }

    public IReadOnlyList<RecordedMessage> Messages { get; init; } = [];

    public double? Temperature { get; init; }

    /// <summary><c>max_completion_tokens</c>, or the older <c>max_tokens</c>.</summary>
    public int? MaxTokens { get; init; }

    public double? TopP { get; init; }

    public bool Stream { get; init; }

    /// <summary><c>stream_options.include_usage</c>.</summary>
    public bool IncludeUsage { get; init; }

    /// <summary>The status the fake answered with (set once the reply started).</summary>
    public int? ResponseStatus { get; internal set; }

    /// <summary>The text of the last user message, or empty.</summary>
    public string LastUserMessage => Messages.LastOrDefault(m => m.Role == "user")?.Content ?? string.Empty;

    /// <summary>Completes when the client closed the connection before the reply was complete.</summary>
    public Task Disconnected => _disconnected.Task;

    /// <summary>Completes when the fake finished handling the request, however it ended.</summary>
    public Task Finished => _finished.Task;

    public bool ClientDisconnected => _disconnected.Task.IsCompleted;

    /// <summary>Time from <paramref name="earlier"/>'s arrival to this one's.</summary>
    public TimeSpan SinceArrivalOf(RecordedChatRequest earlier)
    {
        ArgumentNullException.ThrowIfNull(earlier);
        return Stopwatch.GetElapsedTime(earlier.ReceivedTimestamp, ReceivedTimestamp);
    }

    internal void MarkDisconnected() => _disconnected.TrySetResult();

    internal void MarkFinished() => _finished.TrySetResult();
}
