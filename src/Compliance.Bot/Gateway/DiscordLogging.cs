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
            logger.Log(level, message.Exception, "Discord.Net {Source}: {Message}", message.Source, message.Message);
        }
        return Task.CompletedTask;
    }
}
