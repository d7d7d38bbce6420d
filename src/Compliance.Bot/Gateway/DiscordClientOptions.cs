using Discord;

namespace Compliance.Bot.Gateway;

/// <summary>
/// Where Discord is and what the bot asks of it (section <c>Discord</c>). Production leaves the URLs empty:
/// Discord.Net talks to https://discord.com/api/v10/ and discovers the gateway with <c>GET /gateway/bot</c>.
/// Tests point both at the fake Discord.
/// </summary>
public sealed class DiscordClientOptions
{
    public const string SectionName = "Discord";

    /// <summary>REST base URL replacing Discord's (<c>https://discord.com/api/v10/</c>); tests use the fake's.</summary>
    public Uri? ApiBaseUrl { get; set; }

    /// <summary>
    /// Gateway URL to connect to instead of the one <c>GET /gateway/bot</c> names; <c>?v=10&amp;encoding=json</c> is
    /// added when it has no query. Empty in production (discovery also honours the session start limit).
    /// </summary>
    public Uri? GatewayUrl { get; set; }

    /// <summary>
    /// Gateway intents (<c>DISCORD_INTENTS</c> or <c>Discord__Intents</c>, names separated by commas). The default
    /// delivers guild and DM messages for follow-ups; the text of a guild message arrives only when it mentions the
    /// bot. Adding <c>MessageContent</c> (privileged: enable it in the Developer Portal first) also lets the bot
    /// read replies to its answers that do not mention it.
    /// </summary>
    public GatewayIntents Intents { get; set; } = DefaultIntents;

    public const GatewayIntents DefaultIntents = GatewayIntents.Guilds | GatewayIntents.GuildMessages | GatewayIntents.DirectMessages;

    /// <summary>The gateway URL with the version and encoding Discord requires.</summary>
    internal string? GatewayHost => GatewayUrl is null ? null
        : string.IsNullOrEmpty(GatewayUrl.Query) ? GatewayUrl.ToString().TrimEnd('/') + "?v=10&encoding=json" : GatewayUrl.ToString();
}
