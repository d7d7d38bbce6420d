using System.Text.Json;
using System.Text.Json.Nodes;

namespace Compliance.Testing.FakeDiscord;

/// <summary>
/// <c>nonce</c> + <c>enforce_nonce</c> on Create Message: "If true and nonce is present, it will be checked for
/// uniqueness in the past few minutes. If another message was created by the same author with the same nonce, that
/// message will be returned and no new message will be created." The bot is the only author posting to the fake,
/// so nonces are kept per fake; the window is <see cref="FakeDiscordOptions.EnforcedNonceWindow"/>.
/// </summary>
internal sealed class FakeNonces(FakeDiscordOptions options, TimeProvider clock)
{
    private readonly Dictionary<string, (JsonObject Message, DateTimeOffset CreatedAt)> _byNonce = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    /// <summary>The nonce as a key: strings and integers are both valid nonces, and "1" is not 1.</summary>
    public static string? Key(JsonNode? nonce) => nonce is JsonValue value
        ? value.GetValueKind() switch
        {
            JsonValueKind.String => "s:" + value.GetValue<string>(),
            JsonValueKind.Number => "n:" + value.ToJsonString(),
            _ => null,
        }
        : null;

    public static bool Enforced(JsonObject body) => body["enforce_nonce"] is JsonValue v && v.GetValueKind() == JsonValueKind.True;

    /// <summary>The message created earlier with this nonce, if it is still within the window.</summary>
    public JsonObject? Earlier(string nonce)
    {
        lock (_gate)
        {
            return _byNonce.TryGetValue(nonce, out var entry) && clock.GetUtcNow() - entry.CreatedAt <= options.EnforcedNonceWindow
                ? (JsonObject)entry.Message.DeepClone()
                : null;
        }
    }

    public void Remember(string nonce, JsonObject message)
    {
        lock (_gate)
        {
            _byNonce[nonce] = ((JsonObject)message.DeepClone(), clock.GetUtcNow());
        }
    }
}
