namespace Compliance.Discord.Models;

/// <summary>Component types used by the bot.</summary>
public enum ComponentType
{
    ActionRow = 1,
    Button = 2,
    StringSelect = 3,
    TextInput = 4,
    UserSelect = 5,
    RoleSelect = 6,
    MentionableSelect = 7,
    ChannelSelect = 8,
    /// <summary>Wraps one input in a modal, with a label (replaces action rows in modals).</summary>
    Label = 18,
}

public enum ButtonStyle
{
    Primary = 1,
    Secondary = 2,
    Success = 3,
    Danger = 4,
    /// <summary>Opens <c>url</c>; has no custom_id and sends no interaction.</summary>
    Link = 5,
}

public enum TextInputStyle
{
#pragma warning disable CA1720 // Discord's name for a single-line input.
    Short = 1,
#pragma warning restore CA1720
    Paragraph = 2,
}

/// <summary>
/// One message or modal component. Discord's component object is a union keyed by <see cref="Type"/>; one record
/// with optional fields round-trips every kind the bot sends or receives. Build them with the static factories.
/// </summary>
public sealed record MessageComponent
{
    public ComponentType Type { get; init; }

    /// <summary>Optional numeric identifier Discord assigns within a message.</summary>
    public int? Id { get; init; }

    /// <summary>Children of an action row.</summary>
    public IReadOnlyList<MessageComponent>? Components { get; init; }

    /// <summary>The single child of a label.</summary>
    public MessageComponent? Component { get; init; }

    public int? Style { get; init; }
    public string? Label { get; init; }
    public string? CustomId { get; init; }
    public Uri? Url { get; init; }
    public bool? Disabled { get; init; }
    public PartialEmoji? Emoji { get; init; }

    /// <summary>Text input value (in modal submits), or pre-filled value.</summary>
    public string? Value { get; init; }
    public string? Placeholder { get; init; }
    public int? MinLength { get; init; }
    public int? MaxLength { get; init; }
    public bool? Required { get; init; }

    /// <summary>Label description (modals).</summary>
    public string? Description { get; init; }

    /// <summary>Selected values (select menus in component interactions).</summary>
    public IReadOnlyList<string>? Values { get; init; }

    public static MessageComponent ActionRow(params MessageComponent[] children) =>
        new() { Type = ComponentType.ActionRow, Components = children };

    public static MessageComponent Button(ButtonStyle style, string label, string customId, bool disabled = false) =>
        new() { Type = ComponentType.Button, Style = (int)style, Label = label, CustomId = customId, Disabled = disabled ? true : null };

    public static MessageComponent LinkButton(string label, Uri url) =>
        new() { Type = ComponentType.Button, Style = (int)ButtonStyle.Link, Label = label, Url = url };

    public static MessageComponent TextInput(string customId, TextInputStyle style, int? minLength = null, int? maxLength = null, bool required = true, string? placeholder = null) =>
        new() { Type = ComponentType.TextInput, CustomId = customId, Style = (int)style, MinLength = minLength, MaxLength = maxLength, Required = required, Placeholder = placeholder };

    /// <summary>A modal label wrapping one input (the current, non-deprecated modal layout).</summary>
    public static MessageComponent LabelFor(string label, MessageComponent input, string? description = null) =>
        new() { Type = ComponentType.Label, Label = label, Description = description, Component = input };
}

public sealed record PartialEmoji
{
    public ulong? Id { get; init; }
    public string? Name { get; init; }
    public bool? Animated { get; init; }
}
