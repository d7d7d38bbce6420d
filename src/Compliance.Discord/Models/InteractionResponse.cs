namespace Compliance.Discord.Models;

public enum InteractionCallbackType
{
    Pong = 1,
    ChannelMessageWithSource = 4,
    /// <summary>"Thinking…"; edit <c>@original</c> later. Only the ephemeral flag may be set.</summary>
    DeferredChannelMessageWithSource = 5,
    /// <summary>Components only: acknowledge without changing the message yet.</summary>
    DeferredUpdateMessage = 6,
    /// <summary>Components only: edit the message the component is on.</summary>
    UpdateMessage = 7,
    ApplicationCommandAutocompleteResult = 8,
    Modal = 9,
}

/// <summary>Body of <c>POST /interactions/{id}/{token}/callback</c>.</summary>
public sealed record InteractionResponse
{
    public InteractionCallbackType Type { get; init; }
    public InteractionCallbackData? Data { get; init; }

    /// <summary>Type 4: reply with a message.</summary>
    public static InteractionResponse Reply(InteractionCallbackData data) => new() { Type = InteractionCallbackType.ChannelMessageWithSource, Data = data };

    /// <summary>Type 5: show "thinking…", optionally only to the user.</summary>
    public static InteractionResponse Defer(bool ephemeral) =>
        new() { Type = InteractionCallbackType.DeferredChannelMessageWithSource, Data = ephemeral ? new InteractionCallbackData { Flags = MessageFlags.Ephemeral } : null };

    /// <summary>Type 6: acknowledge a component without changing its message yet.</summary>
    public static InteractionResponse DeferUpdate() => new() { Type = InteractionCallbackType.DeferredUpdateMessage };

    /// <summary>Type 7: edit the component's message.</summary>
    public static InteractionResponse Update(InteractionCallbackData data) => new() { Type = InteractionCallbackType.UpdateMessage, Data = data };

    /// <summary>Type 9: open a modal (components should be labels wrapping text inputs).</summary>
    public static InteractionResponse Modal(string customId, string title, params MessageComponent[] components) =>
        new() { Type = InteractionCallbackType.Modal, Data = new InteractionCallbackData { CustomId = customId, Title = title, Components = components } };
}

/// <summary>Callback data: message fields for types 4/5/7, modal fields for type 9.</summary>
public sealed record InteractionCallbackData
{
    public bool? Tts { get; init; }
    public string? Content { get; init; }
    public IReadOnlyList<Embed>? Embeds { get; init; }
    public AllowedMentions? AllowedMentions { get; init; }
    public MessageFlags? Flags { get; init; }
    public IReadOnlyList<MessageComponent>? Components { get; init; }

    /// <summary>Modal custom id (1–100).</summary>
    public string? CustomId { get; init; }

    /// <summary>Modal title (≤45).</summary>
    public string? Title { get; init; }
}
