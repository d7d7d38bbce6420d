using Compliance.Contracts.Questions;

namespace Compliance.AnswerEvaluation.Running;

/// <summary>How one question ended, as the evaluation classifies it.</summary>
internal enum OutcomeKind
{
    /// <summary>Status <c>answered</c>.</summary>
    Answered,

    /// <summary>Status <c>uncertain</c>: an answer shown with a warning (no valid citation). Still an answer, not a refusal.</summary>
    Uncertain,

    /// <summary>Status <c>refused</c>: the policies do not cover the question.</summary>
    Refused,

    /// <summary>Status <c>rate_limited</c> or HTTP 429: a daily cap or budget stopped the question.</summary>
    RateLimited,

    /// <summary>Status <c>error</c>, an HTTP error, an unreadable body or no answer at all.</summary>
    Error,
}

/// <summary>
/// What the API did with one question: its response (null when the request failed), the error in words otherwise,
/// and the round trip measured by the client.
/// </summary>
internal sealed record QueryOutcome(int? HttpStatus, QueryResponse? Response, string? Error, double ClientMilliseconds)
{
    public OutcomeKind Kind => Response?.Status switch
    {
        QueryStatuses.Answered => OutcomeKind.Answered,
        QueryStatuses.Uncertain => OutcomeKind.Uncertain,
        QueryStatuses.Refused => OutcomeKind.Refused,
        QueryStatuses.RateLimited => OutcomeKind.RateLimited,
        null when HttpStatus == 429 => OutcomeKind.RateLimited,
        _ => OutcomeKind.Error,
    };
}
