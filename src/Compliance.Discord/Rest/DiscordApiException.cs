using System.Net;
using System.Text.Json;

namespace Compliance.Discord.Rest;

/// <summary>Discord's JSON error codes the bot reacts to (the <c>code</c> field of an error body).</summary>
public enum DiscordErrorCode
{
    General = 0,
    UnknownChannel = 10003,
    UnknownMessage = 10008,
    UnknownWebhook = 10015,
    UnknownInteraction = 10062,
    MaxApplicationCommandCreates = 30034,
    Unauthorized = 40001,
    InteractionAlreadyAcknowledged = 40060,
    MissingAccess = 50001,
    CannotSendEmptyMessage = 50006,
    MissingPermissions = 50013,
    InvalidWebhookToken = 50027,
    InvalidFormBody = 50035,
    InvalidJson = 50109,
}

/// <summary>
/// Discord answered with an error. Carries the HTTP status, Discord's JSON error code and the nested form errors.
/// The message names the route template, never the interaction token in the path.
/// </summary>
public class DiscordApiException : Exception
{
    public DiscordApiException(HttpStatusCode statusCode, int? code, string? discordMessage, JsonElement? errors, string route)
        : base($"Discord {route} failed with {(int)statusCode} {statusCode}" + (code is null ? "" : $", code {code}") + (discordMessage is null ? "" : $": {discordMessage}"))
    {
        StatusCode = statusCode;
        Code = code;
        DiscordMessage = discordMessage;
        Errors = errors;
        Route = route;
    }

    public DiscordApiException() : this("Discord request failed.") { }

    public DiscordApiException(string message) : base(message) => Route = "";

    public DiscordApiException(string message, Exception innerException) : base(message, innerException) => Route = "";

    public HttpStatusCode StatusCode { get; }

    /// <summary>Discord's JSON error code, when the body had one.</summary>
    public int? Code { get; }

    /// <summary><see cref="Code"/> as a known code; <see cref="DiscordErrorCode.General"/> when absent.</summary>
    public DiscordErrorCode ErrorCode => (DiscordErrorCode)(Code ?? 0);

    public string? DiscordMessage { get; }

    /// <summary>The nested <c>errors</c> object of a 50035 response, if any.</summary>
    public JsonElement? Errors { get; }

    /// <summary>Method and route template, e.g. <c>PATCH /webhooks/{application.id}/{token}/messages/@original</c>.</summary>
    public string Route { get; }

    /// <summary>10062: the interaction expired (not acknowledged within 3 s) or never existed.</summary>
    public bool IsUnknownInteraction => ErrorCode == DiscordErrorCode.UnknownInteraction;

    /// <summary>40060: the interaction was already acknowledged.</summary>
    public bool IsAlreadyAcknowledged => ErrorCode == DiscordErrorCode.InteractionAlreadyAcknowledged;
}

/// <summary>A request was still rate limited after the allowed number of waits.</summary>
public sealed class DiscordRateLimitedException : DiscordApiException
{
    public DiscordRateLimitedException(string route, TimeSpan retryAfter, bool global, string? scope)
        : base(HttpStatusCode.TooManyRequests, null, $"still rate limited (retry after {retryAfter.TotalSeconds:0.###} s, scope {scope ?? (global ? "global" : "user")})", null, route)
    {
        RetryAfter = retryAfter;
        Global = global;
        Scope = scope;
    }

    public DiscordRateLimitedException() { }

    public DiscordRateLimitedException(string message) : base(message) { }

    public DiscordRateLimitedException(string message, Exception innerException) : base(message, innerException) { }

    public TimeSpan RetryAfter { get; }

    public bool Global { get; }

    public string? Scope { get; }
}
