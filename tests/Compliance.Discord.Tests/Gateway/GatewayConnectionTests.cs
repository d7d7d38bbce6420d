using System.Text.Json.Nodes;
using Compliance.Discord.Gateway;
using Compliance.Testing.FakeDiscord;

namespace Compliance.Discord.Tests.Gateway;

public sealed class GatewayConnectionTests
{
    private static readonly int[] ExpectedBackoffMilliseconds = [50, 100, 200, 400, 400];

    private static JsonObject Message(string content) => new()
    {
        ["id"] = "900000000000000001",
        ["channel_id"] = "444000000000000001",
        ["author"] = new JsonObject { ["id"] = "555000000000000001", ["username"] = "alice" },
        ["content"] = content,
        ["mentions"] = new JsonArray(),
        ["type"] = 0,
    };

    [Fact]
    public async Task Identify_with_configured_intents_and_shard_then_READY_stores_the_session()
    {
        await using var h = await GatewayHarness.StartAsync(client: o => { o.ShardId = 1; o.ShardCount = 2; });

        var ready = await h.WaitForReadyAsync();

        var connection = h.Fake.Gateway.Connections[0];
        Assert.Equal("/gateway", connection.Path);
        Assert.Contains("v=10", connection.Query, StringComparison.Ordinal);
        Assert.Contains("encoding=json", connection.Query, StringComparison.Ordinal);
        var identify = connection.IdentifyData!;
        Assert.Equal(4609, identify["intents"]!.GetValue<int>());
        Assert.Equal([1, 2], identify["shard"]!.AsArray().Select(n => n!.GetValue<int>()));
        Assert.False(string.IsNullOrEmpty(identify["properties"]!["os"]!.GetValue<string>()));

        var session = h.Fake.Gateway.CurrentSession!;
        Assert.Equal(session.Id, h.Client.SessionId);
        Assert.Equal(h.Fake.Gateway.ResumeUrl.ToString().TrimEnd('/'), h.Client.ResumeGatewayUrl!.ToString().TrimEnd('/'));
        Assert.Equal(h.Fake.Options.ApplicationId, h.Client.ApplicationId);
        Assert.Equal(h.Fake.Options.BotUserId, h.Client.UserId);
        Assert.Equal(h.Fake.Options.BotUserId, ready.Ready.User.Id);
        Assert.Equal(1, h.Client.LastSequence);
        Assert.Equal(GatewayConnectionState.Connected, h.Client.State);
    }

    [Fact]
    public async Task First_heartbeat_waits_interval_times_jitter_then_beats_carry_the_last_sequence_and_are_acknowledged()
    {
        await using var h = await GatewayHarness.StartAsync(fake: o => o.HeartbeatInterval = TimeSpan.FromMilliseconds(400), random: () => 0.25);
        await h.WaitForReadyAsync();
        var connection = h.Fake.Gateway.Connections[0];

        await FakeDiscordServer.WaitUntilAsync(() => connection.HeartbeatsReceived >= 3 && h.Client.HeartbeatAcknowledgements >= 3, null, "three acknowledged heartbeats");

        Assert.Equal(TimeSpan.FromMilliseconds(100), h.Client.FirstHeartbeatDelay);
        Assert.Equal(TimeSpan.FromMilliseconds(400), h.Client.HeartbeatInterval);
        // READY was sequence 1 and nothing else was dispatched, so every beat reports 1.
        Assert.All(connection.HeartbeatSequences, s => Assert.Equal(1, s));
        Assert.NotNull(h.Client.LastHeartbeatAck);
        Assert.Single(h.Fake.Gateway.Connections);
    }

