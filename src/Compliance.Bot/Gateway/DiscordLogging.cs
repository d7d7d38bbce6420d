using Discord;

namespace Compliance.Bot.Gateway;

/// <summary>
/// Discord.Net's log messages into the host's logging. Its verbose and debug output (request lines carry
/// interaction tokens in their paths) never reaches our logs: the client is created with <see cref="LogSeverity.Info"/>,
/// and anything below is dropped here too.
/// </summary>
internal static class DiscordLogging
{
    public static Task WriteAsync(ILogger logger, LogMessage message)
    {
        var level = message.Severity switch
        {
            LogSeverity.Critical => LogLevel.Critical,
            LogSeverity.Error => LogLevel.Error,
            LogSeverity.Warning => LogLevel.Warning,
            LogSeverity.Info => LogLevel.Information,
            _ => LogLevel.None,
        };
        if (level != LogLevel.None && logger.IsEnabled(level))
        {
#pragma warning disable CA2254 // Discord.Net's message is the template: it has no placeholders of its own.
            logger.Log(level, message.Exception, "Discord.Net {Source}: {Message}", message.Source, message.Message);
#pragma warning restore CA2254
        }
        return Task.CompletedTask;
    }
}

/// <summary>The OAuth2 URL that adds the bot to a server with the scopes and permissions it needs.</summary>
public static class InviteUrl
{
    /// <summary>
    /// View Channels (1 &lt;&lt; 10), Send Messages (1 &lt;&lt; 11), Embed Links (1 &lt;&lt; 14), Read Message History
    /// (1 &lt;&lt; 16) and Send Messages in Threads (1 &lt;&lt; 38): what follow-up replies need. Slash-command answers
    /// need no channel permission (they are interaction responses).
    /// </summary>
    public const ulong Permissions = (1UL << 10) | (1UL << 11) | (1UL << 14) | (1UL << 16) | (1UL << 38);

    public static string For(string clientId) =>
        $"https://discord.com/oauth2/authorize?client_id={clientId}&scope=bot+applications.commands&permissions={Permissions}";
}
