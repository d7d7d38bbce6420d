using System.Globalization;
using Discord;
using Discord.WebSocket;
using Microsoft.Extensions.Logging;

namespace Compliance.Bot.Commands;

/// <summary>What <see cref="CommandRegistration.EnsureRegisteredAsync"/> did.</summary>
public enum CommandRegistrationOutcome
{
    /// <summary>Discord already had these definitions; nothing was written.</summary>
    Unchanged,
    /// <summary>The definitions were written with one bulk overwrite.</summary>
    Overwritten,
}

/// <summary>
/// Registers the commands by bulk overwrite only when they changed, to stay far from Discord's 200 creates a day.
/// Discord.Net's <c>InteractionService.RegisterCommands*Async</c> overwrites on every start; instead the bot reads
/// Discord's copy (guild or global) and writes only when a command is missing, extra, or differs in a field the
/// bot sends (Discord's own additions, such as ids, versions and defaults, are ignored). So a restart, or a fresh
/// container, writes nothing, and an edit made by someone else is put right.
/// </summary>
public sealed class CommandRegistration(DiscordSocketClient client, ILogger<CommandRegistration> logger)
{
    /// <summary>Ensures Discord has <paramref name="commands"/> for the application, in a guild or globally.</summary>
    public async Task<CommandRegistrationOutcome> EnsureRegisteredAsync(ulong? guildId, IReadOnlyList<ApplicationCommandProperties> commands, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(commands);
        var options = new RequestOptions { CancelToken = cancellationToken };
        var scope = guildId is { } g ? "guild " + g.ToString(CultureInfo.InvariantCulture) : "global";
        IReadOnlyCollection<IApplicationCommand> current = guildId is { } guild
            ? await client.Rest.GetGuildApplicationCommands(guild, options: options)
            : await client.Rest.GetGlobalApplicationCommands(options: options);

        if (Covers(current, commands))
        {
            logger.LogInformation("Commands unchanged ({Scope}); not registering", scope);
            return CommandRegistrationOutcome.Unchanged;
        }
        ApplicationCommandProperties[] desired = [.. commands];
        IReadOnlyCollection<IApplicationCommand> registered = guildId is { } target
            ? await client.Rest.BulkOverwriteGuildCommands(desired, target, options)
            : await client.Rest.BulkOverwriteGlobalCommands(desired, options);
        logger.LogInformation("Registered {Count} commands ({Scope})", registered.Count, scope);
        return CommandRegistrationOutcome.Overwritten;
    }

    /// <summary>True when Discord has exactly these commands, with every field the bot sends equal.</summary>
    internal static bool Covers(IReadOnlyCollection<IApplicationCommand> current, IReadOnlyList<ApplicationCommandProperties> desired) =>
        current.Count == desired.Count
        && desired.All(want => current.FirstOrDefault(have => have.Name == want.Name.GetValueOrDefault()) is { } have && Shape(have) == Shape(want));

    /// <summary>The fields the bot sends, in one comparable string.</summary>
    internal static string Shape(ApplicationCommandProperties command) => string.Join('|',
        Kind(command),
        command.Name.GetValueOrDefault(),
        // Context-menu commands have no description (Discord answers with an empty one).
        (command as SlashCommandProperties)?.Description.GetValueOrDefault() ?? "",
        command.DefaultMemberPermissions.IsSpecified ? ((ulong)command.DefaultMemberPermissions.Value).ToString(CultureInfo.InvariantCulture) : "",
        command.ContextTypes.IsSpecified && command.ContextTypes.Value is { } contexts ? string.Join(',', contexts.Order()) : "",
        string.Join(';', (command is SlashCommandProperties { Options.IsSpecified: true } slash ? slash.Options.Value : []).Select(o => Option(o.Name, o.Description, o.Type, o.IsRequired ?? false, o.IsAutocomplete, o.MinLength, o.MaxLength, o.MinValue, o.MaxValue))));

    internal static string Shape(IApplicationCommand command) => string.Join('|',
        command.Type,
        command.Name,
        command.Description ?? "",
        command.DefaultMemberPermissions.RawValue == 0 ? "" : command.DefaultMemberPermissions.RawValue.ToString(CultureInfo.InvariantCulture),
        command.ContextTypes is { Count: > 0 } contexts ? string.Join(',', contexts.Order()) : "",
        string.Join(';', command.Options.Select(o => Option(o.Name, o.Description, o.Type, o.IsRequired ?? false, o.IsAutocomplete ?? false, o.MinLength, o.MaxLength, o.MinValue, o.MaxValue))));

    private static ApplicationCommandType Kind(ApplicationCommandProperties command) => command switch
    {
        MessageCommandProperties => ApplicationCommandType.Message,
        UserCommandProperties => ApplicationCommandType.User,
        _ => ApplicationCommandType.Slash,
    };

    private static string Option(string name, string description, ApplicationCommandOptionType type, bool required, bool autocomplete, int? minLength, int? maxLength, double? minValue, double? maxValue) =>
        string.Create(CultureInfo.InvariantCulture, $"{name}:{description}:{type}:{required}:{autocomplete}:{minLength}:{maxLength}:{minValue}:{maxValue}");
}
