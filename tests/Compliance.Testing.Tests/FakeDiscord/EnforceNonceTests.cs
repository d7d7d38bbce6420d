using System.Net;

namespace Compliance.Testing.Tests.FakeDiscord;

/// <summary>
/// <c>nonce</c> + <c>enforce_nonce: true</c> on Create Message: a post repeated within the past few minutes with the
/// same nonce returns the first message and creates none (message docs, §Create Message).
/// </summary>
public sealed class EnforceNonceTests
{
    private const string Channel = "channels/444000000000000001/messages";

    [Fact]
    public async Task A_retried_post_with_the_same_nonce_and_enforce_nonce_returns_the_first_message()
    {
        await using var live = await LiveFake.StartAsync();

        var first = await live.Rest.BotAsync(HttpMethod.Post, Channel, new { content = "The answer, finished in the channel.", nonce = "q-42-part-1", enforce_nonce = true });
        var retry = await live.Rest.BotAsync(HttpMethod.Post, Channel, new { content = "The answer, finished in the channel.", nonce = "q-42-part-1", enforce_nonce = true });

        Assert.Equal(HttpStatusCode.OK, first.Status);
        Assert.Equal(HttpStatusCode.OK, retry.Status);
        Assert.Equal(first.Body!["id"]!.GetValue<string>(), retry.Body!["id"]!.GetValue<string>());
        Assert.Equal("q-42-part-1", retry.Body["nonce"]!.GetValue<string>());
        Assert.Single(live.Fake.Rest.ChannelMessages);
        Assert.Equal(1, live.Fake.Rest.DeduplicatedPosts);
    }

    [Fact]
    public async Task Without_enforce_nonce_the_same_nonce_posts_twice()
    {
        await using var live = await LiveFake.StartAsync();

        var first = await live.Rest.BotAsync(HttpMethod.Post, Channel, new { content = "hello", nonce = "n-1" });
        var second = await live.Rest.BotAsync(HttpMethod.Post, Channel, new { content = "hello", nonce = "n-1" });

        Assert.NotEqual(first.Body!["id"]!.GetValue<string>(), second.Body!["id"]!.GetValue<string>());
        Assert.Equal(2, live.Fake.Rest.ChannelMessages.Count);
    }

    [Fact]
    public async Task A_different_nonce_or_one_past_the_window_posts_again()
    {
        await using var live = await LiveFake.StartAsync(o => o.EnforcedNonceWindow = TimeSpan.FromMinutes(3));

        var first = await live.Rest.BotAsync(HttpMethod.Post, Channel, new { content = "hello", nonce = 1234, enforce_nonce = true });
        var otherNonce = await live.Rest.BotAsync(HttpMethod.Post, Channel, new { content = "hello", nonce = "1234", enforce_nonce = true });
        live.Fake.Clock.Advance(TimeSpan.FromMinutes(3) + TimeSpan.FromSeconds(1));
        var late = await live.Rest.BotAsync(HttpMethod.Post, Channel, new { content = "hello", nonce = 1234, enforce_nonce = true });

        Assert.Equal(3, new[] { first, otherNonce, late }.Select(r => r.Body!["id"]!.GetValue<string>()).Distinct().Count());
        Assert.Equal(0, live.Fake.Rest.DeduplicatedPosts);
    }

    [Fact]
    public async Task A_post_whose_answer_is_lost_after_storing_is_returned_to_its_retry()
    {
        await using var live = await LiveFake.StartAsync();
        live.Fake.Rest.ScriptServerErrorAfterStoring(Compliance.Testing.FakeDiscord.FakeRest.Routes.CreateMessage, 502);

        var lost = await live.Rest.BotAsync(HttpMethod.Post, Channel, new { content = "The answer.", nonce = "q-7", enforce_nonce = true });
        var retry = await live.Rest.BotAsync(HttpMethod.Post, Channel, new { content = "The answer.", nonce = "q-7", enforce_nonce = true });

        // The first post was stored although the client saw a 502; its retry gets that message back.
        Assert.Equal(HttpStatusCode.BadGateway, lost.Status);
        Assert.Equal(HttpStatusCode.OK, retry.Status);
        Assert.Single(live.Fake.Rest.ChannelMessages);
        Assert.Equal(1, live.Fake.Rest.DeduplicatedPosts);
    }
}
