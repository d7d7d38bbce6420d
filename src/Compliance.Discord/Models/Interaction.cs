using System.Text.Json;

namespace Compliance.Discord.Models;

public enum InteractionType
{
    Ping = 1,
    ApplicationCommand = 2,
    MessageComponent = 3,
    ApplicationCommandAutocomplete = 4,
    ModalSubmit = 5,
}

/// <summary>Where an interaction was triggered.</summary>
public enum InteractionContextType
{
    Guild = 0,
    BotDm = 1,
    PrivateChannel = 2,
}

/// <summary>An interaction from <c>INTERACTION_CREATE</c>.</summary>
public sealed record Interaction
{
    public ulong Id { get; init; }
    public ulong ApplicationId { get; init; }
    public InteractionType Type { get; init; }
    public InteractionData? Data { get; init; }
    public ulong? GuildId { get; init; }
    public Channel? Channel { get; init; }
    public ulong? ChannelId { get; init; }

    /// <summary>Present in guilds.</summary>
    public GuildMember? Member { get; init; }

    /// <summary>Present only in DMs.</summary>
    public User? User { get; init; }

    /// <summary>The interaction token: a credential for 15 minutes. Never log it.</summary>
    public string Token { get; init; } = "";
    public int Version { get; init; }

    /// <summary>For component interactions: the message the component is attached to.</summary>
    public Message? Message { get; init; }
    public string? AppPermissions { get; init; }
    public string? Locale { get; init; }
    public string? GuildLocale { get; init; }
    public InteractionContextType? Context { get; init; }

    /// <summary>The invoking user: <c>member.user</c> in a guild, <c>user</c> in a DM.</summary>
    public User? InvokingUser => Member?.User ?? User;

    /// <summary>True when invoked in a guild (a member is present).</summary>
    public bool IsInGuild => Member is not null || GuildId is not null;

    public override string ToString() => $"Interaction {Id} type {Type}"; // never the token
}

/// <summary>The <c>data</c> of an interaction: command fields, component fields or modal fields.</summary>
public sealed record InteractionData
{
    public ulong? Id { get; init; }
    public string? Name { get; init; }
    public int? Type { get; init; }
    public IReadOnlyList<InteractionOption>? Options { get; init; }
    public ulong? GuildId { get; init; }
    public JsonElement? Resolved { get; init; }

    /// <summary>Component or modal custom id.</summary>
    public string? CustomId { get; init; }
    public ComponentType? ComponentType { get; init; }
    public IReadOnlyList<string>? Values { get; init; }

    /// <summary>Modal submit components (labels or legacy action rows wrapping text inputs).</summary>
    public IReadOnlyList<MessageComponent>? Components { get; init; }

    /// <summary>The option named <paramref name="name"/> at the top level, or null when omitted.</summary>
    public InteractionOption? GetOption(string name) => Options?.FirstOrDefault(o => string.Equals(o.Name, name, StringComparison.Ordinal));

    /// <summary>The submitted value of the modal text input <paramref name="customId"/>, or null.</summary>
    public string? GetTextInputValue(string customId)
    {
        return Find(Components);

        string? Find(IReadOnlyList<MessageComponent>? components)
        {
            foreach (var component in components ?? [])
            {
                if (component.Type == Models.ComponentType.TextInput && component.CustomId == customId)
                {
                    return component.Value;
                }
                var nested = component.Component is { } child ? Find([child]) : Find(component.Components);
                if (nested is not null)
                {
                    return nested;
                }
            }
            return null;
        }
    }
}

/// <summary>A command option as received; <see cref="Value"/> is a string, integer, double or boolean.</summary>
public sealed record InteractionOption
{
    public string Name { get; init; } = "";
    public ApplicationCommandOptionType Type { get; init; }
    public JsonElement? Value { get; init; }
    public IReadOnlyList<InteractionOption>? Options { get; init; }
    public bool? Focused { get; init; }

    public string? AsString() => Value is { ValueKind: JsonValueKind.String } v ? v.GetString() : null;

    public long? AsInt64() => Value is { ValueKind: JsonValueKind.Number } v && v.TryGetInt64(out var n) ? n : null;

    public double? AsDouble() => Value is { ValueKind: JsonValueKind.Number } v ? v.GetDouble() : null;

    public bool? AsBoolean() => Value is { ValueKind: JsonValueKind.True or JsonValueKind.False } v ? v.GetBoolean() : null;
}
