using System.Net;

namespace Compliance.Testing.Tests.FakeDiscord;

/// <summary>
/// Interaction deadlines on the fake's clock (receiving-and-responding docs; discord-protocol.md §2.2): the first
/// callback within 3 s, else 404/10062; the token works for 15 minutes, then webhook calls are 401/50027 and count
/// as invalid requests.
/// </summary>
public sealed class InteractionDeadlineTests
{
    [Fact]
    public async Task A_callback_after_three_seconds_is_404_unknown_interaction()
    {
        await using var live = await LiveFake.StartAsync();
        var interaction = await live.Fake.SendGuildCommandAsync("ask");

        live.Fake.Clock.Advance(TimeSpan.FromSeconds(3.1));
        var late = await live.Rest.CallbackAsync(interaction, 5);

        Assert.Equal(HttpStatusCode.NotFound, late.Status);
        Assert.Equal(10062, late.Code);
        Assert.Equal("Unknown interaction", late.Body!["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task Edits_and_followups_work_until_fifteen_minutes_then_are_401_invalid_webhook_token()
    {
        await using var live = await LiveFake.StartAsync();
        var interaction = await live.AcknowledgedCommandAsync();

        live.Fake.Clock.Advance(TimeSpan.FromMinutes(14));
        var inTime = await live.Rest.WebhookAsync(HttpMethod.Patch, live.Rest.OriginalPath(interaction), new { content = "still streaming" });
        live.Fake.Clock.Advance(TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(1));
        var lateEdit = await live.Rest.WebhookAsync(HttpMethod.Patch, live.Rest.OriginalPath(interaction), new { content = "the rest" });
        var lateFollowup = await live.Rest.WebhookAsync(HttpMethod.Post, live.Rest.FollowupPath(interaction), new { content = "the rest" });

        Assert.Equal(HttpStatusCode.OK, inTime.Status);
        foreach (var late in new[] { lateEdit, lateFollowup })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, late.Status);
            Assert.Equal(50027, late.Code);
            Assert.Equal("Invalid Webhook Token", late.Body!["message"]!.GetValue<string>());
        }
        // 401s count toward Discord's invalid-request ban.
        Assert.Equal(2, live.Fake.Rest.InvalidRequestCount);
        // The channel is still open to the bot: that is where a long answer is finished.
        Assert.Equal(HttpStatusCode.OK, (await live.Rest.BotAsync(HttpMethod.Post, "channels/444000000000000001/messages", new { content = "the rest" })).Status);
    }
}
