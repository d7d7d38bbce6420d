using System.Globalization;
using System.Text.Json.Nodes;

namespace Compliance.Testing.FakeDiscord;

/// <summary>
/// Builders for the dispatch payloads Discord sends, shaped like the documented examples
/// (discord-protocol.md §2.1): guild and DM commands, button clicks, modal submits, messages.
/// </summary>
public static class FakeDispatches
{
    public static JsonObject UserObject(ulong id, string? username = null, bool bot = false) => new JsonObject
    {
        ["id"] = id.ToId(),
        ["username"] = username ?? "user" + (id % 10_000).ToString(CultureInfo.InvariantCulture),
        ["discriminator"] = "0",
        ["global_name"] = username is null ? null : username.ToUpperInvariant(),
        ["avatar"] = null,
    }.WithBotFlag(bot);

    // Discord omits "bot" for people rather than sending null (Discord.Net cannot read a null there).
    private static JsonObject WithBotFlag(this JsonObject user, bool bot)
    {
        if (bot)
        {
            user["bot"] = true;
        }
        return user;
    }

    public static JsonObject Member(ulong userId, string permissions) => new()
    {
        ["user"] = UserObject(userId),
        ["roles"] = new JsonArray(),
        ["joined_at"] = "2024-01-01T00:00:00.000000+00:00",
        ["deaf"] = false,
        ["mute"] = false,
        ["flags"] = 0,
        ["permissions"] = permissions,
    };

