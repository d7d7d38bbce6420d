using System.Net;
using Compliance.Testing.FakeDiscord;

namespace Compliance.Testing.Tests.FakeDiscord;

/// <summary>Start Thread from Message, archive and delete, as Discord does them.</summary>
public sealed class FakeThreadTests
{
    private const string Channel = "444000000000000001";

    [Fact]
    public async Task A_thread_on_an_answer_takes_the_answers_id_is_announced_takes_messages_and_is_started_once()
    {
        await using var live = await LiveFake.StartAsync();
        var interaction = await live.AcknowledgedCommandAsync(callbackType: 4);
        var messageId = interaction.OriginalMessage!["id"]!.GetValue<string>();
        var path = $"channels/{Channel}/messages/{messageId}/threads";

        var unnamed = await live.Rest.BotAsync(HttpMethod.Post, path, new { name = "", auto_archive_duration = 1440 });
        var oddArchive = await live.Rest.BotAsync(HttpMethod.Post, path, new { name = "Gift limit", auto_archive_duration = 30 });
        var started = await live.Rest.BotAsync(HttpMethod.Post, path, new { name = "Gift limit", auto_archive_duration = 1440 });
        var announced = await live.Gateway.ReceiveDispatchAsync("THREAD_CREATE");
        var again = await live.Rest.BotAsync(HttpMethod.Post, path, new { name = "Gift limit", auto_archive_duration = 1440 });
        var inThread = await live.Rest.BotAsync(HttpMethod.Post, $"channels/{messageId}/messages", new { content = "Posted in the thread." });

        Assert.Equal(HttpStatusCode.BadRequest, unnamed.Status);
        Assert.Equal(HttpStatusCode.BadRequest, oddArchive.Status);
        Assert.Equal(HttpStatusCode.Created, started.Status);
        Assert.Equal(messageId, started.Body!["id"]!.GetValue<string>()); // a thread from a message has its id
        Assert.Equal(11, started.Body["type"]!.GetValue<int>());
        Assert.Equal(Channel, started.Body["parent_id"]!.GetValue<string>());
        Assert.Equal(RawGateway.Id(live.Fake.Options.BotUserId), started.Body["owner_id"]!.GetValue<string>());
        Assert.False(started.Body["thread_metadata"]!["archived"]!.GetValue<bool>());
        Assert.Equal(messageId, announced.GetProperty("id").GetString());
        Assert.True(announced.GetProperty("newly_created").GetBoolean());
        Assert.Equal(HttpStatusCode.BadRequest, again.Status);
        Assert.Equal(160004, again.Code);
        Assert.Equal(HttpStatusCode.OK, inThread.Status);
        Assert.Single(live.Fake.Rest.MessagesIn(ulong.Parse(messageId, System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Fact]
    public async Task An_ephemeral_answer_an_unknown_message_or_an_unknown_channel_gets_no_thread()
    {
        await using var live = await LiveFake.StartAsync();
        var ephemeral = await live.AcknowledgedCommandAsync(callbackType: 4, ephemeral: true);
        var ephemeralId = ephemeral.OriginalMessage!["id"]!.GetValue<string>();

        var onEphemeral = await live.Rest.BotAsync(HttpMethod.Post, $"channels/{Channel}/messages/{ephemeralId}/threads", new { name = "Private" });
        var onUnknown = await live.Rest.BotAsync(HttpMethod.Post, $"channels/{Channel}/messages/123456789012345678/threads", new { name = "Nothing" });
        var elsewhere = await live.Rest.BotAsync(HttpMethod.Post, $"channels/999999999999999999/messages/{ephemeralId}/threads", new { name = "Nowhere" });

        Assert.Equal(HttpStatusCode.NotFound, onEphemeral.Status);
        Assert.Equal(10008, onEphemeral.Code);
        Assert.Equal(HttpStatusCode.NotFound, onUnknown.Status);
        Assert.Equal(10008, onUnknown.Code);
        Assert.Equal(HttpStatusCode.NotFound, elsewhere.Status);
        Assert.Equal(10003, elsewhere.Code);
        Assert.Empty(live.Fake.Rest.Threads);
    }

    [Fact]
    public async Task Archiving_dispatches_THREAD_UPDATE_with_archived_and_deleting_dispatches_THREAD_DELETE()
    {
        await using var live = await LiveFake.StartAsync();
        var interaction = await live.AcknowledgedCommandAsync(callbackType: 4);
        var messageId = interaction.OriginalMessage!["id"]!.GetValue<string>();
        var threadId = ulong.Parse(messageId, System.Globalization.CultureInfo.InvariantCulture);
        await live.Rest.BotAsync(HttpMethod.Post, $"channels/{Channel}/messages/{messageId}/threads", new { name = "Gift limit" });

        await live.Fake.Rest.ArchiveThreadAsync(threadId);
        var updated = await live.Gateway.ReceiveDispatchAsync("THREAD_UPDATE");
        await live.Fake.Rest.DeleteThreadAsync(threadId);
        var deleted = await live.Gateway.ReceiveDispatchAsync("THREAD_DELETE");

        Assert.True(updated.GetProperty("thread_metadata").GetProperty("archived").GetBoolean());
        Assert.Equal(messageId, deleted.GetProperty("id").GetString());
        Assert.Equal(Channel, deleted.GetProperty("parent_id").GetString());
        Assert.Empty(live.Fake.Rest.Threads);
    }
}
