using System.Globalization;
using System.Text.Json.Nodes;
using Discord;

namespace Compliance.Bot.Gateway;

/// <summary>
/// <c>nonce</c> + <c>enforce_nonce</c> on channel message posts, which Discord.Net 3.20.1 cannot send: its
/// <c>CreateMessageParams</c> has a <c>nonce</c> that <c>SendMessageAsync</c> never sets and no <c>enforce_nonce</c>
/// at all, and <see cref="RequestOptions"/> has no per-request headers. A post that timed out or got a 502 may have
/// landed; with <c>enforce_nonce</c> Discord answers a retry carrying the same nonce with the first message instead
/// of posting a second one. So the bot puts the nonce in <see cref="RequestOptions.AuditLogReason"/> (the one
/// per-request string Discord.Net hands its REST client, and meaningless on a message post), and
/// <see cref="InteractionSafeRestClient"/> takes it out of the headers and into the JSON body. Discord.Net re-sends
/// the same request on a timeout or 502 (<see cref="RetryMode.AlwaysRetry"/>), so every attempt carries the same
/// nonce, and Discord.Net's rate-limit buckets still apply.
/// </summary>
public static class EnforcedNonce
{
    private const string Marker = "compliance-enforce-nonce:";

    /// <summary>Options for one channel post: retried after timeouts and 502s, deduplicated by a fresh nonce.</summary>
    public static RequestOptions Options(CancellationToken cancellationToken) => new()
    {
        CancelToken = cancellationToken,
        RetryMode = RetryMode.AlwaysRetry,
        // Discord allows nonces of up to 25 characters; a positive 63-bit number has at most 19 digits.
        AuditLogReason = Marker + Random.Shared.NextInt64(1, long.MaxValue).ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>
    /// For <c>POST channels/{id}/messages</c> marked by <see cref="Options"/>: the body with <c>nonce</c> and
    /// <c>enforce_nonce: true</c> added, and no audit-log reason. Anything else passes unchanged.
    /// </summary>
    internal static (string Json, string? Reason) Apply(string method, string endpoint, string json, string? reason)
    {
        if (reason is null || !reason.StartsWith(Marker, StringComparison.Ordinal) || method != "POST" || !IsChannelMessagePost(endpoint)
            || JsonNode.Parse(json) is not JsonObject body)
        {
            return (json, reason);
        }
        body["nonce"] = reason[Marker.Length..];
        body["enforce_nonce"] = true;
        return (body.ToJsonString(), null);
    }

    private static bool IsChannelMessagePost(string endpoint)
    {
        var path = endpoint.Split('?')[0];
        return path.StartsWith("channels/", StringComparison.Ordinal) && path.EndsWith("/messages", StringComparison.Ordinal) && path.Count(c => c == '/') == 2;
    }
}
