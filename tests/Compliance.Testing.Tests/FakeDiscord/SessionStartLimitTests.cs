using System.Net;
using Compliance.Testing.FakeDiscord;

namespace Compliance.Testing.Tests.FakeDiscord;

/// <summary>
/// <c>session_start_limit</c> (gateway docs §Identifying, §Session Start Limit Object, §Max Concurrency): each
/// Identify spends one of <c>remaining</c>; more than <c>max_concurrency</c> per 5 s per rate-limit key get op 9;
/// an Identify with none left ends every session and resets the bot token.
/// </summary>
public sealed class SessionStartLimitTests
{
    private static Task<FakeDiscordServer> StartAsync(Action<FakeDiscordOptions>? configure = null)
    {
        var options = new FakeDiscordOptions { HeartbeatInterval = TimeSpan.FromSeconds(30) };
        configure?.Invoke(options);
        return FakeDiscordServer.StartAsync(options, TestContext.Current.CancellationToken);
    }

    private static async Task<System.Text.Json.Nodes.JsonNode> SessionStartLimitAsync(RawRest rest)
    {
        var response = await rest.BotAsync(HttpMethod.Get, "gateway/bot");
        Assert.Equal(HttpStatusCode.OK, response.Status);
        return response.Body!["session_start_limit"]!;
    }

    [Fact]
    public async Task Gateway_bot_reports_real_looking_limits_and_each_identify_spends_one_start()
    {
        await using var fake = await StartAsync();
        using var rest = new RawRest(fake);

        var before = await SessionStartLimitAsync(rest);
        Assert.Equal(1000, before["total"]!.GetValue<int>());
        Assert.Equal(1000, before["remaining"]!.GetValue<int>());
        Assert.Equal(1, before["max_concurrency"]!.GetValue<int>());
        // reset_after counts down from 24 hours, in milliseconds.
        Assert.InRange(before["reset_after"]!.GetValue<long>(), 86_000_000, 86_400_000);

        var (gateway, _) = await RawGateway.IdentifyAsync(fake);
        await using var _g = gateway;

        Assert.Equal(999, (await SessionStartLimitAsync(rest))["remaining"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_resume_spends_no_start()
    {
        await using var fake = await StartAsync();
        using var rest = new RawRest(fake);
        var (first, ready) = await RawGateway.IdentifyAsync(fake);
        await first.CloseAsync(4000);
        await first.DisposeAsync();
        await FakeDiscordServer.WaitUntilAsync(() => fake.Gateway.CurrentSession?.Connection is null, null, "the session to lose its connection");

        await using var second = await RawGateway.ConnectAsync(new Uri(ready.GetProperty("resume_gateway_url").GetString()!));
        await second.SendResumeAsync(fake.Options.BotToken, ready.GetProperty("session_id").GetString()!, 1);
        await second.ReceiveDispatchAsync("RESUMED");

        Assert.Equal(999, (await SessionStartLimitAsync(rest))["remaining"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_second_identify_within_five_seconds_gets_op_9_false_and_starts_nothing()
    {
        await using var fake = await StartAsync();
        var (first, _) = await RawGateway.IdentifyAsync(fake);
        await using var _f = first;

        await using var second = await RawGateway.ConnectAsync(fake.Gateway.Url);
        await second.SendIdentifyAsync(fake.Options.BotToken);
        var answer = await second.ReceiveAsync();

        Assert.Equal(9, answer!.Value.GetProperty("op").GetInt32());
        Assert.False(answer.Value.GetProperty("d").GetBoolean());
        Assert.Equal(1, fake.Gateway.IdentifyCount);
        Assert.Equal(1, fake.Gateway.SessionStarts.TooFastCount);
        Assert.Equal(999, fake.Gateway.SessionStarts.Remaining);

        // Five seconds later (on the fake's clock) the same Identify starts a session.
        fake.Clock.Advance(TimeSpan.FromSeconds(5));
        var (third, ready) = await RawGateway.IdentifyAsync(fake);
        await using var _t = third;
        Assert.NotEqual("", ready.GetProperty("session_id").GetString());
        Assert.Equal(998, fake.Gateway.SessionStarts.Remaining);
    }

    [Fact]
    public async Task With_max_concurrency_2_two_shards_of_different_keys_start_together_and_a_third_on_a_used_key_does_not()
    {
        await using var fake = await StartAsync(o => o.SessionStartLimit.MaxConcurrency = 2);

        var (shard0, _) = await RawGateway.IdentifyAsync(fake, shard: [0, 4]);
        await using var _0 = shard0;
        var (shard1, _) = await RawGateway.IdentifyAsync(fake, shard: [1, 4]);
        await using var _1 = shard1;
        // Shard 2's rate-limit key is 2 % 2 = 0, which shard 0 used less than 5 s ago.
        await using var shard2 = await RawGateway.ConnectAsync(fake.Gateway.Url);
        await shard2.SendIdentifyAsync(fake.Options.BotToken, shard: [2, 4]);

        Assert.Equal(9, (await shard2.ReceiveAsync())!.Value.GetProperty("op").GetInt32());
        Assert.Equal(2, fake.Gateway.IdentifyCount);
    }

    [Fact]
    public async Task An_identify_with_no_starts_left_ends_every_session_and_resets_the_bot_token()
    {
        await using var fake = await StartAsync(o => o.SessionStartLimit.Remaining = 1);
        using var rest = new RawRest(fake);
        var oldToken = fake.Options.BotToken;
        var (live, _) = await RawGateway.IdentifyAsync(fake);
        await using var _l = live;
        Assert.Equal(0, (await SessionStartLimitAsync(rest))["remaining"]!.GetValue<int>());
        fake.Clock.Advance(TimeSpan.FromSeconds(5));

        await using var over = await RawGateway.ConnectAsync(fake.Gateway.Url);
        await over.SendIdentifyAsync(oldToken);

        await over.ReceiveUntilClosedAsync();
        Assert.Equal(4004, over.CloseCode);
        await live.ReceiveUntilClosedAsync();
        Assert.Equal(4004, live.CloseCode);
        Assert.Null(fake.Gateway.CurrentSession);
        Assert.Equal(1, fake.Gateway.SessionStarts.TokenResets);
        // The token is reset everywhere: REST refuses it as well.
        Assert.Equal(HttpStatusCode.Unauthorized, (await rest.BotAsync(HttpMethod.Get, "gateway/bot", token: oldToken)).Status);
        Assert.NotEqual(oldToken, fake.Options.BotToken);
    }

    [Fact]
    public async Task The_limit_refills_when_reset_after_has_passed()
    {
        await using var fake = await StartAsync(o =>
        {
            o.SessionStartLimit.Remaining = 0;
            o.SessionStartLimit.ResetAfter = TimeSpan.FromHours(3);
        });
        using var rest = new RawRest(fake);
        var before = await SessionStartLimitAsync(rest);
        Assert.Equal(0, before["remaining"]!.GetValue<int>());
        Assert.InRange(before["reset_after"]!.GetValue<long>(), 10_700_000, 10_800_000);

        fake.Clock.Advance(TimeSpan.FromHours(3));

        var after = await SessionStartLimitAsync(rest);
        Assert.Equal(1000, after["remaining"]!.GetValue<int>());
        Assert.InRange(after["reset_after"]!.GetValue<long>(), 10_700_000, 10_800_000);
    }
}