    [Fact]
    public async Task A_heartbeat_requested_by_the_server_is_sent_at_once()
    {
        // The scheduled first beat is ~59 s away, so any beat now must be the answer to op 1.
        await using var h = await GatewayHarness.StartAsync(fake: o => o.HeartbeatInterval = TimeSpan.FromSeconds(60), random: () => 0.99);
        await h.WaitForReadyAsync();
        var connection = h.Fake.Gateway.Connections[0];
        Assert.Equal(0, connection.HeartbeatsReceived);

        await connection.RequestHeartbeatAsync();

        await FakeDiscordServer.WaitUntilAsync(() => connection.HeartbeatsReceived == 1 && connection.AcksSent == 1, TimeSpan.FromSeconds(20), "the requested heartbeat");
        Assert.Equal(1, h.Client.HeartbeatsSent);
    }

    [Fact]
    public async Task A_zombie_connection_is_aborted_and_resumed_on_the_resume_url_with_the_last_sequence_and_replay()
    {
        await using var h = await GatewayHarness.StartAsync(fake: o => o.HeartbeatInterval = TimeSpan.FromMilliseconds(300));
        await h.WaitForReadyAsync();
        var first = h.Fake.Gateway.Connections[0];
        for (var i = 1; i <= 3; i++)
        {
            await h.Fake.Gateway.DispatchAsync("MESSAGE_CREATE", Message($"before {i}"));
        }
        await FakeDiscordServer.WaitUntilAsync(() => h.MessageContents().Count == 3, null, "three messages before the zombie");
        first.WithholdAcks = true;

        // The client sees no ACK, aborts (no close frame) and resumes; meanwhile these are buffered.
        await first.Closed.WaitAsync(TimeSpan.FromSeconds(15), TestContext.Current.CancellationToken);
        for (var i = 1; i <= 3; i++)
        {
            await h.Fake.Gateway.DispatchAsync("MESSAGE_CREATE", Message($"during {i}"));
        }
        await h.WaitForResumedAsync();
        await FakeDiscordServer.WaitUntilAsync(() => h.MessageContents().Count == 6, null, "six messages after the resume");

        Assert.True(first.EndedWithoutClientClose, "a zombie must be aborted, not closed with 1000/1001");
        Assert.Contains(h.Disconnects, d => d.Reason.Contains("zombie", StringComparison.Ordinal) && d.Action == GatewayCloseAction.Resume);
        var second = h.Fake.Gateway.Connections[1];
        Assert.Equal("/gateway-resume", second.Path);
        Assert.Equal(4, second.ResumedFromSequence);
        Assert.Equal(1, h.Fake.Gateway.IdentifyCount);
        Assert.Equal(["before 1", "before 2", "before 3", "during 1", "during 2", "during 3"], h.MessageContents());
    }

    [Fact]
    public async Task Op7_mid_stream_resumes_and_loses_or_duplicates_no_dispatch()
    {
        await using var h = await GatewayHarness.StartAsync();
        await h.WaitForReadyAsync();
        var first = h.Fake.Gateway.Connections[0];

        for (var i = 0; i < 10; i++)
        {
            await h.Fake.Gateway.DispatchAsync("MESSAGE_CREATE", Message($"m{i}"));
        }
        await first.SendReconnectAsync();
        for (var i = 10; i < 20; i++)
        {
            await h.Fake.Gateway.DispatchAsync("MESSAGE_CREATE", Message($"m{i}"));
        }

        await h.WaitForResumedAsync();
        await FakeDiscordServer.WaitUntilAsync(() => h.MessageContents().Count >= 20, null, "all twenty messages");
        Assert.Equal(Enumerable.Range(0, 20).Select(i => $"m{i}"), h.MessageContents());
        Assert.Equal(1, h.Fake.Gateway.IdentifyCount);
        Assert.Equal(1, h.Fake.Gateway.ResumeCount);
        Assert.Equal("/gateway-resume", h.Fake.Gateway.Connections[1].Path);
        Assert.True(first.EndedWithoutClientClose);
        // Sequences arrive strictly increasing.
        var sequences = h.Dispatches.Where(d => d is not ResumedDispatch).Select(d => d.Sequence).ToList();
        Assert.Equal(sequences.Order(), sequences);
        Assert.Equal(sequences.Count, sequences.Distinct().Count());
    }

