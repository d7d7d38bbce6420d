namespace Compliance.Discord.Gateway;

/// <summary>Gateway intent bits (Identify's <c>intents</c>).</summary>
[Flags]
#pragma warning disable CA1711 // "Intents" is Discord's own name for this bitfield.
public enum GatewayIntents
#pragma warning restore CA1711
{
    None = 0,
    Guilds = 1 << 0,
    /// <summary>Privileged.</summary>
    GuildMembers = 1 << 1,
    GuildModeration = 1 << 2,
    GuildExpressions = 1 << 3,
    GuildIntegrations = 1 << 4,
    GuildWebhooks = 1 << 5,
    GuildInvites = 1 << 6,
    GuildVoiceStates = 1 << 7,
    /// <summary>Privileged.</summary>
    GuildPresences = 1 << 8,
    GuildMessages = 1 << 9,
    GuildMessageReactions = 1 << 10,
    GuildMessageTyping = 1 << 11,
    DirectMessages = 1 << 12,
    DirectMessageReactions = 1 << 13,
    DirectMessageTyping = 1 << 14,
    /// <summary>Privileged. Not needed to read messages that mention the bot or DMs.</summary>
    MessageContent = 1 << 15,
    GuildScheduledEvents = 1 << 16,
    AutoModerationConfiguration = 1 << 20,
    AutoModerationExecution = 1 << 21,
    GuildMessagePolls = 1 << 24,
    DirectMessagePolls = 1 << 25,
}

/// <summary>Facts about intent bits.</summary>
public static class GatewayIntentsExtensions
{
    /// <summary>Every documented intent bit.</summary>
    public const GatewayIntents AllKnown = (GatewayIntents)0b11_0011_0001_1111_1111_1111_1111;

    /// <summary>Intents that must be enabled in the Developer Portal (else the gateway closes with 4014).</summary>
    public const GatewayIntents Privileged = GatewayIntents.GuildMembers | GatewayIntents.GuildPresences | GatewayIntents.MessageContent;
}
