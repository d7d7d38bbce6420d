using System.Text.Json.Nodes;
using Compliance.Testing.FakeDiscord;

namespace Compliance.Bot.Tests.Infrastructure;

/// <summary>Reading the message objects the fake Discord stores.</summary>
public static class Messages
{
    public static string Content(this JsonObject message) => message["content"]?.GetValue<string>() ?? "";

    public static int Flags(this JsonObject message) => message["flags"]?.GetValue<int>() ?? 0;

    public static bool IsEphemeral(this JsonObject message) => (message.Flags() & 64) != 0;

    public static JsonObject? Embed(this JsonObject message) => (message["embeds"] as JsonArray)?.FirstOrDefault() as JsonObject;

    public static IReadOnlyList<JsonObject> Buttons(this JsonObject message) =>
        [.. (message["components"] as JsonArray ?? []).OfType<JsonObject>().SelectMany(row => (row["components"] as JsonArray ?? []).OfType<JsonObject>())];

    public static string CustomId(this JsonObject button) => button["custom_id"]!.GetValue<string>();

    /// <summary>True when the message asked Discord to ping nobody.</summary>
    public static bool PingsNobody(this JsonObject message) =>
        message["allowed_mentions"] is JsonObject mentions && mentions["parse"] is JsonArray { Count: 0 };

    /// <summary>The query id carried by an answer's buttons.</summary>
    public static Guid QueryId(this JsonObject answer) => Guid.ParseExact(answer.Buttons()[0].CustomId().Split(':')[2], "N");

    public static (string Name, int Type, JsonNode? Value)[] Question(string text, bool? answerPrivately = null) =>
        answerPrivately is { } value
            ? [("question", 3, JsonValue.Create(text)), ("private", 5, JsonValue.Create(value))]
            : [("question", 3, JsonValue.Create(text))];

    /// <summary>The message that ends the interaction: the final original, or the last private followup when the answer moved.</summary>
    public static JsonObject Final(this FakeInteraction interaction) =>
        interaction.OriginalMessage ?? interaction.FollowupMessages.Values.OrderBy(m => ulong.Parse(m["id"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture)).Last();
}
