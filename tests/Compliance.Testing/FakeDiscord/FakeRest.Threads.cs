using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Compliance.Testing.FakeDiscord;

/// <summary>
/// Start Thread from Message (<c>POST /channels/{channel}/messages/{message}/threads</c>) as Discord does it: the
/// message must be a (non-ephemeral) message in that guild text channel, one thread per message, the thread's id
/// is the message's id, <c>name</c> is 1-100 characters and <c>auto_archive_duration</c> one of 60, 1440, 4320,
/// 10080. The thread is a channel from then on (messages can be posted to it, THREAD_CREATE is dispatched), and
/// tests archive or delete it as a member would (THREAD_UPDATE with archived, THREAD_DELETE).
/// </summary>
public sealed partial class FakeRest
{
    private readonly ConcurrentDictionary<string, JsonObject> _threads = new(StringComparer.Ordinal);

    /// <summary>The threads started from messages, as they are now.</summary>
    public IReadOnlyCollection<JsonObject> Threads => [.. _threads.Values.Select(t => (JsonObject)t.DeepClone())];

    /// <summary>Messages the bot posted in <paramref name="channelId"/> (a channel or a thread).</summary>
    public IReadOnlyList<JsonObject> MessagesIn(ulong channelId) =>
        [.. _channelMessages.Where(m => FakeValidation.Str(m["channel_id"]) == channelId.ToId())];

    /// <summary>A member archives the thread (or Discord does, after its inactivity period): THREAD_UPDATE.</summary>
    public async Task ArchiveThreadAsync(ulong threadId)
    {
        var thread = _threads[threadId.ToId()];
        thread["thread_metadata"]!["archived"] = true;
        thread["thread_metadata"]!["archive_timestamp"] = _server.Clock.GetUtcNow().ToString("O", CultureInfo.InvariantCulture);
        await _server.Gateway.DispatchAsync("THREAD_UPDATE", thread.DeepClone());
    }

    /// <summary>A member deletes the thread: THREAD_DELETE carries only its id, guild, parent and type.</summary>
    public async Task DeleteThreadAsync(ulong threadId)
    {
        _threads.TryRemove(threadId.ToId(), out var thread);
        await _server.Gateway.DispatchAsync("THREAD_DELETE", new JsonObject
        {
            ["id"] = threadId.ToId(),
            ["guild_id"] = thread?["guild_id"]?.DeepClone(),
            ["parent_id"] = thread?["parent_id"]?.DeepClone(),
            ["type"] = thread?["type"]?.DeepClone() ?? 11,
        });
    }

    private async Task<IResult> StartThreadAsync(RequestContext c)
    {
        var http = c.Http;
        var channelId = c.Values["channel"];
        var messageId = c.Values["message"];
        var guild = _server.Gateway.GuildSnapshot().FirstOrDefault(g => g.Channels.Any(ch => ch.ToId() == channelId));
        if (guild.Channels is null)
        {
            return Error(http, Routes.StartThread, 404, 10003, "Unknown Channel");
        }
        if (_threads.ContainsKey(channelId))
        {
            return Error(http, Routes.StartThread, 400, 50024, "Cannot execute action on this channel type");
        }
        var message = BotMessage(messageId);
        if (message is null || FakeValidation.Str(message["channel_id"]) != channelId || ((FakeValidation.Int(message["flags"]) ?? 0) & 64) != 0)
        {
            // Ephemeral messages exist only for their recipient: no channel route finds them.
            return Error(http, Routes.StartThread, 404, 10008, "Unknown Message");
        }
        var body = c.Body as JsonObject ?? [];
        var errors = new FakeValidation.FormErrors();
        if (FakeValidation.CodePoints(FakeValidation.Str(body["name"])) is < 1 or > 100)
        {
            errors.Add("name", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.");
        }
        var archiveAfter = FakeValidation.Int(body["auto_archive_duration"]) ?? 4320;
        if (archiveAfter is not (60 or 1440 or 4320 or 10080))
        {
            errors.Add("auto_archive_duration", "BASE_TYPE_CHOICES", "Value must be one of (60, 1440, 4320, 10080).");
        }
        if (errors.Any)
        {
            return FormError(http, Routes.StartThread, errors);
        }
        var now = _server.Clock.GetUtcNow().ToString("O", CultureInfo.InvariantCulture);
        var thread = new JsonObject
        {
            // A thread started from a message has the message's id.
            ["id"] = messageId,
            ["type"] = 11,
            ["guild_id"] = guild.Guild.ToId(),
            ["parent_id"] = channelId,
            ["owner_id"] = _server.Options.BotUserId.ToId(),
            ["name"] = FakeValidation.Str(body["name"]),
            ["last_message_id"] = null,
            ["rate_limit_per_user"] = 0,
            ["flags"] = 0,
            ["message_count"] = 0,
            ["member_count"] = 1,
            ["total_message_sent"] = 0,
            ["thread_metadata"] = new JsonObject
            {
                ["archived"] = false,
                ["auto_archive_duration"] = archiveAfter,
                ["archive_timestamp"] = now,
                ["locked"] = false,
                ["create_timestamp"] = now,
            },
            ["member"] = new JsonObject { ["id"] = messageId, ["user_id"] = _server.Options.BotUserId.ToId(), ["join_timestamp"] = now, ["flags"] = 1 },
        };
        if (!_threads.TryAdd(messageId, thread))
        {
            return Error(http, Routes.StartThread, 400, 160004, "A thread has already been created for this message");
        }
        var created = (JsonObject)thread.DeepClone();
        created["newly_created"] = true;
        await _server.Gateway.DispatchAsync("THREAD_CREATE", created);
        return Results.Json(thread.DeepClone(), statusCode: 201);
    }

    /// <summary>A message the bot sent: in a channel, or as an interaction response or followup.</summary>
    private JsonObject? BotMessage(string messageId)
    {
        if (_channelMessagesById.TryGetValue(messageId, out var posted))
        {
            return posted;
        }
        foreach (var interaction in Interactions.All)
        {
            if (interaction.OriginalMessage is { } original && FakeValidation.Str(original["id"]) == messageId)
            {
                return original;
            }
            if (interaction.FollowupMessages.TryGetValue(messageId, out var followup))
            {
                return followup;
            }
        }
        return null;
    }
}
