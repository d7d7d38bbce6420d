using System.Globalization;
using System.Net;
using Compliance.Testing.FakeDiscord;

namespace Compliance.Testing.Tests.FakeDiscord;

/// <summary>
/// Rate limits as Discord sends them (rate-limits docs; discord-protocol.md §5): routes Discord groups share one
/// <c>X-RateLimit-Bucket</c> and one count, routes have limits of their own, and <c>shared</c>-scope 429s do not
/// count against the invalid-request budget. Every 429 carries <c>X-RateLimit-*</c>, <c>Retry-After</c> and
/// <c>{message, retry_after, global}</c>.
/// </summary>
public sealed class RateLimitBucketTests
{
    [Fact]
    public async Task Editing_original_and_editing_a_followup_share_one_bucket_and_one_count()
    {
        await using var live = await LiveFake.StartAsync(o => o.RouteWindow = TimeSpan.FromSeconds(30));
        var interaction = await live.AcknowledgedCommandAsync();
        var followup = await live.Rest.WebhookAsync(HttpMethod.Post, live.Rest.FollowupPath(interaction), new { content = "more" });
        var followupId = followup.Body!["id"]!.GetValue<string>();

        var responses = new List<RawResponse>();
        for (var i = 0; i < 3; i++)
        {
            responses.Add(await live.Rest.WebhookAsync(HttpMethod.Patch, live.Rest.OriginalPath(interaction), new { content = $"answer {i}" }));
        }
        for (var i = 0; i < 2; i++)
        {
            responses.Add(await live.Rest.WebhookAsync(HttpMethod.Patch, live.Rest.FollowupPath(interaction, followupId), new { content = $"more {i}" }));
        }
        var sixth = await live.Rest.WebhookAsync(HttpMethod.Patch, live.Rest.FollowupPath(interaction, followupId), new { content = "one too many" });

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.Status));
        Assert.Single(responses.Select(r => r.Header("X-RateLimit-Bucket")).Distinct());
        Assert.Equal(["4", "3", "2", "1", "0"], responses.Select(r => r.Header("X-RateLimit-Remaining") ?? "(none)"));
        Assert.Equal(HttpStatusCode.TooManyRequests, sixth.Status);
        Assert.Equal(responses[0].Header("X-RateLimit-Bucket"), sixth.Header("X-RateLimit-Bucket"));
        Assert.Equal("user", sixth.Header("X-RateLimit-Scope"));
    }

    [Fact]
    public async Task A_route_outside_the_group_has_a_bucket_of_its_own()
    {
        await using var live = await LiveFake.StartAsync();
        var interaction = await live.AcknowledgedCommandAsync();

        var edit = await live.Rest.WebhookAsync(HttpMethod.Patch, live.Rest.OriginalPath(interaction), new { content = "answer" });
        var read = await live.Rest.WebhookAsync(HttpMethod.Get, live.Rest.OriginalPath(interaction));

        Assert.NotEqual(edit.Header("X-RateLimit-Bucket"), read.Header("X-RateLimit-Bucket"));
        Assert.Equal(FakeRest.Routes.EditOriginal, live.Fake.Rest.BucketOf(FakeRest.Routes.EditFollowup));
        Assert.Equal(FakeRest.Routes.GetOriginal, live.Fake.Rest.BucketOf(FakeRest.Routes.GetOriginal));
    }

    [Fact]
    public async Task Routes_have_limits_of_their_own_and_a_429_carries_every_header_and_the_json_body()
    {
        await using var live = await LiveFake.StartAsync(o => o.RouteLimits[FakeRest.Routes.CreateMessage] = (2, TimeSpan.FromSeconds(30)));
        var post = () => live.Rest.BotAsync(HttpMethod.Post, "channels/444000000000000001/messages", new { content = "hello" });

        var typing = await live.Rest.BotAsync(HttpMethod.Post, "channels/444000000000000001/typing");
        var first = await post();
        var second = await post();
        var third = await post();

        Assert.Equal("5", typing.Header("X-RateLimit-Limit"));
        Assert.Equal("2", first.Header("X-RateLimit-Limit"));
        Assert.Equal("1", first.Header("X-RateLimit-Remaining"));
        Assert.Equal("0", second.Header("X-RateLimit-Remaining"));
        Assert.Equal(HttpStatusCode.TooManyRequests, third.Status);
        Assert.Equal("2", third.Header("X-RateLimit-Limit"));
        Assert.Equal("0", third.Header("X-RateLimit-Remaining"));
        Assert.Equal("user", third.Header("X-RateLimit-Scope"));
        Assert.Equal(first.Header("X-RateLimit-Bucket"), third.Header("X-RateLimit-Bucket"));
        var resetAfter = double.Parse(third.Header("X-RateLimit-Reset-After")!, CultureInfo.InvariantCulture);
        Assert.InRange(resetAfter, 1, 30);
        var reset = double.Parse(third.Header("X-RateLimit-Reset")!, CultureInfo.InvariantCulture);
        Assert.InRange(reset - DateTimeOffset.UtcNow.ToUnixTimeSeconds(), 0, 31);
        Assert.Equal(Math.Ceiling(resetAfter).ToString(CultureInfo.InvariantCulture), third.Header("Retry-After"));
        Assert.Equal("You are being rate limited.", third.Body!["message"]!.GetValue<string>());
        Assert.InRange(third.Body["retry_after"]!.GetValue<double>(), 1, 30);
        Assert.False(third.Body["global"]!.GetValue<bool>());
        Assert.Equal(1, live.Fake.Rest.InvalidRequestCount);
    }

    [Fact]
    public async Task A_shared_scope_429_is_marked_shared_and_does_not_count_as_invalid()
    {
        await using var live = await LiveFake.StartAsync();
        live.Fake.Rest.ScriptRateLimit(FakeRest.Routes.CreateMessage, FakeRateLimitScope.Shared, TimeSpan.FromMilliseconds(200));

        var limited = await live.Rest.BotAsync(HttpMethod.Post, "channels/444000000000000001/messages", new { content = "hello" });

        Assert.Equal(HttpStatusCode.TooManyRequests, limited.Status);
        Assert.Equal("shared", limited.Header("X-RateLimit-Scope"));
        Assert.Null(limited.Header("X-RateLimit-Global"));
        Assert.NotNull(limited.Header("X-RateLimit-Bucket"));
        Assert.NotNull(limited.Header("Retry-After"));
        Assert.False(limited.Body!["global"]!.GetValue<bool>());
        Assert.Equal(0.2, limited.Body["retry_after"]!.GetValue<double>(), 3);
        Assert.Equal(0, live.Fake.Rest.InvalidRequestCount);
        Assert.Equal(1, live.Fake.Rest.RateLimitedCount);

        await Task.Delay(TimeSpan.FromMilliseconds(250), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, (await live.Rest.BotAsync(HttpMethod.Post, "channels/444000000000000001/messages", new { content = "hello" })).Status);
    }
}
