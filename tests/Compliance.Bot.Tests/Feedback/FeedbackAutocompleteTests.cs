using System.Text.Json.Nodes;
using Compliance.Bot.Tests.Infrastructure;
using Compliance.Testing.FakeDiscord;

namespace Compliance.Bot.Tests.Feedback;

/// <summary>/feedback's <c>answer</c> option: the user's recent answers by question, so they rate the one they mean.</summary>
public sealed class FeedbackAutocompleteTests
{
    private static (string Name, int Type, JsonNode? Value)[] Rating(int rating) => [("rating", 4, JsonValue.Create(rating))];

    private static IReadOnlyList<JsonObject> Choices(FakeInteraction autocomplete) =>
        [.. (autocomplete.CallbackData?["choices"] as JsonArray ?? []).OfType<JsonObject>()];

    [Fact]
    public async Task Typing_into_answer_suggests_the_users_recent_answers_by_question_and_the_pick_is_rated()
    {
        await using var bot = await BotHarness.StartAsync();
        var gift = await bot.Discord.SendGuildCommandAsync("ask", Messages.Question("What is the gift limit for suppliers?"));
        await bot.WaitIdleAsync(gift);
        var blackout = await bot.Discord.SendGuildCommandAsync("ask", Messages.Question("When does the blackout window start?"));
        await bot.WaitIdleAsync(blackout);
        // Someone else's question never shows up in this user's suggestions.
        var other = await bot.Discord.SendGuildCommandAsync("ask", Messages.Question("What is the gift policy for interns?"), userId: 999_000_000_000_000_001);
        await bot.WaitIdleAsync(other);

        var all = await bot.Discord.SendAutocompleteAsync("feedback", "answer", "", Rating(5));
        await bot.WaitIdleAsync(all);
        Assert.Equal(8, all.CallbackType);
        var names = Choices(all).Select(c => c["name"]!.GetValue<string>()).ToList();
        Assert.Equal(2, names.Count);
        Assert.StartsWith("“When does the blackout window start?” · ", names[0], StringComparison.Ordinal); // newest first
        Assert.StartsWith("“What is the gift limit for suppliers?” · ", names[1], StringComparison.Ordinal);

        var typed = await bot.Discord.SendAutocompleteAsync("feedback", "answer", "GIFT", Rating(5));
        await bot.WaitIdleAsync(typed);
        var choice = Assert.Single(Choices(typed));
        Assert.StartsWith("“What is the gift limit for suppliers?”", choice["name"]!.GetValue<string>(), StringComparison.Ordinal);
        var giftQueryId = gift.OriginalMessage!.QueryId();
        Assert.Equal(giftQueryId.ToString("D"), choice["value"]!.GetValue<string>());

        // Choosing it sends its value: the older answer is rated, not the last one.
        var rate = await bot.Discord.SendGuildCommandAsync("feedback", [.. Rating(2), ("answer", 3, choice["value"]!.DeepClone())]);
        await bot.WaitIdleAsync(rate);
        var feedback = Assert.Single(bot.Api.Feedback);
        Assert.Equal(giftQueryId, feedback.QueryId);
        Assert.Equal(2, feedback.Rating);
        Assert.True(rate.Ephemeral);
        Assert.Contains("your answer to “What is the gift limit for suppliers?”", rate.OriginalMessage!.Content(), StringComparison.Ordinal);
        Assert.Contains("2/5", rate.OriginalMessage!.Content(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task At_most_25_suggestions_with_names_of_at_most_100_characters_as_Discord_requires()
    {
        await using var bot = await BotHarness.StartAsync();
        for (var i = 0; i < 27; i++)
        {
            var ask = await bot.Discord.SendGuildCommandAsync("ask", Messages.Question($"Question {i:00}: " + new string('x', 300)));
            await bot.WaitIdleAsync(ask);
        }

        var autocomplete = await bot.Discord.SendAutocompleteAsync("feedback", "answer", "question", Rating(4));
        await bot.WaitIdleAsync(autocomplete);

        // The fake refuses a response with more than 25 choices or longer names (the harness fails on any 400).
        Assert.Equal(8, autocomplete.CallbackType);
        var choices = Choices(autocomplete);
        Assert.Equal(25, choices.Count);
        Assert.All(choices, c => Assert.InRange(c["name"]!.GetValue<string>().EnumerateRunes().Count(), 1, 100));
        Assert.StartsWith("“Question 26: xxx", choices[0]["name"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("…” · ", choices[0]["name"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Text_typed_without_picking_a_suggestion_is_not_sent_as_a_rating()
    {
        await using var bot = await BotHarness.StartAsync();
        var ask = await bot.Discord.SendGuildCommandAsync("ask", Messages.Question("What is the gift limit?"));
        await bot.WaitIdleAsync(ask);

        var typed = await bot.Discord.SendGuildCommandAsync("feedback", [.. Rating(1), ("answer", 3, JsonValue.Create("gift limit"))]);
        await bot.WaitIdleAsync(typed);
        // Someone else's answer (a query id not in this user's history) is refused the same way.
        var foreign = await bot.Discord.SendGuildCommandAsync("feedback", [.. Rating(1), ("answer", 3, JsonValue.Create(Guid.NewGuid().ToString("D")))]);
        await bot.WaitIdleAsync(foreign);

        Assert.Empty(bot.Api.Feedback);
        Assert.True(typed.Ephemeral);
        Assert.Contains("pick one of the suggested answers", typed.OriginalMessage!.Content(), StringComparison.Ordinal);
        Assert.True(foreign.Ephemeral);
        Assert.Contains("pick one of the suggested answers", foreign.OriginalMessage!.Content(), StringComparison.Ordinal);
    }
}
