using System.Net.WebSockets;
using System.Text.Json;
using Compliance.Testing.FakeDiscord;

namespace Compliance.Testing.Tests.FakeDiscord;

/// <summary>
/// Resuming (gateway docs §Resuming, §Initiating a Disconnect, §Heartbeat Interval): a session survives a non-1000
/// disconnect for a few minutes; an unknown or expired one gets op 9 <c>false</c>; a client that stops
/// heartbeating is disconnected and "forced to Resume"; a resume host that cannot be reached leaves the client the
/// gateway URL.
/// </summary>
public sealed class ResumeTests
{
    private static Task<FakeDiscordServer> StartAsync(Action<FakeDiscordOptions>? configure = null)
    {
        var options = new FakeDiscordOptions { HeartbeatInterval = TimeSpan.FromSeconds(30) };
        configure?.Invoke(options);
        return FakeDiscordServer.StartAsync(options, TestContext.Current.CancellationToken);
    }

    private static async Task LeaveResumableAsync(FakeDiscordServer fake, RawGateway gateway)
    {
        await gateway.CloseAsync(4000);
        await gateway.DisposeAsync();
        await FakeDiscordServer.WaitUntilAsync(() => fake.Gateway.CurrentSession?.Connection is null, null, "the session to lose its connection");
    }