    public static JsonObject GuildCommand(FakeDiscordOptions options, FakeInteraction interaction, string name, IEnumerable<(string Name, int Type, JsonNode? Value)>? commandOptions, ulong userId, ulong guildId, ulong channelId, string permissions)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(interaction);
        var payload = Common(options, interaction, guildId, channelId);
        payload["channel"] = GuildChannel(channelId, guildId);
        payload["member"] = Member(userId, permissions);
        payload["guild_locale"] = "en-US";
        payload["authorizing_integration_owners"] = new JsonObject { ["0"] = guildId.ToId() };
        payload["context"] = 0;
        payload["data"] = CommandData(name, commandOptions, guildId);
        return payload;
    }

    public static JsonObject DmCommand(FakeDiscordOptions options, FakeInteraction interaction, string name, IEnumerable<(string Name, int Type, JsonNode? Value)>? commandOptions, ulong userId, ulong channelId)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(interaction);
        var payload = Common(options, interaction, null, channelId);
        payload["channel"] = new JsonObject { ["id"] = channelId.ToId(), ["type"] = 1 };
        // In a DM the invoker is the top-level user and there is no member.
        payload["user"] = UserObject(userId);
        payload["authorizing_integration_owners"] = new JsonObject { ["0"] = "0" };
        payload["context"] = 1;
        payload["data"] = CommandData(name, commandOptions, null);
        return payload;
    }

    public static JsonObject ButtonClick(FakeDiscordOptions options, FakeInteraction interaction, string customId, JsonObject message, ulong userId, ulong guildId)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(interaction);
        ArgumentNullException.ThrowIfNull(message);
        var channelId = ulong.Parse(message["channel_id"]?.GetValue<string>() ?? "444000000000000001", CultureInfo.InvariantCulture);
        var payload = Common(options, interaction, guildId, channelId);
        payload["channel"] = GuildChannel(channelId, guildId);
        payload["member"] = Member(userId, "2248473465835073");
        payload["context"] = 0;
        payload["message"] = message.DeepClone();
        payload["data"] = new JsonObject { ["custom_id"] = customId, ["component_type"] = 2 };
        return payload;
    }

    public static JsonObject ModalSubmit(FakeDiscordOptions options, FakeInteraction interaction, string customId, IReadOnlyDictionary<string, string> values, ulong userId, ulong guildId)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(interaction);
        ArgumentNullException.ThrowIfNull(values);
        var payload = Common(options, interaction, guildId, 444_000_000_000_000_001);
        payload["channel"] = GuildChannel(444_000_000_000_000_001, guildId);
        payload["member"] = Member(userId, "2248473465835073");
        payload["context"] = 0;
        var components = new JsonArray();
        var id = 1;
        foreach (var (inputId, value) in values)
        {
            components.Add(new JsonObject
            {
                ["type"] = 18,
                ["id"] = id++,
                ["component"] = new JsonObject { ["type"] = 4, ["id"] = id++, ["custom_id"] = inputId, ["value"] = value },
            });
        }
        payload["data"] = new JsonObject { ["custom_id"] = customId, ["components"] = components };
        return payload;
    }

    public static JsonObject UserMessage(FakeDiscordOptions options, string content, bool mentionBot, ulong userId, ulong? guildId, ulong channelId, ulong? replyToMessageId)
    {
        ArgumentNullException.ThrowIfNull(options);
        var mentions = new JsonArray();
        if (mentionBot)
        {
            mentions.Add(UserObject(options.BotUserId, options.BotUsername, bot: true));
            content = $"<@{options.BotUserId.ToId()}> {content}";
        }
        var message = new JsonObject
        {
            ["id"] = Snowflakes.NextString(),
            ["channel_id"] = channelId.ToId(),
            ["author"] = UserObject(userId),
            ["content"] = content,
            ["timestamp"] = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture),
            ["edited_timestamp"] = null,
            ["tts"] = false,
            ["mention_everyone"] = false,
            ["mentions"] = mentions,
            ["mention_roles"] = new JsonArray(),
            ["attachments"] = new JsonArray(),
            ["embeds"] = new JsonArray(),
            ["pinned"] = false,
            ["type"] = replyToMessageId is null ? 0 : 19,
            ["flags"] = 0,
        };
        if (guildId is { } guild)
        {
            message["guild_id"] = guild.ToId();
            // MESSAGE_CREATE carries a partial member without its user.
            message["member"] = new JsonObject { ["roles"] = new JsonArray(), ["joined_at"] = "2024-01-01T00:00:00.000000+00:00" };
        }
        else
        {
            message["channel_type"] = 1;
        }
        if (replyToMessageId is { } reply)
        {
            message["message_reference"] = new JsonObject { ["type"] = 0, ["message_id"] = reply.ToId(), ["channel_id"] = channelId.ToId() };
        }
        return message;
    }

    /// <summary>A guild text channel object, as interactions (<c>channel</c>) and GUILD_CREATE (<c>channels</c>) carry it.</summary>
    public static JsonObject GuildChannel(ulong channelId, ulong guildId) => new()
    {
        ["id"] = channelId.ToId(),
        ["type"] = 0,
        ["guild_id"] = guildId.ToId(),
        ["name"] = "general",
        ["position"] = 0,
        ["permission_overwrites"] = new JsonArray(),
        ["nsfw"] = false,
        ["parent_id"] = null,
        ["last_message_id"] = null,
        ["rate_limit_per_user"] = 0,
        ["flags"] = 0,
    };

    /// <summary>
    /// GUILD_CREATE for a guild the bot is in (sent after READY, or when the bot joins), with its @everyone role, the
    /// bot as a member and the given text channels; the fields a library caches, shaped as Discord sends them.
    /// </summary>
    public static JsonObject GuildCreate(FakeDiscordOptions options, ulong guildId, IEnumerable<ulong> channelIds, IEnumerable<JsonObject>? roles = null, bool joined = false)
    {
        ArgumentNullException.ThrowIfNull(options);
        var botMember = Member(options.BotUserId, "0");
        botMember["user"] = UserObject(options.BotUserId, options.BotUsername, bot: true);
        botMember.Remove("permissions");
        var guild = new JsonObject
        {
            ["id"] = guildId.ToId(),
            ["name"] = "Guild " + (guildId % 10_000).ToString(CultureInfo.InvariantCulture),
            ["icon"] = null,
            ["owner_id"] = "999000000000000001",
            ["afk_channel_id"] = null,
            ["afk_timeout"] = 300,
            ["verification_level"] = 1,
            ["default_message_notifications"] = 1,
            ["explicit_content_filter"] = 2,
            // @everyone (id = the guild's) grants what members get by default: no MANAGE_GUILD, no ADMINISTRATOR.
            ["roles"] = new JsonArray([Role(guildId, "@everyone", "2248473465835073", 0), .. (roles ?? []).Select(r => (JsonNode)r.DeepClone())]),
            ["emojis"] = new JsonArray(),
            ["stickers"] = new JsonArray(),
            ["features"] = new JsonArray(),
            ["mfa_level"] = 0,
            ["system_channel_id"] = null,
            ["system_channel_flags"] = 0,
            ["rules_channel_id"] = null,
            ["vanity_url_code"] = null,
            ["description"] = null,
            ["banner"] = null,
            ["premium_tier"] = 0,
            ["preferred_locale"] = "en-US",
            ["public_updates_channel_id"] = null,
            ["nsfw_level"] = 0,
            ["premium_progress_bar_enabled"] = false,
            ["joined_at"] = "2024-01-01T00:00:00.000000+00:00",
            ["large"] = false,
            ["member_count"] = 2,
            ["members"] = new JsonArray(botMember),
            ["channels"] = new JsonArray([.. channelIds.Select(id => (JsonNode)GuildChannel(id, guildId))]),
            ["threads"] = new JsonArray(),
            ["presences"] = new JsonArray(),
            ["voice_states"] = new JsonArray(),
            ["stage_instances"] = new JsonArray(),
            ["guild_scheduled_events"] = new JsonArray(),
            ["soundboard_sounds"] = new JsonArray(),
        };
        if (!joined)
        {
            // A guild listed as unavailable in READY becomes available; a guild just joined carries no such flag.
            guild["unavailable"] = false;
        }
        return guild;
    }

    /// <summary>A role object as GUILD_CREATE and GUILD_ROLE_CREATE carry it.</summary>
    public static JsonObject Role(ulong id, string name, string permissions, int position) => new()
    {
        ["id"] = id.ToId(),
        ["name"] = name,
        ["color"] = 0,
        ["hoist"] = false,
        ["icon"] = null,
        ["unicode_emoji"] = null,
        ["position"] = position,
        ["permissions"] = permissions,
        ["managed"] = false,
        ["mentionable"] = false,
        ["flags"] = 0,
    };

    /// <summary>
    /// A message context-menu command (data.type 3) on <paramref name="target"/>: <c>target_id</c> names it and
    /// <c>resolved.messages</c> carries it whole. Discord delivers the target's content even without the
    /// MESSAGE_CONTENT intent (gateway docs, Message Content Intent), so it is passed on as given.
    /// </summary>
    public static JsonObject MessageCommand(FakeDiscordOptions options, FakeInteraction interaction, string name, JsonObject target, ulong userId, ulong guildId, ulong channelId, string permissions)
    {
        ArgumentNullException.ThrowIfNull(target);
        var payload = GuildCommand(options, interaction, name, null, userId, guildId, channelId, permissions);
        var data = (JsonObject)payload["data"]!;
        var targetId = target["id"]!.GetValue<string>();
        data["type"] = 3;
        data["target_id"] = targetId;
        data["resolved"] = new JsonObject { ["messages"] = new JsonObject { [targetId] = target.DeepClone() } };
        return payload;
    }

    /// <summary>
    /// An autocomplete interaction (type 4) for a guild command: the options typed so far, the one being typed
    /// marked <c>focused</c> with its partial text as a string, as Discord sends it whatever the option's type.
    /// </summary>
    public static JsonObject Autocomplete(FakeDiscordOptions options, FakeInteraction interaction, string name, IEnumerable<(string Name, int Type, JsonNode? Value)>? filled, string focusedOption, string typed, ulong userId, ulong guildId, ulong channelId, string permissions)
    {
        var payload = GuildCommand(options, interaction, name, filled, userId, guildId, channelId, permissions);
        var data = (JsonObject)payload["data"]!;
        var list = data["options"] as JsonArray ?? [];
        list.Add(new JsonObject { ["name"] = focusedOption, ["type"] = 3, ["value"] = typed, ["focused"] = true });
        data["options"] = list;
        return payload;
    }

    private static JsonObject Common(FakeDiscordOptions options, FakeInteraction interaction, ulong? guildId, ulong channelId)
    {
        var payload = new JsonObject
        {
            ["id"] = interaction.Id.ToId(),
            ["application_id"] = options.ApplicationId.ToId(),
            ["type"] = interaction.Type,
            ["token"] = interaction.Token,
            ["version"] = 1,
            ["channel_id"] = channelId.ToId(),
            ["app_permissions"] = "2248473465835073",
            ["locale"] = "en-US",
            ["entitlements"] = new JsonArray(),
            ["attachment_size_limit"] = 10_485_760,
        };
        if (guildId is { } guild)
        {
            payload["guild_id"] = guild.ToId();
        }
        return payload;
    }

    private static JsonObject CommandData(string name, IEnumerable<(string Name, int Type, JsonNode? Value)>? options, ulong? guildId)
    {
        var data = new JsonObject { ["id"] = Snowflakes.NextString(), ["name"] = name, ["type"] = 1 };
        if (guildId is { } guild)
        {
            data["guild_id"] = guild.ToId();
        }
        if (options is not null)
        {
            // Omitted optional options are simply absent, as on Discord.
            data["options"] = new JsonArray([.. options.Select(o => (JsonNode)new JsonObject { ["name"] = o.Name, ["type"] = o.Type, ["value"] = o.Value?.DeepClone() })]);
        }
        return data;
    }
}
