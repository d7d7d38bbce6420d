namespace Compliance.Discord.Models;

// Member names are Discord's documented option type names.
#pragma warning disable CA1720
public enum ApplicationCommandOptionType
{
    SubCommand = 1,
    SubCommandGroup = 2,
    String = 3,
    Integer = 4,
    Boolean = 5,
    User = 6,
    Channel = 7,
    Role = 8,
    Mentionable = 9,
    Number = 10,
    Attachment = 11,
}
#pragma warning restore CA1720

/// <summary>An application command definition (sent in bulk overwrite, returned with ids).</summary>
public sealed record ApplicationCommand
{
    public ulong? Id { get; init; }
    public ulong? ApplicationId { get; init; }
    public ulong? GuildId { get; init; }

    /// <summary>1 = CHAT_INPUT (slash), 2 = USER, 3 = MESSAGE.</summary>
    public int? Type { get; init; }
    public string Name { get; init; } = "";
    public string Description { get; init; } = "";
    public IReadOnlyList<ApplicationCommandOption>? Options { get; init; }

    /// <summary>Permission bitfield as a decimal string; "0" = administrators only; absent = everyone.</summary>
    public string? DefaultMemberPermissions { get; init; }

    /// <summary>0 = guild, 1 = bot DM, 2 = private channel (global commands only).</summary>
    public IReadOnlyList<int>? Contexts { get; init; }

    /// <summary>0 = guild install, 1 = user install.</summary>
    public IReadOnlyList<int>? IntegrationTypes { get; init; }
    public bool? Nsfw { get; init; }
    public ulong? Version { get; init; }
}

public sealed record ApplicationCommandOption
{
    public ApplicationCommandOptionType Type { get; init; }
    public string Name { get; init; } = "";
    public string Description { get; init; } = "";
    public bool? Required { get; init; }
    public IReadOnlyList<ApplicationCommandChoice>? Choices { get; init; }
    public IReadOnlyList<ApplicationCommandOption>? Options { get; init; }
    public double? MinValue { get; init; }
    public double? MaxValue { get; init; }
    public int? MinLength { get; init; }
    public int? MaxLength { get; init; }
    public bool? Autocomplete { get; init; }
    public IReadOnlyList<int>? ChannelTypes { get; init; }
}

/// <summary>A fixed choice; <see cref="Value"/> is a string, long or double matching the option type.</summary>
public sealed record ApplicationCommandChoice(string Name, object Value);
