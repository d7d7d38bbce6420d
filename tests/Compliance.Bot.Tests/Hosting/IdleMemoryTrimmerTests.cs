using Compliance.Bot.Hosting;
using Compliance.Bot.Tests.Infrastructure;
using Compliance.Testing.FakeDiscord;
using Microsoft.Extensions.DependencyInjection;

namespace Compliance.Bot.Tests.Hosting;

/// <summary>An idle worker hands memory back once per idle period, never while it is answering.</summary>
public sealed class IdleMemoryTrimmerTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 21, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan IdleAfter = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData(31, 0, false, true)]   // idle long enough, nothing running, not trimmed yet
    [InlineData(29, 0, false, false)]  // not idle long enough
    [InlineData(60, 1, false, false)]  // a handler is still answering
    [InlineData(60, 0, true, false)]   // already trimmed since the last activity
    public void Trims_only_after_a_quiet_period_with_nothing_running_and_once(int secondsSinceActivity, int inFlight, bool trimmedSince, bool expected)
    {
        var lastActivity = Start;
        var trimmedAt = trimmedSince ? Start.AddSeconds(31) : DateTimeOffset.MinValue;

        Assert.Equal(expected, IdleMemoryTrimmer.ShouldTrim(Start.AddSeconds(secondsSinceActivity), lastActivity, inFlight, trimmedAt, IdleAfter));
    }

    [Fact]
    public async Task After_an_answer_the_idle_worker_trims_once_and_again_only_after_the_next_question()
    {
        await using var bot = await BotHarness.StartAsync(settings => settings["Bot:IdleTrimAfter"] = "00:00:00.300");
        var trimmer = bot.Services.GetRequiredService<IdleMemoryTrimmer>();
        // Start-up itself is activity: let that first idle trim happen (a real one), so what follows belongs to the question.
        await FakeDiscordServer.WaitUntilAsync(() => trimmer.Trims >= 1, TimeSpan.FromSeconds(10), "the first idle trim");
        var collections = 0;
        trimmer.Collect = () => Interlocked.Increment(ref collections);
        var before = trimmer.Trims;

        bot.Api.Enqueue(new StubAnswer());
        var interaction = await bot.Discord.SendGuildCommandAsync("ask", Messages.Question("Can I trade during the blackout window?"));
        await bot.WaitIdleAsync(interaction);
        await FakeDiscordServer.WaitUntilAsync(() => Volatile.Read(ref collections) >= 1, TimeSpan.FromSeconds(10), "a trim after the answer");

        // Several idle periods pass with no new activity: no further trims.
        await Task.Delay(TimeSpan.FromSeconds(1.2), TestContext.Current.CancellationToken);
        Assert.Equal(1, Volatile.Read(ref collections));
        Assert.Equal(before + 1, trimmer.Trims);
        Assert.NotNull(interaction.OriginalMessage);
    }

    [Fact]
    public void A_trim_period_below_100_ms_is_refused_at_start()
    {
        var settings = new Compliance.Bot.Configuration.BotSettings { IdleTrimAfter = TimeSpan.FromMilliseconds(10) };

        Assert.Contains(settings.Validate(), failure => failure.Contains("Bot:IdleTrimAfter", StringComparison.Ordinal));
    }
}
