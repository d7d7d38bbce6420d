using Compliance.Bot.Tests.Infrastructure;
using Compliance.Testing.FakeDiscord;
using Microsoft.Extensions.DependencyInjection;

namespace Compliance.Bot.Tests.Gateway;

/// <summary>Gateway faults while answers are in flight: nothing is lost, nothing is sent twice.</summary>
public sealed class GatewayResilienceTests
{
    [Fact]
    public async Task An_op_7_reconnect_mid_stream_loses_no_interaction()
    {
        await using var bot = await BotHarness.StartAsync();
        bot.Api.DefaultAnswer = new StubAnswer { WordsPerDelta = 1, DelayBetweenDeltas = TimeSpan.FromMilliseconds(60) };
        var first = await bot.Discord.SendGuildCommandAsync("ask", Messages.Question("First question?"));
        await FakeDiscordServer.WaitUntilAsync(() => first.Edits > 0, null, "the first streamed edit");

        var connection = bot.Discord.Gateway.Connections[^1];
        await connection.SendReconnectAsync();
        // Dispatched while the bot is away: the session buffers it and replays it on resume.
        var second = await bot.Discord.SendGuildCommandAsync("ask", Messages.Question("Second question?"), userId: 555_000_000_000_000_002);
        await bot.WaitIdleAsync(second);
        await bot.WaitIdleAsync(first);

        Assert.True(bot.Discord.Gateway.ResumeCount >= 1);
        Assert.Equal(1, bot.Discord.Gateway.IdentifyCount);
        foreach (var interaction in new[] { first, second })
        {
            Assert.Equal(5, interaction.CallbackType);
            Assert.Equal(1, interaction.CallbackAttempts);
            Assert.Contains("[1]", interaction.OriginalMessage!.Content(), StringComparison.Ordinal);
            Assert.Equal(3, interaction.OriginalMessage!.Buttons().Count);
        }
        Assert.Equal(2, bot.Api.Questions.Count);
    }

