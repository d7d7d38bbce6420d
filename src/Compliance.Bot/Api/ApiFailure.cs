namespace Compliance.Bot.Api;

/// <summary>Why an API call did not give an answer, in the categories the user is told about.</summary>
public enum ApiFailureKind
{
    /// <summary>429: the user (or the bot) asked too often.</summary>
    RateLimited,
    /// <summary>401: the API refused the bot's service token (a deployment mistake).</summary>
    Unauthorized,
    /// <summary>403: the user may not do this (banned, or not a reviewer/admin).</summary>
    Forbidden,
    /// <summary>404: nothing to act on (no answer to rate, unknown conversation) or the endpoint is missing.</summary>
    NotFound,
    /// <summary>400/422: the API rejected the input.</summary>
    Rejected,
    /// <summary>5xx.</summary>
    ServerError,
    /// <summary>No answer within the time limit.</summary>
    Timeout,
    /// <summary>Network failure, or the circuit breaker is open after repeated failures.</summary>
    Unavailable,
}

/// <summary>
/// A failed API call: <see cref="UserMessage"/> is plain words the bot shows as is; nothing in it comes from a
/// stack trace, and the API's own <c>detail</c> is included only where it is written for users (429, 403, 4xx).
/// </summary>
public sealed record ApiFailure(ApiFailureKind Kind, string UserMessage, int? StatusCode = null, TimeSpan? RetryAfter = null)
{
    public static ApiFailure Timeout() =>
        new(ApiFailureKind.Timeout, "The compliance service took too long to answer. Please try again in a moment.");

    public static ApiFailure Unavailable() =>
        new(ApiFailureKind.Unavailable, "The compliance service is unavailable right now. Please try again in a few minutes.");

    public static ApiFailure CircuitOpen() =>
        new(ApiFailureKind.Unavailable, "The compliance service is having trouble, so I've paused asking it for a moment. Please try again in a minute.");

    public static ApiFailure ServerError(int status) =>
        new(ApiFailureKind.ServerError, "The compliance service ran into a problem answering that. Please try again shortly.", status);
}

/// <summary>The result of an API call: a value or an <see cref="ApiFailure"/>.</summary>
public readonly record struct ApiResult<T>(T? Value, ApiFailure? Failure)
{
    public bool Succeeded => Failure is null;

    public static implicit operator ApiResult<T>(ApiFailure failure) => new(default, failure);
}

/// <summary>Builds successful <see cref="ApiResult{T}"/> values.</summary>
public static class ApiResult
{
    public static ApiResult<T> Ok<T>(T value) => new(value, null);
}
