using System.Globalization;

namespace Compliance.Discord.Models;

/// <summary>A channel or webhook message (partial).</summary>
public sealed record Message
{
    public ulong Id { get; init; }
    public ulong ChannelId { get; init; }
    public ulong? GuildId { get; init; }
    public User? Author { get; init; }
    public GuildMember? Member { get; init; }
    public string Content { get; init; } = "";
    public DateTimeOffset? Timestamp { get; init; }
    public DateTimeOffset? EditedTimestamp { get; init; }
    public IReadOnlyList<User>? Mentions { get; init; }
    public IReadOnlyList<ulong>? MentionRoles { get; init; }
    public IReadOnlyList<Embed>? Embeds { get; init; }
    public IReadOnlyList<MessageComponent>? Components { get; init; }
    public int Type { get; init; }
    public int? Flags { get; init; }
    public ulong? WebhookId { get; init; }
    public ulong? ApplicationId { get; init; }
    public MessageReference? MessageReference { get; init; }
    public Message? ReferencedMessage { get; init; }
    public int? ChannelType { get; init; }

    /// <summary>
    /// True when the message pings <paramref name="userId"/>: listed in <c>mentions</c>, or written as
    /// <c>&lt;@id&gt;</c> / the deprecated <c>&lt;@!id&gt;</c> in the content.
    /// </summary>
    public bool MentionsUser(ulong userId)
    {
        if (Mentions?.Any(u => u.Id == userId) == true)
        {
            return true;
        }
        var id = userId.ToString(CultureInfo.InvariantCulture);
        return Content.Contains("<@" + id + ">", StringComparison.Ordinal) || Content.Contains("<@!" + id + ">", StringComparison.Ordinal);
    }
}

/// <summary>Points a reply at another message.</summary>
public sealed record MessageReference
{
    public ulong? MessageId { get; init; }
    public ulong? ChannelId { get; init; }
    public ulong? GuildId { get; init; }

    /// <summary>When false, replying to a deleted message still sends instead of failing.</summary>
    public bool? FailIfNotExists { get; init; }
}

/// <summary>Which pings a message may trigger. <see cref="None"/> is the safe choice for echoing user text.</summary>
public sealed record AllowedMentions
{
    /// <summary>Mention types parsed from content: "users", "roles", "everyone". Empty = nobody is pinged.</summary>
    public IReadOnlyList<string>? Parse { get; init; }
    public IReadOnlyList<ulong>? Users { get; init; }
    public IReadOnlyList<ulong>? Roles { get; init; }
    public bool? RepliedUser { get; init; }

    /// <summary>Pings nobody, not even the replied-to user.</summary>
    public static AllowedMentions None { get; } = new() { Parse = [], RepliedUser = false };
}

/// <summary>Message flag bits the bot uses.</summary>
[Flags]
#pragma warning disable CA1711 // Discord calls this field "flags".
public enum MessageFlags
{
    None = 0,
    SuppressEmbeds = 1 << 2,
    /// <summary>Only the invoking user sees the message (interaction responses only).</summary>
    Ephemeral = 1 << 6,
    /// <summary>Set by Discord on a deferred response still "thinking".</summary>
    Loading = 1 << 7,
    SuppressNotifications = 1 << 12,
    IsComponentsV2 = 1 << 15,
}
#pragma warning restore CA1711

/// <summary>Body of <c>POST /channels/{id}/messages</c>.</summary>
public sealed record MessageCreate
{
    public string? Content { get; init; }
    public IReadOnlyList<Embed>? Embeds { get; init; }
    public IReadOnlyList<MessageComponent>? Components { get; init; }
    public AllowedMentions? AllowedMentions { get; init; }
    public MessageReference? MessageReference { get; init; }
    public MessageFlags? Flags { get; init; }
    public bool? Tts { get; init; }
    public string? Nonce { get; init; }
}

/// <summary>
/// Body of an edit of a webhook/interaction message (<c>PATCH …/messages/@original</c> or a followup) and of a
/// followup create. Absent fields stay unchanged; an empty list clears embeds or components.
/// </summary>
public sealed record WebhookMessage
{
    public string? Content { get; init; }
    public IReadOnlyList<Embed>? Embeds { get; init; }
    public IReadOnlyList<MessageComponent>? Components { get; init; }
    public AllowedMentions? AllowedMentions { get; init; }

    /// <summary>For a followup create, <see cref="MessageFlags.Ephemeral"/> makes it private.</summary>
    public MessageFlags? Flags { get; init; }
}
