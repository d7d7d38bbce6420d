using System.Text.Json.Nodes;

namespace Compliance.Testing.FakeDiscord;

/// <summary>
/// The privileged MESSAGE_CONTENT intent (1 &lt;&lt; 15), as Discord applies it to MESSAGE_CREATE and MESSAGE_UPDATE
/// (gateway docs §Message Content Intent): without it, <c>content</c>, <c>embeds</c>, <c>attachments</c> and
/// <c>components</c> arrive empty and <c>poll</c> is left out, except for the bot's own messages, DMs with the bot,
/// and messages that mention the bot.
/// </summary>
public static class FakeMessageContent
{
    /// <summary>MESSAGE_CONTENT.</summary>
    public const long Intent = 1L << 15;

    /// <summary>The dispatch data as a session with <paramref name="intents"/> receives it.</summary>
    public static JsonNode AsDelivered(string eventName, JsonNode data, long intents, ulong botUserId)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (eventName is not ("MESSAGE_CREATE" or "MESSAGE_UPDATE") || (intents & Intent) != 0 || data is not JsonObject message)
        {
            return data;
        }
        return Blank(message, botUserId, partial: eventName == "MESSAGE_UPDATE");
    }

    private static JsonObject Blank(JsonObject message, ulong botUserId, bool partial)
    {
        var blanked = (JsonObject)message.DeepClone();
        // A reply carries the message it answers, a message object of its own under the same rule.
        if (blanked["referenced_message"] is JsonObject referenced)
        {
            blanked["referenced_message"] = Blank(referenced, botUserId, partial: false);
        }
        if (IsVisibleWithoutIntent(message, botUserId))
        {
            return blanked;
        }
        // MESSAGE_UPDATE may be partial: blank only the fields it carries.
        if (blanked.ContainsKey("content") || !partial)
        {
            blanked["content"] = "";
        }
        foreach (var field in (string[])["embeds", "attachments", "components"])
        {
            if (blanked.ContainsKey(field) || !partial)
            {
                blanked[field] = new JsonArray();
            }
        }
        // Discord leaves the poll out altogether rather than sending it empty (discord-api-docs PR #6869).
        blanked.Remove("poll");
        return blanked;
    }

    private static bool IsVisibleWithoutIntent(JsonObject message, ulong botUserId)
    {
        var bot = botUserId.ToId();
        if (message["author"]?["id"]?.GetValue<string>() == bot)
        {
            return true;
        }
        // A DM carries no guild_id.
        if (message["guild_id"] is null)
        {
            return true;
        }
        return message["mentions"] is JsonArray mentions && mentions.Any(m => m?["id"]?.GetValue<string>() == bot);
    }
}
