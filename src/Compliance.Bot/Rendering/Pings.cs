using Discord;

namespace Compliance.Bot.Rendering;

/// <summary>The <c>allowed_mentions</c> on everything the bot sends: it echoes user and model text, so nobody is pinged.</summary>
public static class Pings
{
    /// <summary>
    /// <c>{"parse":[],"replied_user":false}</c>. Discord.Net's <c>AllowedMentions.None</c> leaves <c>parse</c> null
    /// (sent as <c>"parse":null</c>), so the explicit empty type set is used instead.
    /// </summary>
    public static AllowedMentions None => new(AllowedMentionTypes.None) { MentionRepliedUser = false };
}