    private static async Task<JsonElement> ResumeAsync(FakeDiscordServer fake, JsonElement ready, long seq, RawGateway? on = null)
    {
        var gateway = on ?? await RawGateway.ConnectAsync(new Uri(ready.GetProperty("resume_gateway_url").GetString()!));
        try
        {
            await gateway.SendResumeAsync(fake.Options.BotToken, ready.GetProperty("session_id").GetString()!, seq);
            return (await gateway.ReceiveAsync())!.Value;
        }
        finally
        {
            if (on is null)
            {
                await gateway.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task A_resume_of_an_unknown_session_gets_op_9_false()
    {
        await using var fake = await StartAsync();
        await using var gateway = await RawGateway.ConnectAsync(fake.Gateway.ResumeUrl);

        await gateway.SendResumeAsync(fake.Options.BotToken, "no-such-session", 3);
        var answer = (await gateway.ReceiveAsync())!.Value;

        Assert.Equal(9, answer.GetProperty("op").GetInt32());
        Assert.False(answer.GetProperty("d").GetBoolean());
    }

    [Fact]
    public async Task A_resume_within_the_window_replays_what_was_missed_then_RESUMED()
    {
        await using var fake = await StartAsync();
        var (first, ready) = await RawGateway.IdentifyAsync(fake);
        await LeaveResumableAsync(fake, first);
        await fake.SendUserMessageAsync("while you were away", mentionBot: true);
        fake.Clock.Advance(TimeSpan.FromMinutes(2));

        await using var second = await RawGateway.ConnectAsync(new Uri(ready.GetProperty("resume_gateway_url").GetString()!));
        var replayed = await ResumeAsync(fake, ready, 1, second);

        // The message came from a guild the bot had not seen: Discord announces the guild first (GUILD_CREATE).
        Assert.Equal("GUILD_CREATE", replayed.GetProperty("t").GetString());
        Assert.Equal(2, RawGateway.Sequence(replayed));
        var message = (await second.ReceiveAsync())!.Value;
        Assert.Equal("MESSAGE_CREATE", message.GetProperty("t").GetString());
        Assert.Equal(3, RawGateway.Sequence(message));
        await second.ReceiveDispatchAsync("RESUMED");
    }

    [Fact]
    public async Task A_resume_after_the_session_expired_gets_op_9_false()
    {
        await using var fake = await StartAsync(o => o.SessionResumeWindow = TimeSpan.FromMinutes(3));
        var (first, ready) = await RawGateway.IdentifyAsync(fake);
        await LeaveResumableAsync(fake, first);

        fake.Clock.Advance(TimeSpan.FromMinutes(3) + TimeSpan.FromSeconds(1));
        var answer = await ResumeAsync(fake, ready, 1);

        Assert.Equal(9, answer.GetProperty("op").GetInt32());
        Assert.False(answer.GetProperty("d").GetBoolean());
    }

    [Fact]
    public async Task A_client_close_with_1000_ends_the_session()
    {
        await using var fake = await StartAsync();
        var (first, ready) = await RawGateway.IdentifyAsync(fake);
        await first.CloseAsync(1000);
        await first.DisposeAsync();

        var answer = await ResumeAsync(fake, ready, 1);

        Assert.Equal(9, answer.GetProperty("op").GetInt32());
        Assert.False(answer.GetProperty("d").GetBoolean());
    }

    [Fact]
    public async Task A_client_that_stops_heartbeating_is_disconnected_but_can_resume()
    {
        await using var fake = await StartAsync(o =>
        {
            o.HeartbeatInterval = TimeSpan.FromMilliseconds(100);
            o.HeartbeatTimeout = TimeSpan.FromMilliseconds(400);
        });
        var (silent, ready) = await RawGateway.IdentifyAsync(fake);
        await using var _s = silent;

        await silent.ReceiveUntilClosedAsync();

        Assert.Equal(4009, silent.CloseCode);
        Assert.NotNull(fake.Gateway.CurrentSession);
        await fake.SendUserMessageAsync("sent after the close", mentionBot: true);
        await using var second = await RawGateway.ConnectAsync(new Uri(ready.GetProperty("resume_gateway_url").GetString()!));
        await second.SendHeartbeatAsync(1);
        var replayed = await ResumeAsync(fake, ready, 1, second);
        // Skip heartbeat ACKs and the GUILD_CREATE announcing the message's guild, which the bot had not seen.
        while (replayed.GetProperty("op").GetInt32() == 11 || replayed.GetProperty("t").GetString() == "GUILD_CREATE")
        {
            replayed = (await second.ReceiveAsync())!.Value;
        }
        Assert.Equal("MESSAGE_CREATE", replayed.GetProperty("t").GetString());
    }

    [Fact]
    public async Task A_zombie_connection_whose_heartbeats_get_no_ack_can_be_closed_with_4000_and_resumed()
    {
        await using var fake = await StartAsync();
        var (zombie, ready) = await RawGateway.IdentifyAsync(fake);
        fake.Gateway.Connections[^1].WithholdAcks = true;
        await zombie.SendHeartbeatAsync(1);

        // No ACK comes: the client closes with a code other than 1000/1001 and resumes, as the docs say.
        Assert.Null(await ReceiveOrNothingAsync(zombie, TimeSpan.FromMilliseconds(300)));
        await LeaveResumableAsync(fake, zombie);
        var answer = await ResumeAsync(fake, ready, 1);

        Assert.Equal("RESUMED", answer.GetProperty("t").GetString());
    }

    [Fact]
    public async Task With_an_unreachable_resume_host_the_resume_url_refuses_and_the_gateway_url_still_identifies()
    {
        await using var fake = await StartAsync(o => o.ResumeGatewayUnreachable = true);
        var (first, ready) = await RawGateway.IdentifyAsync(fake);
        await LeaveResumableAsync(fake, first);
        var resumeUrl = new Uri(ready.GetProperty("resume_gateway_url").GetString()!);
        Assert.NotEqual(fake.Gateway.Url.Port, resumeUrl.Port);

        await Assert.ThrowsAsync<WebSocketException>(() => RawGateway.ConnectAsync(resumeUrl));

        fake.Clock.Advance(TimeSpan.FromSeconds(5));
        var (fresh, readyAgain) = await RawGateway.IdentifyAsync(fake);
        await using var _f = fresh;
        Assert.NotEqual(ready.GetProperty("session_id").GetString(), readyAgain.GetProperty("session_id").GetString());
    }

    private static async Task<JsonElement?> ReceiveOrNothingAsync(RawGateway gateway, TimeSpan wait)
    {
        try
        {
            return await gateway.ReceiveAsync(wait);
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }
}
