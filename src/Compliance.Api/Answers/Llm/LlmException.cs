using System.Diagnostics.CodeAnalysis;

namespace Compliance.Api.Answers.Llm;

/// <summary>Why a call to the language model failed. Stable: stored on the query log and shown to operators.</summary>
public enum LlmFailure
{
    /// <summary>The provider refused the API key (401/403), or <c>XAI_API_KEY</c> is not set.</summary>
    InvalidApiKey,

    /// <summary>The provider kept answering 429 (too many requests) after the allowed retries.</summary>
    RateLimited,

    /// <summary>Server errors (5xx) or network errors after the allowed retries, or the circuit breaker is open.</summary>
    ProviderUnavailable,

    /// <summary>No first word within the first-token timeout, or no complete answer within the overall timeout.</summary>
    Timeout,

    /// <summary>The model declined: finish reason <c>content_filter</c> or an explicit refusal.</summary>
    ContentRefused,

    /// <summary>The provider sent something that is not a chat completion (malformed chunk, truncated stream).</summary>
    BadResponse,

    /// <summary>The provider rejected the request itself (400, 404, 413, 422): unknown model, prompt too long.</summary>
    RequestRejected,

    /// <summary>The caller cancelled (the user disconnected) before the answer was complete.</summary>
    Cancelled,
}

/// <summary>
/// A failed call to the language model. <see cref="Kind"/> says what happened, <see cref="UserMessage"/> says it in
/// words a compliance user can read, and <see cref="Exception.Message"/> carries the technical detail for logs (never
/// the API key, never the prompt).
/// </summary>
[SuppressMessage("Design", "CA1032:Implement standard exception constructors",
    Justification = "Every failure must carry its kind; a kind-less constructor would invite unclassified errors.")]
public sealed class LlmException : Exception
{
    public LlmException(LlmFailure kind, string detail, Exception? innerException = null)
        : base(detail, innerException)
    {
        Kind = kind;
    }

    /// <summary>What went wrong, as a stable kind.</summary>
    public LlmFailure Kind { get; }

    /// <summary>The sentence to show the user.</summary>
    public string UserMessage => UserMessageFor(Kind);

    /// <summary>The provider's HTTP status, when the failure was an HTTP response.</summary>
    public int? StatusCode { get; init; }

    /// <summary>How long the provider asked us to wait (<c>Retry-After</c>), or how long the open breaker stays open.</summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>Attempts made, retries included (0 when the circuit breaker refused the call outright).</summary>
    public int Attempts { get; internal set; }

    /// <summary>Time from the start of the call to the failure.</summary>
    public TimeSpan Elapsed { get; internal set; }

    /// <summary>True when part of the answer had already been streamed to the caller before the failure.</summary>
    public bool AnswerStarted { get; internal set; }

    /// <summary>True when a retry may succeed: rate limits, server and network errors, a first-token stall.</summary>
    internal bool IsTransient { get; init; }

    /// <summary>The plain-words message for a failure kind, for callers that report a failure without an exception.</summary>
    public static string UserMessageFor(LlmFailure kind) => kind switch
    {
        LlmFailure.InvalidApiKey =>
            "The answer service is not set up correctly right now; please let the compliance team know.",
        LlmFailure.RateLimited =>
            "The answer service is busy right now; please try again in a minute.",
        LlmFailure.ProviderUnavailable =>
            "The answer service is unavailable right now; please try again in a few minutes.",
        LlmFailure.Timeout =>
            "The answer took too long to arrive; please try again in a moment.",
        LlmFailure.ContentRefused =>
            "The answer service declined to answer this question; please rephrase it or ask the compliance team.",
        LlmFailure.BadResponse =>
            "The answer service sent a reply we could not read; please try again.",
        LlmFailure.RequestRejected =>
            "The answer service could not take this question; please shorten it or ask the compliance team.",
        LlmFailure.Cancelled =>
            "The question was cancelled before the answer was complete.",
        _ => "The answer service failed; please try again.",
    };
}
