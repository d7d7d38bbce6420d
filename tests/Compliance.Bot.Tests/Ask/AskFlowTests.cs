using System.Text.Json.Nodes;
using Compliance.Bot.Tests.Infrastructure;
using Compliance.Testing.FakeDiscord;
using Compliance.Contracts.Common;
using Compliance.Contracts.Questions;

namespace Compliance.Bot.Tests.Ask;

/// <summary>/ask end to end: fake Discord, the real bot host, the API stand-in streaming answers.</summary>
public sealed class AskFlowTests
{
    private const ulong Member = 555_000_000_000_000_001;

    [Fact]
    public async Task An_answer_that_outlives_the_interaction_token_is_finished_in_the_channel_not_lost()
    {
        var time = new ShiftedTime();
        await using var bot = await BotHarness.StartAsync(time: time);
        bot.Api.Enqueue(new StubAnswer { DelayBeforeHeaders = TimeSpan.FromMilliseconds(1500) });

        var interaction = await bot.Discord.SendGuildCommandAsync("ask", Messages.Question("Can I trade during the blackout window?"));
        await FakeDiscordServer.WaitUntilAsync(() => interaction.CallbackType == 5, null, "the deferral");
        // Sixteen minutes pass for both sides while the API works: the token (15 minutes) is dead.
        time.Advance(TimeSpan.FromMinutes(16));
        bot.Discord.Clock.Advance(TimeSpan.FromMinutes(16));
        await FakeDiscordServer.WaitUntilAsync(() => bot.Discord.Rest.ChannelMessages.Count > 0, null, "the answer in the channel");
        await bot.WaitIdleAsync(interaction);

        var answer = Assert.Single(bot.Discord.Rest.ChannelMessages);
        Assert.StartsWith($"<@{Member}>, your answer took too long", answer.Content(), StringComparison.Ordinal);
        Assert.Contains("You may not trade during the blackout window [1].", answer.Content(), StringComparison.Ordinal);
        Assert.Equal("Sources", answer.Embed()!["title"]!.GetValue<string>());
        Assert.Equal(3, answer.Buttons().Count);
        Assert.True(answer.PingsNobody());
        // Nothing went to the dead token: no edit, and no 401 toward the invalid-request limit.
        Assert.Equal(0, interaction.Edits);
        Assert.Equal(0, bot.Discord.Rest.InvalidRequestCount);
    }

