using System.Globalization;
using System.Text.Json.Nodes;

namespace Compliance.Testing.FakeDiscord;

/// <summary>
/// Builders for the dispatch payloads Discord sends, shaped like the documented examples
/// (discord-protocol.md §2.1): guild and DM commands, button clicks, modal submits, messages.
/// </summary>
public static class FakeDispatches
{
    public static JsonObject UserObject(ulong id, string? username = null, bool bot = false) => new()
    {
        ["id"] = id.ToId(),
        ["username"] = username ?? "user" + (id % 10_000).ToString(CultureInfo.InvariantCulture),
        ["discriminator"] = "0",
        ["global_name"] = username is null ? null : username.ToUpperInvariant(),
        ["avatar"] = null,
        ["bot"] = bot ? true : null,
    };

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
        payload["channel"] = new JsonObject { ["id"] = channelId.ToId(), ["type"] = 0, ["guild_id"] = guildId.ToId(), ["name"] = "general" };
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