    [Fact]
    public async Task Op9_resumable_resumes_the_same_session()
    {
        await using var h = await GatewayHarness.StartAsync();
        await h.WaitForReadyAsync();
        var sessionId = h.Client.SessionId;

        await h.Fake.Gateway.Connections[0].SendInvalidSessionAsync(resumable: true);
        await h.WaitForResumedAsync();
        await h.Fake.Gateway.DispatchAsync("MESSAGE_CREATE", Message("after"));
        await FakeDiscordServer.WaitUntilAsync(() => h.MessageContents().Contains("after"), null, "a message after the resume");

        Assert.Equal(sessionId, h.Client.SessionId);
        Assert.Equal(1, h.Fake.Gateway.IdentifyCount);
        Assert.Equal(1, h.Fake.Gateway.ResumeCount);
    }

    [Fact]
    public async Task Op9_not_resumable_clears_the_session_waits_and_identifies_afresh_on_the_gateway_url()
    {
        await using var h = await GatewayHarness.StartAsync(random: () => 0.5);
        await h.WaitForReadyAsync();
        var oldSession = h.Client.SessionId;

        await h.Fake.Gateway.Connections[0].SendInvalidSessionAsync(resumable: false);
        await h.WaitForReadyAsync(2);

        Assert.NotEqual(oldSession, h.Client.SessionId);
        Assert.Equal(2, h.Fake.Gateway.IdentifyCount);
        Assert.Equal(0, h.Fake.Gateway.ResumeCount);
        Assert.Equal("/gateway", h.Fake.Gateway.Connections[1].Path);
        var disconnect = Assert.Single(h.Disconnects);
        Assert.Equal(GatewayCloseAction.NewSession, disconnect.Action);
        // Halfway between the configured 20 and 60 ms, as drawn from the injected random source.
        Assert.Equal(TimeSpan.FromMilliseconds(40), disconnect.DelayBeforeReconnect);
    }

    [Theory]
    [InlineData(4004)]
    [InlineData(4010)]
    [InlineData(4011)]
    [InlineData(4012)]
    [InlineData(4013)]
    [InlineData(4014)]
    public async Task A_fatal_close_code_stops_the_connection_with_a_clear_reason(int code)
    {
        await using var h = await GatewayHarness.StartAsync(connect: false);
        h.Fake.Gateway.CloseNextConnections(1, code);
        await h.Client.StartAsync(TestContext.Current.CancellationToken);

        var error = await Assert.ThrowsAsync<GatewayFatalCloseException>(() => h.Client.Completion.WaitAsync(TimeSpan.FromSeconds(15), TestContext.Current.CancellationToken));

        Assert.Equal(code, error.CloseCode);
        Assert.Contains(code.ToString(System.Globalization.CultureInfo.InvariantCulture), error.Message, StringComparison.Ordinal);
        Assert.Equal(GatewayConnectionState.Stopped, h.Client.State);
        Assert.Single(h.Fake.Gateway.Connections);
        await Assert.ThrowsAsync<GatewayFatalCloseException>(() => h.Client.Dispatches.Completion);
    }

