using System.Text.Json.Nodes;
using Compliance.Bot.Tests.Infrastructure;

namespace Compliance.Bot.Tests.Account;

/// <summary>/feedback, /history, /forget, /reset, /settings, /stats and /health against the API stand-in.</summary>
public sealed class AccountCommandTests
{
    [Fact]
    public async Task Feedback_rates_the_users_last_answer_and_history_lists_their_questions_privately()
    {
        await using var bot = await BotHarness.StartAsync();
        var first = await bot.Discord.SendGuildCommandAsync("ask", Messages.Question("First: gift limit?"));
        await bot.WaitIdleAsync(first);
        var second = await bot.Discord.SendGuildCommandAsync("ask", Messages.Question("Second: @everyone blackout?"));
        await bot.WaitIdleAsync(second);

        var rate = await bot.Discord.SendGuildCommandAsync("feedback", [("rating", 4, JsonValue.Create(2)), ("comment", 3, JsonValue.Create("Too vague."))]);
        await bot.WaitIdleAsync(rate);
        var feedback = Assert.Single(bot.Api.Feedback);
        Assert.Equal(second.OriginalMessage!.QueryId(), feedback.QueryId);
        Assert.Equal(2, feedback.Rating);
        Assert.Equal("Too vague.", feedback.Comment);
        Assert.True(rate.Ephemeral);

        var history = await bot.Discord.SendGuildCommandAsync("history");
        await bot.WaitIdleAsync(history);
        var text = history.OriginalMessage!.Content();
        Assert.True(history.Ephemeral);
        Assert.True(text.IndexOf("Second: @everyone blackout?", StringComparison.Ordinal) < text.IndexOf("First: gift limit?", StringComparison.Ordinal));
        Assert.True(history.OriginalMessage!.PingsNobody());
    }

    [Fact]
    public async Task Forget_erases_only_after_the_user_confirms()
    {
        await using var bot = await BotHarness.StartAsync();
        var forget = await bot.Discord.SendGuildCommandAsync("forget");
        await bot.WaitIdleAsync(forget);
        Assert.Equal(4, forget.CallbackType);
        Assert.True(forget.Ephemeral);
        Assert.Equal(0, bot.Api.CountRequests("DELETE", "/api/v1/history/"));
        var confirm = forget.OriginalMessage!.Buttons().Single(b => b["label"]!.GetValue<string>() == "Erase my history");

        var stranger = await bot.Discord.SendButtonClickAsync(confirm.CustomId(), forget.OriginalMessage!, userId: 999_000_000_000_000_001);
        await bot.WaitIdleAsync(stranger);
        Assert.Equal(0, bot.Api.CountRequests("DELETE", "/api/v1/history/"));

        var click = await bot.Discord.SendButtonClickAsync(confirm.CustomId(), forget.OriginalMessage!);
        await bot.WaitIdleAsync(click);
        Assert.Equal(1, bot.Api.CountRequests("DELETE", "/api/v1/history/555000000000000001"));
        Assert.Equal(6, click.CallbackType);
        Assert.StartsWith("Done: your questions and answers are erased.", click.OriginalMessage!.Content(), StringComparison.Ordinal);
        Assert.Empty(click.OriginalMessage!.Buttons());
    }

    [Fact]
    public async Task Reset_and_settings_call_the_API_for_this_conversation_and_user()
    {
        await using var bot = await BotHarness.StartAsync();
        var reset = await bot.Discord.SendGuildCommandAsync("reset");
        await bot.WaitIdleAsync(reset);
        Assert.Equal(1, bot.Api.CountRequests("DELETE", "/api/v1/conversations/444000000000000001:555000000000000001"));
        var resetRequest = Assert.Single(bot.Api.Requests, r => r.Method == "DELETE");
        Assert.Equal("?userId=555000000000000001&guildId=222000000000000001", resetRequest.Query);
        Assert.StartsWith("Fresh start", reset.OriginalMessage!.Content(), StringComparison.Ordinal);

        var settings = await bot.Discord.SendGuildCommandAsync("settings", [("private", 5, JsonValue.Create(true))]);
        await bot.WaitIdleAsync(settings);
        var put = Assert.Single(bot.Api.Requests, r => r.Method == "PUT");
        Assert.Equal("/api/v1/users/555000000000000001/settings", put.Path);
        Assert.True(put.Body!["answerPrivately"]!.GetValue<bool>());

        var ask = await bot.Discord.SendGuildCommandAsync("ask", Messages.Question("Gift limit?"));
        await bot.WaitIdleAsync(ask);
        Assert.True(ask.Ephemeral);
    }

    [Fact]
    public async Task Admin_commands_need_manage_guild_and_the_APIs_role_check()
    {
        await using var bot = await BotHarness.StartAsync();
        var member = await bot.Discord.SendGuildCommandAsync("stats", permissions: "2048");
        await bot.WaitIdleAsync(member);
        Assert.Contains("Only server managers", member.OriginalMessage!.Content(), StringComparison.Ordinal);
        Assert.Equal(0, bot.Api.CountRequests("GET", "/admin/stats"));

        var manager = await bot.Discord.SendGuildCommandAsync("stats", permissions: "32");
        await bot.WaitIdleAsync(manager);
        Assert.Single(bot.Api.Requests, r => r.Path == "/admin/stats");
        var fields = manager.OriginalMessage!.Embed()!["fields"]!.AsArray().Select(f => f!["name"]!.GetValue<string>() + "=" + f["value"]!.GetValue<string>()).ToList();
        Assert.Contains("Questions Nov 15–Nov 21=42", fields);
        Assert.Contains("Answered=75%", fields);
        Assert.Contains("Most cited=Gifts and Entertainment Policy", fields);
        Assert.Contains("Biggest coverage gap=parental, leave", fields);

        bot.Api.Stats = null;
        var notReviewer = await bot.Discord.SendGuildCommandAsync("stats", permissions: "8");
        await bot.WaitIdleAsync(notReviewer);
        Assert.Equal("Only reviewers and admins can see usage figures.", notReviewer.OriginalMessage!.Content());

        var health = await bot.Discord.SendGuildCommandAsync("health", permissions: "32");
        await bot.WaitIdleAsync(health);
        Assert.Equal("Compliance service: Healthy", health.OriginalMessage!.Embed()!["title"]!.GetValue<string>());
        Assert.True(health.Ephemeral);
    }
}
