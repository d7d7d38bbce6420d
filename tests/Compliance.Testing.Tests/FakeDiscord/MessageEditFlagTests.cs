using System.Net;
using Compliance.Testing.FakeDiscord;

namespace Compliance.Testing.Tests.FakeDiscord;

/// <summary>
/// An edit (of <c>@original</c> or a followup) may carry only SUPPRESS_EMBEDS (4), which it sets or clears, and
/// IS_COMPONENTS_V2 (32768), which it may set but not clear; anything else is 400/50035 on <c>flags</c>.
/// </summary>
public sealed class MessageEditFlagTests
{
    [Fact]
    public async Task Suppress_embeds_on_an_edit_of_original_is_accepted_and_the_message_stays_ephemeral()
    {
        await using var live = await LiveFake.StartAsync();
        var interaction = await live.AcknowledgedCommandAsync(ephemeral: true);

        var edit = await live.Rest.WebhookAsync(HttpMethod.Patch, live.Rest.OriginalPath(interaction), new { content = "answer", flags = 4 });

        Assert.Equal(HttpStatusCode.OK, edit.Status);
        Assert.Equal(64 | 4, edit.Body!["flags"]!.GetValue<int>());
        Assert.True(interaction.Ephemeral);
    }

    [Theory]
    [InlineData(64)]    // EPHEMERAL: fixed when the message is created
    [InlineData(4096)]  // SUPPRESS_NOTIFICATIONS: a create-only flag
    [InlineData(2)]     // SOURCE_MESSAGE_DELETED: never client-set
    public async Task Any_other_flag_on_an_edit_of_original_is_400_50035_on_flags(int flags)
    {
        await using var live = await LiveFake.StartAsync();
        var interaction = await live.AcknowledgedCommandAsync();

        var edit = await live.Rest.WebhookAsync(HttpMethod.Patch, live.Rest.OriginalPath(interaction), new { content = "answer", flags });

        Assert.Equal(HttpStatusCode.BadRequest, edit.Status);
        Assert.Equal(50035, edit.Code);
        Assert.Equal("Invalid Form Body", edit.Body!["message"]!.GetValue<string>());
        Assert.Equal("MESSAGE_FLAGS_INVALID", edit.Body["errors"]!["flags"]!["_errors"]![0]!["code"]!.GetValue<string>());
        Assert.Single(interaction.OriginalMessageHistory);
    }

    [Fact]
    public async Task An_edit_of_a_followup_is_held_to_the_same_rule()
    {
        await using var live = await LiveFake.StartAsync();
        var interaction = await live.AcknowledgedCommandAsync();
        var followup = await live.Rest.WebhookAsync(HttpMethod.Post, live.Rest.FollowupPath(interaction), new { content = "more", flags = 4096 });
        Assert.Equal(HttpStatusCode.OK, followup.Status);
        var path = live.Rest.FollowupPath(interaction, followup.Body!["id"]!.GetValue<string>());

        var refused = await live.Rest.WebhookAsync(HttpMethod.Patch, path, new { content = "edited", flags = 4096 });
        var accepted = await live.Rest.WebhookAsync(HttpMethod.Patch, path, new { content = "edited", flags = 4 });

        Assert.Equal(HttpStatusCode.BadRequest, refused.Status);
        Assert.Equal(50035, refused.Code);
        Assert.Equal(HttpStatusCode.OK, accepted.Status);
        // The followup keeps the flag it was created with; the edit only turned SUPPRESS_EMBEDS on.
        Assert.Equal(4096 | 4, accepted.Body!["flags"]!.GetValue<int>());
    }

    [Fact]
    public async Task An_edit_without_flags_keeps_the_flags_the_message_has()
    {
        await using var live = await LiveFake.StartAsync();
        var interaction = await live.AcknowledgedCommandAsync(ephemeral: true);

        var edit = await live.Rest.WebhookAsync(HttpMethod.Patch, live.Rest.OriginalPath(interaction), new { content = "answer" });

        Assert.Equal(HttpStatusCode.OK, edit.Status);
        Assert.Equal(64, edit.Body!["flags"]!.GetValue<int>());
    }

    [Fact]
    public async Task An_edit_of_a_channel_message_is_held_to_the_same_rule_and_changes_the_stored_message()
    {
        await using var live = await LiveFake.StartAsync();
        var posted = await live.Rest.BotAsync(HttpMethod.Post, "channels/444000000000000001/messages", new { content = "part 1", flags = 4096 });
        var id = posted.Body!["id"]!.GetValue<string>();
        var path = $"channels/444000000000000001/messages/{id}";

        var refused = await live.Rest.BotAsync(HttpMethod.Patch, path, new { content = "part 1, edited", flags = 64 });
        var accepted = await live.Rest.BotAsync(HttpMethod.Patch, path, new { content = "part 1, edited", flags = 4 });
        var elsewhere = await live.Rest.BotAsync(HttpMethod.Patch, $"channels/444000000000000002/messages/{id}", new { content = "x" });

        Assert.Equal(HttpStatusCode.BadRequest, refused.Status);
        Assert.Equal("MESSAGE_FLAGS_INVALID", refused.Body!["errors"]!["flags"]!["_errors"]![0]!["code"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, accepted.Status);
        Assert.Equal("part 1, edited", live.Fake.Rest.ChannelMessage(id)!["content"]!.GetValue<string>());
        Assert.Equal(4096 | 4, live.Fake.Rest.ChannelMessage(id)!["flags"]!.GetValue<int>());
        Assert.Equal(HttpStatusCode.NotFound, elsewhere.Status);
        Assert.Equal(10008, elsewhere.Code);
    }
}
