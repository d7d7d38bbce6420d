using System.Text.RegularExpressions;

namespace Compliance.Testing.FakeOpenAi;

/// <summary>
/// What <see cref="FakeOpenAiServer"/> does with one chat-completions request: an answer (streamed as word deltas or
/// returned whole), and optionally a fault on the way. Combine with <c>with</c>:
/// <c>FakeReply.Answer("a b c") with { StallAfterDeltas = 1 }</c>.
/// </summary>
public sealed partial record FakeReply
{
    /// <summary>A wait that lasts until the client goes away: the provider hangs.</summary>
    public static readonly TimeSpan Forever = Timeout.InfiniteTimeSpan;

    /// <summary>The answer text; streamed as deltas of <see cref="WordsPerDelta"/> words.</summary>
    public string Text { get; init; } = string.Empty;

    /// <summary>Words per streamed delta (whitespace stays attached to the word before it). Default 1.</summary>
    public int WordsPerDelta { get; init; } = 1;

    /// <summary>Explicit deltas, overriding the split of <see cref="Text"/>.</summary>
    public IReadOnlyList<string>? Deltas { get; init; }

    /// <summary>Wait before the first content delta (streaming; sent after the role chunk) or before the whole reply.</summary>
    public TimeSpan DelayBeforeFirstToken { get; init; }

    /// <summary>Wait between content deltas.</summary>
    public TimeSpan DelayBetweenDeltas { get; init; }

    /// <summary>After this many deltas the stream goes silent until the client gives up.</summary>
    public int? StallAfterDeltas { get; init; }

    /// <summary>After this many deltas a chunk that is not JSON is sent (non-streaming: the body is not JSON).</summary>
    public int? MalformedChunkAfterDeltas { get; init; }

    /// <summary>
    /// After this many deltas the connection is dropped mid-body, as a crashing proxy would (non-streaming: before the
    /// body). The deltas already sent are given a moment to reach the client first.
    /// </summary>
    public int? CloseAfterDeltas { get; init; }

    /// <summary>After this many deltas the HTTP response ends normally, but the event stream has no finish chunk and no <c>[DONE]</c>.</summary>
    public int? EndAfterDeltas { get; init; }

    /// <summary>The finish reason of the last chunk: <c>stop</c>, <c>length</c> or <c>content_filter</c>.</summary>
    public string FinishReason { get; init; } = "stop";

    /// <summary>A refusal message instead of (or after) the answer, as OpenAI sends in <c>delta.refusal</c>.</summary>
    public string? Refusal { get; init; }

    /// <summary>An error status to answer with instead of a completion (401, 429, 500, 503, ...).</summary>
    public int? StatusCode { get; init; }

    /// <summary>The <c>Retry-After</c> header sent with an error (delta-seconds or an HTTP date).</summary>
    public string? RetryAfter { get; init; }

    /// <summary>The error message in the OpenAI error body; a realistic default per status otherwise.</summary>
    public string? ErrorMessage { get; init; }

    /// <summary>Usage overrides; by default tokens are counted as words (see <see cref="FakeOpenAiServer.CountTokens"/>).</summary>
    public int? PromptTokens { get; init; }

    public int? CompletionTokens { get; init; }

    public int? ReasoningTokens { get; init; }

    /// <summary>The model name to report; defaults to the requested model.</summary>
    public string? Model { get; init; }

    /// <summary>A normal answer.</summary>
    public static FakeReply Answer(string text) => new() { Text = text };

    /// <summary>An error response with OpenAI's error body, e.g. <c>FakeReply.Status(503)</c>.</summary>
    public static FakeReply Status(int statusCode, string? retryAfter = null) => new() { StatusCode = statusCode, RetryAfter = retryAfter };

    /// <summary>429 with <c>Retry-After</c>.</summary>
    public static FakeReply RateLimited(string? retryAfter) => Status(429, retryAfter);

    /// <summary>An answer the provider's filter stops: the text so far, then finish reason <c>content_filter</c>.</summary>
    public static FakeReply ContentFiltered(string partialText = "") => new() { Text = partialText, FinishReason = "content_filter" };

    /// <summary>The deltas this reply streams; their concatenation is the answer text.</summary>
    public IReadOnlyList<string> StreamedDeltas()
    {
        if (Deltas is not null)
        {
            return Deltas;
        }
        var words = WordPattern().Matches(Text).Select(m => m.Value).ToList();
        var size = Math.Max(1, WordsPerDelta);
        return [.. words.Chunk(size).Select(chunk => string.Concat(chunk))];
    }

    /// <summary>The full answer text.</summary>
    public string FullText => Deltas is null ? Text : string.Concat(Deltas);

    // Leading whitespace goes with the first word, trailing whitespace with the word before it: nothing is lost.
    [GeneratedRegex(@"^\s*\S+\s*|\S+\s*|\s+", RegexOptions.CultureInvariant)]
    private static partial Regex WordPattern();
}