    [Fact]
    public async Task A_bad_token_gets_4004_from_the_fake_and_stops()
    {
        await using var h = await GatewayHarness.StartAsync(client: o => o.BotToken = "wrong-token");
        var error = await Assert.ThrowsAsync<GatewayFatalCloseException>(() => h.Client.Completion.WaitAsync(TimeSpan.FromSeconds(15), TestContext.Current.CancellationToken));
        Assert.Equal(4004, error.CloseCode);
        Assert.Contains("BotToken", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_privileged_intent_not_enabled_gets_4014_and_stops()
    {
        await using var h = await GatewayHarness.StartAsync(client: o => o.Intents |= GatewayIntents.MessageContent);
        var error = await Assert.ThrowsAsync<GatewayFatalCloseException>(() => h.Client.Completion.WaitAsync(TimeSpan.FromSeconds(15), TestContext.Current.CancellationToken));
        Assert.Equal(4014, error.CloseCode);
        Assert.Contains("Developer Portal", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Too_few_shards_gets_4011_and_stops()
    {
        await using var h = await GatewayHarness.StartAsync(fake: o => o.RequiredShardCount = 2);
        var error = await Assert.ThrowsAsync<GatewayFatalCloseException>(() => h.Client.Completion.WaitAsync(TimeSpan.FromSeconds(15), TestContext.Current.CancellationToken));
        Assert.Equal(4011, error.CloseCode);
    }

    [Theory]
    [InlineData(4000)]
    [InlineData(4001)]
    [InlineData(4002)]
    [InlineData(4008)]
    [InlineData(0)] // 0: the fake drops the TCP connection without a close frame.
    public async Task A_resumable_close_resumes_the_session(int code)
    {
        await using var h = await GatewayHarness.StartAsync();
        await h.WaitForReadyAsync();
        var connection = h.Fake.Gateway.Connections[0];

        if (code == 0)
        {
            connection.Drop();
        }
        else
        {
            await connection.CloseAsync(code);
        }
        await h.WaitForResumedAsync();

        Assert.Equal(1, h.Fake.Gateway.IdentifyCount);
        Assert.Equal(1, h.Fake.Gateway.ResumeCount);
        Assert.Equal("/gateway-resume", h.Fake.Gateway.Connections[1].Path);
        Assert.Equal(GatewayCloseAction.Resume, Assert.Single(h.Disconnects).Action);
    }

    [Theory]
    [InlineData(4003)]
    [InlineData(4005)]
    [InlineData(4007)]
    [InlineData(4009)]
    [InlineData(1000)]
    public async Task A_session_ending_close_identifies_a_new_session(int code)
    {
        await using var h = await GatewayHarness.StartAsync();
        await h.WaitForReadyAsync();

        await h.Fake.Gateway.Connections[0].CloseAsync(code);
        await h.WaitForReadyAsync(2);

        Assert.Equal(2, h.Fake.Gateway.IdentifyCount);
        Assert.Equal(0, h.Fake.Gateway.ResumeCount);
        Assert.Equal("/gateway", h.Fake.Gateway.Connections[1].Path);
        Assert.Equal(GatewayCloseAction.NewSession, Assert.Single(h.Disconnects).Action);
    }

    [Fact]
    public async Task Back_off_doubles_between_consecutive_failures_up_to_the_cap_and_resets_after_success()
    {
        await using var h = await GatewayHarness.StartAsync(random: () => 0.0, connect: false);
        h.Fake.Gateway.CloseNextConnections(5, 4000);
        await h.Client.StartAsync(TestContext.Current.CancellationToken);

        await h.WaitForReadyAsync();
        Assert.Equal(
            ExpectedBackoffMilliseconds.Select(ms => TimeSpan.FromMilliseconds(ms)),
            h.Disconnects.Select(d => d.DelayBeforeReconnect));
        Assert.Equal([1, 2, 3, 4, 5], h.Disconnects.Select(d => d.ConsecutiveFailures));

        // After a success the next drop reconnects at once.
        h.Fake.Gateway.Connections[^1].Drop();
        await h.WaitForResumedAsync();
        Assert.Equal(TimeSpan.Zero, h.Disconnects.Last().DelayBeforeReconnect);
    }

    [Fact]
    public async Task The_send_limiter_keeps_a_burst_under_the_servers_limit()
    {
        await using var h = await GatewayHarness.StartAsync(
            // The fake allows a little more than the client budgets, as arrival times bunch on a busy machine;
            // without the limiter, 40 sends in well under a second would still break it.
            fake: o => { o.SendLimit = 28; o.SendWindow = TimeSpan.FromSeconds(1); o.HeartbeatInterval = TimeSpan.FromSeconds(2); },
            client: o => { o.Gateway.SendLimit = 20; o.Gateway.SendWindow = TimeSpan.FromSeconds(1); });
        await h.WaitForReadyAsync();

        for (var i = 0; i < 40; i++)
        {
            await h.Client.UpdatePresenceAsync(new PresenceUpdate { Activities = [new PresenceActivity("status", 4) { State = $"#{i}" }] }, TestContext.Current.CancellationToken);
        }
        await FakeDiscordServer.WaitUntilAsync(() => h.Fake.Gateway.OrdinarySendCount == 40, null, "all presence updates");

        Assert.DoesNotContain(4008, h.Fake.Gateway.ServerCloseCodes);
        Assert.Single(h.Fake.Gateway.Connections);
        // Heartbeats kept their reserve: the ordinary budget is below the limit.
        Assert.InRange(h.Client.OrdinarySendBudget, 1, 14);
        Assert.Empty(h.Disconnects);
    }

    [Fact]
    public async Task Without_a_correct_limit_the_fake_closes_with_4008_which_proves_the_limiter_is_what_protects_us()
    {
        await using var h = await GatewayHarness.StartAsync(
            fake: o => { o.SendLimit = 20; o.SendWindow = TimeSpan.FromSeconds(30); },
            client: o => { o.Gateway.SendLimit = 1000; o.Gateway.SendWindow = TimeSpan.FromSeconds(1); });
        await h.WaitForReadyAsync();

        for (var i = 0; i < 30; i++)
        {
            try
            {
                await h.Client.UpdatePresenceAsync(new PresenceUpdate(), TestContext.Current.CancellationToken);
            }
            catch (InvalidOperationException)
            {
                break; // Disconnected by the 4008.
            }
        }

        await FakeDiscordServer.WaitUntilAsync(() => h.Fake.Gateway.ServerCloseCodes.Contains(4008), null, "a 4008 close");
        // 4008 keeps the session: the client resumes rather than identifying again.
        await h.WaitForResumedAsync();
        Assert.Equal(1, h.Fake.Gateway.IdentifyCount);
    }

    [Fact]
    public async Task A_payload_over_4096_bytes_is_refused_before_sending_and_the_connection_survives()
    {
        await using var h = await GatewayHarness.StartAsync();
        await h.WaitForReadyAsync();

        var huge = new PresenceUpdate { Activities = [new PresenceActivity(new string('x', 5000), 0)] };
        await Assert.ThrowsAsync<GatewayPayloadTooLargeException>(() => h.Client.UpdatePresenceAsync(huge, TestContext.Current.CancellationToken).AsTask());

        await h.Client.UpdatePresenceAsync(new PresenceUpdate(), TestContext.Current.CancellationToken);
        await FakeDiscordServer.WaitUntilAsync(() => h.Fake.Gateway.OrdinarySendCount == 1, null, "the small presence update");
        Assert.Empty(h.Fake.Gateway.ServerCloseCodes);
    }

    [Fact]
    public async Task A_large_dispatch_split_across_frames_is_reassembled()
    {
        await using var h = await GatewayHarness.StartAsync();
        await h.WaitForReadyAsync();
        var big = string.Concat(Enumerable.Range(0, 20_000).Select(i => (char)('a' + (i % 26))));

        await h.Fake.Gateway.DispatchAsync("GUILD_CREATE", new JsonObject { ["id"] = "222", ["description"] = big });

        var dispatch = await h.WaitForDispatchAsync<RawDispatch>(d => d.Name == "GUILD_CREATE");
        Assert.Equal(big, dispatch.Data.GetProperty("description").GetString());
    }

    [Fact]
    public async Task Stop_closes_with_1000_which_ends_the_session_on_discords_side()
    {
        await using var h = await GatewayHarness.StartAsync();
        await h.WaitForReadyAsync();
        var session = h.Fake.Gateway.CurrentSession!;
        var connection = h.Fake.Gateway.Connections[0];

        await h.Client.StopAsync(TestContext.Current.CancellationToken);
        await connection.Closed.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);

        Assert.Equal(1000, connection.ClientCloseCode);
        Assert.True(session.Invalidated);
        Assert.Equal(GatewayConnectionState.Stopped, h.Client.State);
        Assert.True(h.Client.Completion.IsCompletedSuccessfully);
    }
}