    [Fact]
    public async Task A_zombie_connection_is_detected_and_resumed_and_the_bot_keeps_answering()
    {
        await using var bot = await BotHarness.StartAsync();
        var zombie = bot.Discord.Gateway.Connections[^1];
        zombie.WithholdAcks = true;

        await FakeDiscordServer.WaitUntilAsync(() => bot.Discord.Gateway.ResumeCount >= 1 && bot.Discord.Gateway.Connections.Count >= 2, TimeSpan.FromSeconds(15), "the bot to give up on the silent connection and resume");
        Assert.Equal(1, bot.Discord.Gateway.IdentifyCount);
        Assert.NotEqual(1000, zombie.ClientCloseCode);

        var interaction = await bot.Discord.SendGuildCommandAsync("ask", Messages.Question("Still there?"));
        await bot.WaitIdleAsync(interaction);
        Assert.Contains("[1]", interaction.OriginalMessage!.Content(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rate_limits_on_edits_are_waited_out_without_a_cascade()
    {
        await using var bot = await BotHarness.StartAsync();
        bot.Api.DefaultAnswer = new StubAnswer { WordsPerDelta = 1, DelayBetweenDeltas = TimeSpan.FromMilliseconds(40) };
        bot.Discord.Rest.ScriptRateLimit(FakeRest.Routes.EditOriginal, FakeRateLimitScope.Route, TimeSpan.FromMilliseconds(700), count: 2);

        var interaction = await bot.Discord.SendGuildCommandAsync("ask", Messages.Question("Rate limited?"));
        await bot.WaitIdleAsync(interaction);

        // Only the two scripted 429s: the bot waited each retry_after instead of hammering the route.
        Assert.Equal(2, bot.Discord.Rest.RateLimitedCount);
        Assert.Equal(2, bot.Discord.Rest.ScriptedInvalidRequestCount);
        Assert.Equal(0, bot.Discord.Rest.UnscriptedInvalidRequestCount);
        Assert.Contains("[1]", interaction.OriginalMessage!.Content(), StringComparison.Ordinal);
        Assert.Equal(3, interaction.OriginalMessage!.Buttons().Count);
    }

    [Fact]
    public async Task When_the_resume_host_cannot_be_reached_the_bot_identifies_afresh_and_keeps_answering()
    {
        await using var bot = await BotHarness.StartAsync(discordOptions: new FakeDiscordOptions
        {
            HeartbeatInterval = TimeSpan.FromMilliseconds(500),
            ResumeGatewayUnreachable = true,
        });
        bot.Discord.Gateway.Connections[^1].Drop();

        var fallback = bot.Services.GetRequiredService<Compliance.Bot.Gateway.ResumeFallback>();
        await FakeDiscordServer.WaitUntilAsync(() => bot.Discord.Gateway.Connections.Count >= 2 && bot.Discord.Gateway.CurrentSession is { Connection: not null },
            TimeSpan.FromSeconds(30), $"a new connection on the gateway URL (connections {bot.Discord.Gateway.Connections.Count}, fallbacks {fallback.Fallbacks}, logs: {string.Join(" | ", bot.Logs.Entries.Where(e => e.Level >= Microsoft.Extensions.Logging.LogLevel.Warning).Select(e => e.Message + " " + e.Exception?.Split('\n')[0]))})");
        await FakeDiscordServer.WaitUntilAsync(() => bot.Worker.Connected, TimeSpan.FromSeconds(20), "the bot to be connected again");
        // The resume host refused the connection; the bot went back to the gateway URL (where Discord takes the
        // Resume, or answers op 9 and the bot identifies afresh) instead of retrying the dead host forever.
        Assert.True(fallback.Fallbacks >= 1);
        Assert.All(bot.Discord.Gateway.Connections, c => Assert.Equal("/gateway", c.Path));
        Assert.True(bot.Discord.Gateway.ResumeCount + bot.Discord.Gateway.IdentifyCount >= 2);

        var interaction = await bot.Discord.SendGuildCommandAsync("ask", Messages.Question("Still there?"));
        await bot.WaitIdleAsync(interaction);
        Assert.Contains("[1]", interaction.OriginalMessage!.Content(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_no_session_starts_left_the_bot_waits_for_the_reset_instead_of_identifying()
    {
        var discord = await FakeDiscordServer.StartAsync(new FakeDiscordOptions { HeartbeatInterval = TimeSpan.FromMilliseconds(500) }, TestContext.Current.CancellationToken);
        // An Identify now would make Discord reset the bot's token.
        discord.Gateway.SessionStarts.SetRemaining(0);
        await using var bot = await BotHarness.StartAsync(discord: discord, waitForReady: false);

        await FakeDiscordServer.WaitForAsync(() => bot.Logs.Entries.FirstOrDefault(e => e.Message.Contains("session start limit is used up", StringComparison.Ordinal)), null, "the bot to say why it waits");
        await Task.Delay(TimeSpan.FromSeconds(1), TestContext.Current.CancellationToken);

        Assert.Empty(bot.Discord.Gateway.Connections);
        Assert.Equal(0, bot.Discord.Gateway.SessionStarts.TokenResets);
        Assert.False(File.Exists(bot.LivenessFile));
    }

    [Fact]
    public async Task Shutdown_closes_the_session_normally_and_removes_the_liveness_signal()
    {
        await using var bot = await BotHarness.StartAsync();
        await FakeDiscordServer.WaitUntilAsync(() => File.Exists(bot.LivenessFile), null, "the liveness file");
        Assert.Equal(0, Compliance.Bot.Health.LivenessFile.Check(bot.LivenessFile, TimeSpan.FromSeconds(5), DateTimeOffset.UtcNow, TextWriter.Null));
        var connection = bot.Discord.Gateway.Connections[^1];

        await bot.StopBotAsync();

        Assert.Equal(1000, connection.ClientCloseCode);
        Assert.Equal(1, Compliance.Bot.Health.LivenessFile.Check(bot.LivenessFile, TimeSpan.FromSeconds(5), DateTimeOffset.UtcNow, TextWriter.Null));
    }

    [Fact]
    public async Task The_liveness_signal_goes_stale_when_heartbeats_stop_being_acknowledged()
    {
        var stale = new StringWriter();
        await using var bot = await BotHarness.StartAsync();
        await FakeDiscordServer.WaitUntilAsync(() => File.Exists(bot.LivenessFile), null, "the liveness file");
        var old = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(30);

        Assert.Equal(1, Compliance.Bot.Health.LivenessFile.Check(bot.LivenessFile, TimeSpan.FromSeconds(5), old, stale));
        Assert.Contains("not alive", stale.ToString(), StringComparison.Ordinal);
    }
}
