using Compliance.Discord.Models;

namespace Compliance.Discord.Limits;

/// <summary>
/// Checks outgoing messages against Discord's limits (discord-protocol.md §4) so the bot finds out before
/// Discord answers 400/50035. Lengths are counted the way Discord counts them: in Unicode code points.
/// </summary>
public static class MessageValidator
{
    /// <summary>Code points in <paramref name="text"/> (what Discord's 2,000 limit counts; not UTF-16 units).</summary>
    public static int CountCodePoints(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return 0;
        }
        var count = 0;
        foreach (var _ in text.EnumerateRunes())
        {
            count++;
        }
        return count;
    }

    /// <summary>Validates a channel message; it must have content, embeds or components.</summary>
    public static void Validate(MessageCreate message)
    {
        ArgumentNullException.ThrowIfNull(message);
        ValidateParts(message.Content, message.Embeds, message.Components, message.AllowedMentions);
        RequireSomething(message.Content, message.Embeds, message.Components);
        if (message.Nonce is { Length: > 25 })
        {
            throw new MessageLimitException("nonce", "must be 25 characters or fewer.");
        }
    }

    /// <summary>Validates a webhook/interaction message; a create (followup) must have something to show.</summary>
    public static void Validate(WebhookMessage message, bool isCreate)
    {
        ArgumentNullException.ThrowIfNull(message);
        ValidateParts(message.Content, message.Embeds, message.Components, message.AllowedMentions);
        if (isCreate)
        {
            RequireSomething(message.Content, message.Embeds, message.Components);
        }
    }

    /// <summary>Validates an interaction response for its callback type.</summary>
    public static void Validate(InteractionResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        var data = response.Data;
        switch (response.Type)
        {
            case InteractionCallbackType.ChannelMessageWithSource:
                if (data is null)
                {
                    throw new MessageLimitException("data", "a type 4 response needs message data.");
                }
                ValidateParts(data.Content, data.Embeds, data.Components, data.AllowedMentions);
                RequireSomething(data.Content, data.Embeds, data.Components);
                break;
            case InteractionCallbackType.UpdateMessage when data is not null:
                ValidateParts(data.Content, data.Embeds, data.Components, data.AllowedMentions);
                break;
            case InteractionCallbackType.DeferredChannelMessageWithSource when data is not null:
                if (data.Content is not null || data.Embeds is not null || data.Components is not null || (data.Flags is { } flags && flags != MessageFlags.Ephemeral && flags != MessageFlags.None))
                {
                    throw new MessageLimitException("data", "a deferred response (type 5) may only carry the ephemeral flag.");
                }
                break;
            case InteractionCallbackType.Modal:
                ValidateModal(data);
                break;
        }
    }

    private static void ValidateModal(InteractionCallbackData? data)
    {
        if (data is null)
        {
            throw new MessageLimitException("data", "a modal needs custom_id, title and components.");
        }
        ValidateCustomId("data.custom_id", data.CustomId);
        var titleLength = CountCodePoints(data.Title);
        if (titleLength is < 1 or > DiscordLimits.ModalTitle)
        {
            throw new MessageLimitException("data.title", $"must be 1 to {DiscordLimits.ModalTitle} characters.");
        }
        var components = data.Components ?? [];
        if (components.Count is < 1 or > DiscordLimits.ModalComponents)
        {
            throw new MessageLimitException("data.components", $"a modal needs 1 to {DiscordLimits.ModalComponents} components.");
        }
        for (var i = 0; i < components.Count; i++)
        {
            var component = components[i];
            var input = component.Type == ComponentType.Label ? component.Component : component.Components?.SingleOrDefault();
            if (input is null || input.Type != ComponentType.TextInput)
            {
                throw new MessageLimitException($"data.components.{i}", "each modal component must be a label (or action row) holding one text input.");
            }
            if (component.Type == ComponentType.Label && CountCodePoints(component.Label) is < 1 or > DiscordLimits.TextInputLabel)
            {
                throw new MessageLimitException($"data.components.{i}.label", $"must be 1 to {DiscordLimits.TextInputLabel} characters.");
            }
            ValidateCustomId($"data.components.{i}.component.custom_id", input.CustomId);
        }
    }

    private static void RequireSomething(string? content, IReadOnlyList<Embed>? embeds, IReadOnlyList<MessageComponent>? components)
    {
        if (string.IsNullOrWhiteSpace(content) && (embeds is null || embeds.Count == 0) && (components is null || components.Count == 0))
        {
            throw new MessageLimitException("content", "a message needs content, an embed or components (Discord answers 50006 otherwise).");
        }
    }

    private static void ValidateParts(string? content, IReadOnlyList<Embed>? embeds, IReadOnlyList<MessageComponent>? components, AllowedMentions? mentions)
    {
        if (CountCodePoints(content) > DiscordLimits.ContentCodePoints)
        {
            throw new MessageLimitException("content", $"must be {DiscordLimits.ContentCodePoints} or fewer code points; split it with {nameof(MessageSplitter)}.");
        }
        if (embeds is not null)
        {
            ValidateEmbeds(embeds);
        }
        if (components is not null)
        {
            ValidateComponents(components);
        }
        if (mentions is { Parse: { } parse })
        {
            if ((parse.Contains("users") && mentions.Users is { Count: > 0 }) || (parse.Contains("roles") && mentions.Roles is { Count: > 0 }))
            {
                throw new MessageLimitException("allowed_mentions", "parse and an explicit users/roles list of the same type are mutually exclusive.");
            }
        }
    }

    private static void ValidateEmbeds(IReadOnlyList<Embed> embeds)
    {
        if (embeds.Count > DiscordLimits.EmbedsPerMessage)
        {
            throw new MessageLimitException("embeds", $"at most {DiscordLimits.EmbedsPerMessage} embeds per message.");
        }
        var total = 0;
        for (var i = 0; i < embeds.Count; i++)
        {
            var embed = embeds[i];
            total += Check($"embeds.{i}.title", embed.Title, DiscordLimits.EmbedTitle);
            total += Check($"embeds.{i}.description", embed.Description, DiscordLimits.EmbedDescription);
            total += Check($"embeds.{i}.footer.text", embed.Footer?.Text, DiscordLimits.EmbedFooterText);
            total += Check($"embeds.{i}.author.name", embed.Author?.Name, DiscordLimits.EmbedAuthorName);
            var fields = embed.Fields ?? [];
            if (fields.Count > DiscordLimits.EmbedFields)
            {
                throw new MessageLimitException($"embeds.{i}.fields", $"at most {DiscordLimits.EmbedFields} fields.");
            }
            for (var f = 0; f < fields.Count; f++)
            {
                if (string.IsNullOrWhiteSpace(fields[f].Name) || string.IsNullOrWhiteSpace(fields[f].Value))
                {
                    throw new MessageLimitException($"embeds.{i}.fields.{f}", "field name and value must not be empty.");
                }
                total += Check($"embeds.{i}.fields.{f}.name", fields[f].Name, DiscordLimits.EmbedFieldName);
                total += Check($"embeds.{i}.fields.{f}.value", fields[f].Value, DiscordLimits.EmbedFieldValue);
            }
        }
        if (total > DiscordLimits.EmbedTotalCharacters)
        {
            throw new MessageLimitException("embeds", $"all embeds together must be {DiscordLimits.EmbedTotalCharacters} or fewer characters (was {total}).");
        }

        static int Check(string path, string? value, int max)
        {
            // Discord trims leading and trailing whitespace before counting.
            var length = CountCodePoints(value?.Trim());
            if (length > max)
            {
                throw new MessageLimitException(path, $"must be {max} or fewer characters (was {length}).");
            }
            return length;
        }
    }

    private static void ValidateComponents(IReadOnlyList<MessageComponent> rows)
    {
        if (rows.Count > DiscordLimits.ActionRowsPerMessage)
        {
            throw new MessageLimitException("components", $"at most {DiscordLimits.ActionRowsPerMessage} action rows.");
        }
        var customIds = new HashSet<string>(StringComparer.Ordinal);
        for (var r = 0; r < rows.Count; r++)
        {
            var row = rows[r];
            if (row.Type != ComponentType.ActionRow)
            {
                throw new MessageLimitException($"components.{r}", "top-level message components must be action rows.");
            }
            var children = row.Components ?? [];
            if (children.Count is < 1 or > DiscordLimits.ButtonsPerRow)
            {
                throw new MessageLimitException($"components.{r}.components", $"an action row holds 1 to {DiscordLimits.ButtonsPerRow} buttons.");
            }
            for (var c = 0; c < children.Count; c++)
            {
                var path = $"components.{r}.components.{c}";
                var child = children[c];
                if (child.Type != ComponentType.Button)
                {
                    if (children.Count != 1)
                    {
                        throw new MessageLimitException(path, "a select menu must be alone in its row.");
                    }
                    ValidateCustomId(path + ".custom_id", child.CustomId);
                    continue;
                }
                if (CountCodePoints(child.Label) > DiscordLimits.ButtonLabel)
                {
                    throw new MessageLimitException(path + ".label", $"must be {DiscordLimits.ButtonLabel} or fewer characters.");
                }
                if (child.Style == (int)ButtonStyle.Link)
                {
                    if (child.Url is null || child.CustomId is not null || child.Url.OriginalString.Length > DiscordLimits.ButtonUrl)
                    {
                        throw new MessageLimitException(path, "a link button needs a url (≤512) and no custom_id.");
                    }
                    continue;
                }
                ValidateCustomId(path + ".custom_id", child.CustomId);
                if (!customIds.Add(child.CustomId!))
                {
                    throw new MessageLimitException(path + ".custom_id", "custom_id must be unique within the message.");
                }
            }
        }
    }

    /// <summary>Checks a component custom id: 1 to 100 characters.</summary>
    public static void ValidateCustomId(string path, string? customId)
    {
        var length = CountCodePoints(customId);
        if (length is < DiscordLimits.CustomIdMinLength or > DiscordLimits.CustomIdMaxLength)
        {
            throw new MessageLimitException(path, $"custom_id must be {DiscordLimits.CustomIdMinLength} to {DiscordLimits.CustomIdMaxLength} characters (was {length}).");
        }
    }
}
