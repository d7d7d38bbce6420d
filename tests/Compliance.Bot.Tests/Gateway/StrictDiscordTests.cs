using System.Globalization;
using Compliance.Bot.Tests.Infrastructure;
using Compliance.Testing.FakeDiscord;
using Microsoft.Extensions.DependencyInjection;

namespace Compliance.Bot.Tests.Gateway;

/// <summary>
/// Issue 13's "stricter fake" rules, seen from the real bot on Discord.Net: each test is something a user would
/// notice (no answer, an answer twice, a lost answer, a bot that cannot log in any more) and fails if the bot's
/// handling of that rule breaks. The rules themselves are tested raw in Compliance.Testing.Tests.
/// </summary>
public sealed class StrictDiscordTests
{
    private const ulong Member = 555_000_000_000_000_001;

    [Fact]
    public async Task A_not_resumable_invalid_session_leads_to_a_fresh_identify_and_the_bot_keeps_answering()
    {
        await using var bot = await BotHarness.StartAsync();
        // Past the 5-second identify window of the first session start, so only the fallback is under test here.
        bot.Discord.Clock.Advance(TimeSpan.FromSeconds(6));

        await bot.Discord.Gateway.Connections[^1].SendInvalidSessionAsync(resumable: false);
        await FakeDiscordServer.WaitUntilAsync(() => bot.Discord.Gateway.IdentifyCount >= 2 && bot.Worker.Connected, TimeSpan.FromSeconds(20), "a fresh Identify after op 9 false");

        var interaction = await bot.Discord.SendGuildCommandAsync("ask", Messages.Question("Still there after op 9?"));
        await bot.WaitIdleAsync(interaction);
        Assert.Contains("[1]", interaction.OriginalMessage!.Content(), StringComparison.Ordinal);
        Assert.Equal(2, bot.Discord.Gateway.IdentifyCount);
        Assert.Equal(0, bot.Discord.Gateway.SessionStarts.TooFastCount);
    }