    [Fact]
    public async Task A_guild_member_gets_a_deferral_then_streamed_edits_ending_in_the_cited_answer_with_buttons()
    {
        await using var bot = await BotHarness.StartAsync();
        bot.Api.Enqueue(new StubAnswer { WordsPerDelta = 1, DelayBetweenDeltas = TimeSpan.FromMilliseconds(80) });

        var interaction = await bot.Discord.SendGuildCommandAsync("ask", Messages.Question("Can I trade during the blackout window?"));
        await bot.WaitIdleAsync(interaction);

        Assert.Equal(5, interaction.CallbackType);
        Assert.False(interaction.Ephemeral);
        var states = interaction.OriginalMessageHistory.ToList();
        Assert.Equal(128, states[0].Flags() & 128); // "thinking…"
        var streamed = states.Skip(1).SkipLast(1).ToList();
        Assert.NotEmpty(streamed);
        Assert.All(streamed, s => Assert.EndsWith("▌", s.Content(), StringComparison.Ordinal));
        var deltas = new StubAnswer().Text.Split(' ').Length;
        Assert.True(streamed.Count < deltas, $"{streamed.Count} edits for {deltas} deltas: edits must be coalesced");

        var final = interaction.OriginalMessage!;
        Assert.Equal("You may not trade during the blackout window [1]. Pre-clearance is required for exceptions [2].", final.Content());
        var embed = final.Embed()!;
        Assert.Equal("Sources", embed["title"]!.GetValue<string>());
        var fields = embed["fields"]!.AsArray().Select(f => f!["name"]!.GetValue<string>() + " | " + f["value"]!.GetValue<string>()).ToList();
        Assert.Equal(["[1] Personal Trading Policy | § 4.2 Blackout windows · p. 7 · v3 · effective 2026-01-01", "[2] Pre-clearance Procedure | § 2 Requests · p. 2 · v1"], fields);
        var queryId = final.QueryId();
        Assert.Contains("query " + queryId.ToString("N")[..8], embed["footer"]!["text"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.DoesNotContain("⚠", embed["footer"]!["text"]!.GetValue<string>(), StringComparison.Ordinal);
        var buttons = final.Buttons();
        Assert.Equal(["👍 Helpful", "👎 Not helpful", "Report a problem"], buttons.Select(b => b["label"]!.GetValue<string>()));
        Assert.All(buttons, b => Assert.InRange(b.CustomId().Length, 1, 100));
        Assert.All(buttons, b => Assert.Contains(queryId.ToString("N"), b.CustomId(), StringComparison.Ordinal));
        Assert.All(states.Skip(1), s => Assert.True(s.PingsNobody()));

        var question = Assert.Single(bot.Api.Questions);
        Assert.Equal("Can I trade during the blackout window?", question.Question);
        Assert.Equal(Member.ToString(System.Globalization.CultureInfo.InvariantCulture), question.UserId);
        Assert.Equal("222000000000000001", question.GuildId);
        Assert.Equal("444000000000000001:555000000000000001", question.ConversationId);
        var request = bot.Api.Requests.Single(r => r.Path == "/api/v1/query");
        Assert.Equal("Bearer " + StubComplianceApi.ServiceToken, request.Authorization);
        Assert.Contains("text/event-stream", request.Accept, StringComparison.Ordinal);
        // Flags: sampled (01), and since .NET 10 also "random trace id" (02, W3C Trace Context level 2).
        Assert.Matches("^00-[0-9a-f]{32}-[0-9a-f]{16}-0[0-3]$", request.TraceParent);
    }

    [Fact]
    public async Task Thumbs_down_from_the_asker_arrives_as_feedback_and_is_thanked_privately()
    {
        await using var bot = await BotHarness.StartAsync();
        var ask = await bot.Discord.SendGuildCommandAsync("ask", Messages.Question("May I accept a gift worth 200 EUR?"));
        await bot.WaitIdleAsync(ask);
        var answer = ask.OriginalMessage!;
        var down = answer.Buttons().Single(b => b.CustomId().StartsWith("fb:down:", StringComparison.Ordinal));

        var click = await bot.Discord.SendButtonClickAsync(down.CustomId(), answer);
        await bot.WaitIdleAsync(click);

        var feedback = Assert.Single(bot.Api.Feedback);
        Assert.Equal(answer.QueryId(), feedback.QueryId);
        Assert.Equal("555000000000000001", feedback.UserId);
        Assert.False(feedback.Helpful);
        Assert.True(click.Ephemeral);
        Assert.Contains("compliance team will review", click.OriginalMessage!.Content(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Only_the_asker_can_rate_an_answer()
    {
        await using var bot = await BotHarness.StartAsync();
        var ask = await bot.Discord.SendGuildCommandAsync("ask", Messages.Question("Who approves outside business activities?"));
        await bot.WaitIdleAsync(ask);
        var up = ask.OriginalMessage!.Buttons()[0];

        var click = await bot.Discord.SendButtonClickAsync(up.CustomId(), ask.OriginalMessage!, userId: 999_000_000_000_000_001);
        await bot.WaitIdleAsync(click);

        Assert.Empty(bot.Api.Feedback);
        Assert.Equal(4, click.CallbackType);
        Assert.True(click.Ephemeral);
        Assert.Contains("Only the person who asked", click.OriginalMessage!.Content(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Report_a_problem_opens_a_modal_whose_comment_is_sent_as_feedback()
    {
        await using var bot = await BotHarness.StartAsync();
        var ask = await bot.Discord.SendGuildCommandAsync("ask", Messages.Question("What is the gift limit?"));
        await bot.WaitIdleAsync(ask);
        var answer = ask.OriginalMessage!;
        var report = answer.Buttons().Single(b => b.CustomId().StartsWith("fb:report:", StringComparison.Ordinal));

        var click = await bot.Discord.SendButtonClickAsync(report.CustomId(), answer);
        await bot.WaitIdleAsync(click);
        Assert.Equal(9, click.CallbackType);
        var modalId = click.CallbackData!["custom_id"]!.GetValue<string>();
        var input = click.CallbackData["components"]![0]!["component"]!;
        Assert.Equal(4, input["type"]!.GetValue<int>());

        var submit = await bot.Discord.SendModalSubmitAsync(modalId, new Dictionary<string, string> { [input["custom_id"]!.GetValue<string>()] = "The limit changed to 100 EUR in March." });
        await bot.WaitIdleAsync(submit);

        var feedback = Assert.Single(bot.Api.Feedback);
        Assert.Equal(answer.QueryId(), feedback.QueryId);
        Assert.Equal("The limit changed to 100 EUR in March.", feedback.Comment);
        Assert.False(feedback.Helpful);
        Assert.True(submit.Ephemeral);
        Assert.Contains("report was sent", submit.OriginalMessage!.Content(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_API_taking_two_and_a_half_seconds_still_gets_a_timely_deferral()
    {
        await using var bot = await BotHarness.StartAsync();
        bot.Api.Enqueue(new StubAnswer { DelayBeforeHeaders = TimeSpan.FromMilliseconds(2500) });

        var interaction = await bot.Discord.SendGuildCommandAsync("ask", Messages.Question("Do I need pre-clearance for ETFs?"));
        await bot.WaitIdleAsync(interaction);

        // The fake refuses a callback after 3 s with 10062; an accepted type 5 proves the deferral came first.
        Assert.Equal(5, interaction.CallbackType);
        Assert.Equal(1, interaction.CallbackAttempts);
        Assert.Contains("[1]", interaction.OriginalMessage!.Content(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_DM_invocation_with_a_user_and_no_member_works()
    {
        await using var bot = await BotHarness.StartAsync();

        var interaction = await bot.Discord.SendDmCommandAsync("ask", Messages.Question("Can I trade during the blackout window?"));
        await bot.WaitIdleAsync(interaction);

        Assert.Equal(5, interaction.CallbackType);
        Assert.NotEmpty(interaction.OriginalMessage!.Buttons());
        var question = Assert.Single(bot.Api.Questions);
        Assert.Null(question.GuildId);
        Assert.Equal("555000000000000001", question.UserId);
        Assert.Equal("777000000000000001:555000000000000001", question.ConversationId);
    }

    [Fact]
    public async Task A_long_answer_is_split_on_paragraph_boundaries_with_the_sources_and_buttons_on_the_last_part()
    {
        await using var bot = await BotHarness.StartAsync();
        var paragraph = string.Join(' ', Enumerable.Repeat("Trading in the blackout window is prohibited for all covered persons [1].", 12));
        var text = string.Join("\n\n", Enumerable.Repeat(paragraph, 5));
        bot.Api.Enqueue(new StubAnswer { Text = text, WordsPerDelta = 60, DelayBetweenDeltas = TimeSpan.FromMilliseconds(5) });

        var interaction = await bot.Discord.SendGuildCommandAsync("ask", Messages.Question("Explain the blackout rules in full."));
        await bot.WaitIdleAsync(interaction);

        var original = interaction.OriginalMessage!;
        var followups = interaction.FollowupMessages.Values.OrderBy(m => ulong.Parse(m["id"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.NotEmpty(followups);
        var parts = new[] { original }.Concat(followups).ToList();
        Assert.All(parts, p => Assert.InRange(p.Content().EnumerateRunes().Count(), 1, 2000));
        Assert.All(parts.SkipLast(1), p => Assert.EndsWith("[1].", p.Content(), StringComparison.Ordinal));
        // Every cut fell between paragraphs: joining the parts with a blank line gives the answer back.
        Assert.Equal(text, string.Join("\n\n", parts.Select(p => p.Content())));
        Assert.Empty(original.Buttons());
        Assert.Equal(3, parts[^1].Buttons().Count);
        Assert.All(followups, f => Assert.True(f.PingsNobody()));
    }

    [Fact]
    public async Task Private_answers_come_from_the_option_the_stored_preference_or_a_preference_loaded_on_first_use()
    {
        await using var bot = await BotHarness.StartAsync();

        var explicitPrivate = await bot.Discord.SendGuildCommandAsync("ask", Messages.Question("Gift limit?", answerPrivately: true));
        await bot.WaitIdleAsync(explicitPrivate);
        Assert.True(explicitPrivate.Ephemeral);

        // A preference the bot has not seen yet (e.g. after a restart): the public deferral moves to a private message.
        bot.Api.SetPreference("666000000000000001", true);
        var unknown = await bot.Discord.SendGuildCommandAsync("ask", Messages.Question("Gift limit?"), userId: 666_000_000_000_000_001);
        await bot.WaitIdleAsync(unknown);
        Assert.False(unknown.Ephemeral);
        Assert.Null(unknown.OriginalMessage); // the public "thinking…" was deleted
        var moved = Assert.Single(unknown.FollowupMessages.Values);
        Assert.True(moved.IsEphemeral());
        Assert.Contains("[1]", moved.Content(), StringComparison.Ordinal);
        Assert.NotEmpty(moved.Buttons());

        // Now known: deferred privately from the start.
        var known = await bot.Discord.SendGuildCommandAsync("ask", Messages.Question("Gift limit?"), userId: 666_000_000_000_000_001);
        await bot.WaitIdleAsync(known);
        Assert.True(known.Ephemeral);
        Assert.Empty(known.FollowupMessages);
    }

    [Theory]
    [InlineData(429, "You have asked 10 questions in the last minute. You can ask again in 30 seconds.")]
    [InlineData(403, "Your access to the assistant is suspended.")]
    [InlineData(503, "The compliance service ran into a problem answering that. Please try again shortly.")]
    [InlineData(401, "The assistant isn't set up correctly (the compliance service refused the bot). Please tell an administrator.")]
    public async Task API_failures_end_in_a_short_private_message(int status, string expected)
    {
        await using var bot = await BotHarness.StartAsync();
        bot.Api.Enqueue(new StubAnswer
        {
            FailWithStatus = status,
            ProblemDetail = status switch { 429 => "You have asked 10 questions in the last minute.", 403 => "Your access to the assistant is suspended.", _ => "internal detail that must not be shown" },
            RetryAfterSeconds = status == 429 ? 30 : null,
        });

        var interaction = await bot.Discord.SendGuildCommandAsync("ask", Messages.Question("Can I trade today?"));
        await bot.WaitIdleAsync(interaction);

        Assert.Null(interaction.OriginalMessage);
        var message = Assert.Single(interaction.FollowupMessages.Values);
        Assert.True(message.IsEphemeral());
        Assert.Equal(expected, message.Content());
    }

    // The bot branches on the problem type the API sends, not on the status code alone.
    [Theory]
    [InlineData(503, ProblemTypes.DependencyUnavailable, "The compliance service is unavailable right now. Please try again in a few minutes.")]
    [InlineData(503, ProblemTypes.NotYetStored, "The compliance service is unavailable right now. Please try again in a few minutes.")]
    [InlineData(403, ProblemTypes.Banned, "You can no longer use the compliance assistant: spam.")]
    [InlineData(400, ProblemTypes.Validation, "userId is a Discord id: 15-20 digits, no leading zero.")]
    [InlineData(429, ProblemTypes.RateLimited, "Too many at once. You can ask again in 30 seconds.")]
    public async Task API_problems_are_told_apart_by_their_type(int status, string type, string expected)
    {
        await using var bot = await BotHarness.StartAsync();
        bot.Api.Enqueue(new StubAnswer
        {
            FailWithStatus = status,
            ProblemType = type,
            ProblemDetail = type switch
            {
                ProblemTypes.Banned => "You can no longer use the compliance assistant: spam.",
                ProblemTypes.Validation => "userId is a Discord id: 15-20 digits, no leading zero.",
                ProblemTypes.RateLimited => "Too many at once.",
                _ => "internal detail that must not be shown",
            },
            RetryAfterSeconds = status is 503 or 429 ? 30 : null,
        });

        var interaction = await bot.Discord.SendGuildCommandAsync("ask", Messages.Question("Can I trade today?"));
        await bot.WaitIdleAsync(interaction);

        var message = Assert.Single(interaction.FollowupMessages.Values);
        Assert.True(message.IsEphemeral());
        Assert.Equal(expected, message.Content());
    }

    [Fact]
    public async Task An_error_event_mid_stream_and_an_unreachable_API_both_end_privately_and_nothing_stays_thinking()
    {
        await using var bot = await BotHarness.StartAsync();
        bot.Api.Enqueue(new StubAnswer { StreamError = "The language model is unavailable; please try again in a few minutes." });

        var interaction = await bot.Discord.SendGuildCommandAsync("ask", Messages.Question("Can I trade today?"), userId: 777_000_000_000_000_002);
        await bot.WaitIdleAsync(interaction);
        var message = Assert.Single(interaction.FollowupMessages.Values);
        Assert.True(message.IsEphemeral());
        Assert.Equal("The language model is unavailable; please try again in a few minutes.", message.Content());

        await bot.Api.DisposeAsync();
        var down = await bot.Discord.SendGuildCommandAsync("ask", Messages.Question("Can I trade today?"), userId: 777_000_000_000_000_003);
        await bot.WaitIdleAsync(down);
        var unavailable = Assert.Single(down.FollowupMessages.Values);
        Assert.True(unavailable.IsEphemeral());
        Assert.StartsWith("The compliance service is unavailable right now", unavailable.Content(), StringComparison.Ordinal);
        Assert.All(bot.Discord.Rest.Interactions.All.Where(i => i.OriginalMessage is not null), i => Assert.Equal(0, i.OriginalMessage!.Flags() & 128));
    }

    [Fact]
    public async Task An_uncertain_answer_carries_the_API_warning_in_the_footer()
    {
        await using var bot = await BotHarness.StartAsync();
        bot.Api.Enqueue(new StubAnswer
        {
            Text = "The policies do not say whether crypto counts as a security.",
            Status = QueryStatuses.Uncertain,
            Warning = "No source supported this answer.",
        });

        var interaction = await bot.Discord.SendGuildCommandAsync("ask", Messages.Question("Does crypto count?"));
        await bot.WaitIdleAsync(interaction);

        var embed = interaction.OriginalMessage!.Embed()!;
        Assert.Contains("⚠ No source supported this answer.", embed["footer"]!["text"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("Closest passages (not cited)", embed["title"]!.GetValue<string>());
    }

    [Fact]
    public async Task Logs_carry_the_interaction_and_query_ids_but_never_the_token_or_the_question()
    {
        await using var bot = await BotHarness.StartAsync();
        const string question = "Secret merger codename Bluebird: can I trade?";

        var interaction = await bot.Discord.SendGuildCommandAsync("ask", Messages.Question(question));
        await bot.WaitIdleAsync(interaction);

        var lines = bot.Logs.Entries;
        var answered = Assert.Single(lines, l => l.Message.StartsWith("Answered:", StringComparison.Ordinal));
        Assert.Equal(interaction.Id, answered.Scope["InteractionId"]);
        Assert.Equal(interaction.OriginalMessage!.QueryId(), answered.Scope["QueryId"]);
        var everything = string.Join("\n", lines.Select(l => l.Message + " " + string.Join(",", l.Scope.Values) + " " + l.Exception));
        Assert.DoesNotContain("Bluebird", everything, StringComparison.Ordinal);
        Assert.DoesNotContain(interaction.Token, everything, StringComparison.Ordinal);
        Assert.DoesNotContain(bot.Discord.Options.BotToken, everything, StringComparison.Ordinal);
        Assert.DoesNotContain(StubComplianceApi.ServiceToken, everything, StringComparison.Ordinal);
    }
}
