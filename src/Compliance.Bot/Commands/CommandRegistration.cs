using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Compliance.Discord.Json;
using Compliance.Discord.Models;
using Compliance.Discord.Rest;
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
/// The state file holds the SHA-256 of the definitions' JSON and the ids and versions Discord gave back. On start:
/// GET the current commands; if the hash matches and Discord still has the recorded ids and versions (nobody edited
/// them), or if Discord's commands already carry every field we would send, nothing is written; otherwise one PUT.
/// </summary>
public sealed class CommandRegistration(DiscordRestClient rest, ILogger<CommandRegistration> logger)
{
    /// <summary>Ensures Discord has <paramref name="commands"/> for the application, in a guild or globally.</summary>
    public async Task<CommandRegistrationOutcome> EnsureRegisteredAsync(ulong applicationId, ulong? guildId, IReadOnlyList<ApplicationCommand> commands, string stateFile, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(commands);
        var desired = JsonSerializer.SerializeToNode(commands, DiscordJson.Options)!.AsArray();
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(desired.ToJsonString())));
        var scope = guildId is { } g ? $"guild {g}" : "global";

        var current = guildId is { } guild
            ? await rest.GetGuildCommandsAsync(applicationId, guild, cancellationToken)
            : await rest.GetGlobalCommandsAsync(applicationId, cancellationToken);

        var state = ReadState(stateFile);
        if (state is not null && state.Hash == hash && state.Scope == scope && SameIdentities(state.Commands, current))
        {
            logger.LogInformation("Commands unchanged ({Scope}, hash {Hash}); not registering", scope, hash[..12]);
            return CommandRegistrationOutcome.Unchanged;
        }
        if (Covers(JsonSerializer.SerializeToNode(current, DiscordJson.Options)!.AsArray(), desired))
        {
            logger.LogInformation("Discord already has these commands ({Scope}); recording hash {Hash}", scope, hash[..12]);
            WriteState(stateFile, new CommandState(hash, scope, Identities(current)));
            return CommandRegistrationOutcome.Unchanged;
        }

        var registered = guildId is { } target
            ? await rest.BulkOverwriteGuildCommandsAsync(applicationId, target, commands, cancellationToken)
            : await rest.BulkOverwriteGlobalCommandsAsync(applicationId, commands, cancellationToken);
        WriteState(stateFile, new CommandState(hash, scope, Identities(registered)));
        logger.LogInformation("Registered {Count} commands ({Scope}, hash {Hash})", registered.Count, scope, hash[..12]);
        return CommandRegistrationOutcome.Overwritten;
    }

    /// <summary>The default state file: the temp directory, one file per application and scope.</summary>
    public static string DefaultStateFile(ulong applicationId, ulong? guildId) =>
        Path.Combine(Path.GetTempPath(), $"compliance-bot-commands-{applicationId}-{(guildId is { } g ? g.ToString(System.Globalization.CultureInfo.InvariantCulture) : "global")}.json");

    /// <summary>
    /// True when every command we want exists on Discord with every field we send equal (Discord adds fields of its
    /// own, such as ids, versions and defaults, which are ignored), and Discord has no extra commands.
    /// </summary>
    internal static bool Covers(JsonArray current, JsonArray desired)
    {
        if (current.Count != desired.Count)
        {
            return false;
        }
        foreach (var want in desired.OfType<JsonObject>())
        {
            var name = want["name"]?.GetValue<string>();
            var have = current.OfType<JsonObject>().FirstOrDefault(c => c["name"]?.GetValue<string>() == name);
            if (have is null || !Contains(have, want))
            {
                return false;
            }
        }
        return true;
    }

    private static bool Contains(JsonNode? have, JsonNode? want)
    {
        switch (want)
        {
            case JsonObject wantObject:
                return have is JsonObject haveObject && wantObject.All(p => Contains(haveObject[p.Key], p.Value));
            case JsonArray wantArray:
                return have is JsonArray haveArray && haveArray.Count == wantArray.Count && wantArray.Select((w, i) => Contains(haveArray[i], w)).All(x => x);
            default:
                return JsonNode.DeepEquals(have, want);
        }
    }

    private static bool SameIdentities(IReadOnlyList<string> recorded, IReadOnlyList<ApplicationCommand> current) =>
        recorded.Order(StringComparer.Ordinal).SequenceEqual(Identities(current).Order(StringComparer.Ordinal), StringComparer.Ordinal);

    private static List<string> Identities(IReadOnlyList<ApplicationCommand> commands) =>
        [.. commands.Select(c => $"{c.Name}:{c.Id}:{c.Version}")];

    private CommandState? ReadState(string path)
    {
        try
        {
            return File.Exists(path) ? JsonSerializer.Deserialize<CommandState>(File.ReadAllText(path)) : null;
        }
        catch (Exception ex) when (ex is IOException or JsonException or UnauthorizedAccessException)
        {
            logger.LogWarning("Ignoring the unreadable command state file {Path}: {Error}", path, ex.GetType().Name);
            return null;
        }
    }

    private void WriteState(string path, CommandState state)
    {
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            var temporary = path + ".tmp";
            File.WriteAllText(temporary, JsonSerializer.Serialize(state));
            File.Move(temporary, path, overwrite: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Losing the file only costs one comparison with Discord's copy on the next start.
            logger.LogWarning("Could not write the command state file {Path}: {Error}", path, ex.GetType().Name);
        }
    }

    internal sealed record CommandState(string Hash, string Scope, IReadOnlyList<string> Commands);
}