    [Fact]
    public async Task Identifies_are_spaced_per_max_concurrency_so_a_quick_invalid_session_is_not_answered_too_fast()
    {
        // Heartbeats stay acknowledged while the bot holds its Identify back for the rest of the 5-second window.
        await using var bot = await BotHarness.StartAsync(
            discordOptions: new FakeDiscordOptions { HeartbeatInterval = TimeSpan.FromSeconds(2) });

        await bot.Discord.Gateway.Connections[^1].SendInvalidSessionAsync(resumable: false);
        await FakeDiscordServer.WaitUntilAsync(() => bot.Discord.Gateway.IdentifyCount >= 2 && bot.Worker.Connected, TimeSpan.FromSeconds(30), "a second Identify, once the window allows it");

        // Discord answers an Identify inside the window with op 9 and starts nothing; the bot never sent one.
        Assert.Equal(0, bot.Discord.Gateway.SessionStarts.TooFastCount);
        Assert.Equal(2, bot.Discord.Gateway.IdentifyCount);
        var interaction = await bot.Discord.SendGuildCommandAsync("ask", Messages.Question("Answering again?"));
        await bot.WaitIdleAsync(interaction);
        Assert.Contains("[1]", interaction.OriginalMessage!.Content(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_shared_scope_429_and_a_tight_shared_bucket_delay_the_answer_but_it_arrives_without_invalid_requests()
    {
        await using var bot = await BotHarness.StartAsync(settings => settings["Bot:EditInterval"] = "00:00:00.050");
        // A user whose stored preference is private: the answer streams into a followup (PATCH …/messages/{id}),
        // which shares its bucket with PATCH …/@original; the limit is set through the other route of the pair.
        bot.Api.SetPreference(Member.ToString(CultureInfo.InvariantCulture), true);
        bot.Api.DefaultAnswer = new StubAnswer { WordsPerDelta = 1, DelayBetweenDeltas = TimeSpan.FromMilliseconds(15) };
        bot.Discord.Rest.SetRouteLimit(FakeRest.Routes.EditOriginal, 2, TimeSpan.FromMilliseconds(600));
        bot.Discord.Rest.ScriptRateLimit(FakeRest.Routes.EditFollowup, FakeRateLimitScope.Shared, TimeSpan.FromMilliseconds(400));
        Assert.Equal(bot.Discord.Rest.BucketOf(FakeRest.Routes.EditOriginal), bot.Discord.Rest.BucketOf(FakeRest.Routes.EditFollowup));

        var interaction = await bot.Discord.SendGuildCommandAsync("ask", Messages.Question("Busy bucket?"), userId: Member);
        await bot.WaitIdleAsync(interaction);

        var answer = Assert.Single(interaction.FollowupMessages.Values);
        Assert.Contains("[1]", answer.Content(), StringComparison.Ordinal);
        Assert.Equal(3, answer.Buttons().Count);
        Assert.True(bot.Discord.Rest.RequestsTo(FakeRest.Routes.EditFollowup) >= 2);
        // The shared 429 does not count as invalid; the bucket's own limit was waited out, never hit.
        Assert.Equal(1, bot.Discord.Rest.RateLimitedCount);
        Assert.Equal(0, bot.Discord.Rest.InvalidRequestCount);
    }

    [Fact]
    public async Task A_private_answer_is_streamed_and_finished_with_edits_Discord_accepts()
    {
        await using var bot = await BotHarness.StartAsync();
        bot.Api.DefaultAnswer = new StubAnswer { WordsPerDelta = 1, DelayBetweenDeltas = TimeSpan.FromMilliseconds(60) };

        var interaction = await bot.Discord.SendGuildCommandAsync("ask", Messages.Question("Private, please?", answerPrivately: true));
        await bot.WaitIdleAsync(interaction);

        // Edits may carry only SUPPRESS_EMBEDS / IS_COMPONENTS_V2; EPHEMERAL is fixed by the deferral and kept.
        Assert.True(interaction.Edits >= 2);
        Assert.DoesNotContain(bot.Discord.Rest.Errors, e => e.Status == 400);
        Assert.True(interaction.Ephemeral);
        Assert.True(interaction.OriginalMessage!.IsEphemeral());
        Assert.Contains("[1]", interaction.OriginalMessage!.Content(), StringComparison.Ordinal);
        Assert.Equal(3, interaction.OriginalMessage!.Buttons().Count);
    }

    [Fact]
    public async Task A_follow_up_reply_whose_post_landed_but_got_a_502_is_retried_with_enforce_nonce_and_shows_once()
    {
        await using var bot = await BotHarness.StartAsync();
        bot.Discord.Rest.ScriptServerErrorAfterStoring(FakeRest.Routes.CreateMessage, 502);

        // The guild first, and wait until Discord.Net has cached its channel: it drops messages from channels it does
        // not know yet, and handles a new guild's GUILD_CREATE on its own schedule (seen dropping the message under load).
        await bot.Discord.Gateway.EnsureGuildChannelAsync(222_000_000_000_000_001, 444_000_000_000_000_001);
        await bot.WaitForChannelAsync(444_000_000_000_000_001);
        var question = await bot.Discord.SendUserMessageAsync("Can I trade during the blackout?", mentionBot: true);
        try
        {
            await FakeDiscordServer.WaitUntilAsync(() => bot.Discord.Rest.RequestsTo(FakeRest.Routes.CreateMessage) >= 2, TimeSpan.FromSeconds(30), "the retried post");
        }
        catch (TimeoutException)
        {
            TestContext.Current.TestOutputHelper?.WriteLine($"posts: {bot.Discord.Rest.RequestsTo(FakeRest.Routes.CreateMessage)}, errors: "
                + string.Join("; ", bot.Discord.Rest.Errors.Select(e => $"{e.Route} {e.Status} {e.Body}")) + "\nlogs:\n" + string.Join("\n", bot.Logs.Entries.Select(e => $"{e.Level} {e.Category}: {e.Message} {e.Exception}")));
            throw;
        }
        await bot.WaitIdleAsync();

        // Discord.Net retried the 502; the same nonce with enforce_nonce made Discord return the stored message.
        Assert.Equal(2, bot.Discord.Rest.RequestsTo(FakeRest.Routes.CreateMessage));
        Assert.Equal(1, bot.Discord.Rest.DeduplicatedPosts);
        var reply = Assert.Single(bot.Discord.Rest.ChannelMessages);
        Assert.Equal(question["id"]!.GetValue<string>(), reply["message_reference"]!["message_id"]!.GetValue<string>());
        Assert.Contains("[1]", reply.Content(), StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(reply["nonce"]?.GetValue<string>()));
        Assert.Single(bot.Api.Questions);
    }
}
