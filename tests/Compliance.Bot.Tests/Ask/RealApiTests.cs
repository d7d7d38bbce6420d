using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Compliance.Bot.Tests.Infrastructure;
using Compliance.Contracts.Admin;
using Compliance.Contracts.Common;
using Compliance.Contracts.Feedback;

namespace Compliance.Bot.Tests.Ask;

/// <summary>
/// The whole chain: fake Discord → the bot → the real API (Postgres, index, sample policies) → the fake model. One
/// API serves the class; each test asks as its own user, so their query logs and rate limits do not meet.
/// </summary>
public sealed class RealApiTests(RealComplianceApi api) : IClassFixture<RealComplianceApi>
{
    private static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(60);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_guild_members_ask_is_answered_by_the_real_API_with_a_cited_streamed_answer()
    {
        const string question = "Can I trade Northwind shares during the quarterly blackout period?";
        await using var bot = await api.StartBotAsync();

        var interaction = await bot.Discord.SendGuildCommandAsync("ask", Messages.Question(question));
        await bot.WaitIdleAsync(interaction, AnswerTimeout);

        Assert.Equal(5, interaction.CallbackType);
        var final = interaction.OriginalMessage!;
        Assert.Equal("No: trading is not allowed during a blackout period [1]. Ask compliance for pre-clearance.", final.Content());
        var embed = final.Embed()!;
        Assert.Equal("Sources", embed["title"]!.GetValue<string>());
        Assert.StartsWith("[1] ", embed["fields"]![0]!["name"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(3, final.Buttons().Count);
        Assert.True(interaction.OriginalMessageHistory.Count >= 3, "the answer is streamed: deferral, at least one partial edit, final");

        // The model saw the question (the class's other test asks its own) and the sources the API retrieved for it.
        var prompt = Assert.Single(api.Model.Requests, r => r.LastUserMessage.Contains(question, StringComparison.Ordinal));
        Assert.Contains("<source id=\"1\"", prompt.LastUserMessage, StringComparison.Ordinal);
        Assert.True(prompt.Stream);
    }

    [Fact]
    public async Task Thumbs_down_on_a_real_answer_is_thanked_privately_and_puts_the_query_in_the_reviewers_flagged_queue()
    {
        const ulong asker = 555_000_000_000_000_701;
        const string question = "Is trading allowed during the blackout period before the annual results?";
        await using var bot = await api.StartBotAsync();
        using var admin = api.CreateAdminClient();
        using var service = api.CreateClient();
        service.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", StubComplianceApi.ServiceToken);

        var ask = await bot.Discord.SendGuildCommandAsync("ask", Messages.Question(question), userId: asker);
        await bot.WaitIdleAsync(ask, AnswerTimeout);
        var answer = ask.OriginalMessage!;
        var queryId = answer.QueryId();
        var down = answer.Buttons().Single(b => b.CustomId().StartsWith("fb:down:", StringComparison.Ordinal));
        Assert.Equal($"fb:down:{queryId:N}:{asker}", down.CustomId());

        // The query log is written after the answer streams: once history shows it, a cited answer is not yet in the
        // queue, so whatever puts it there afterwards is the 👎.
        await PollAsync(async () => (await HistoryAsync(service, asker)).Any(i => i.QueryId == queryId) ? "logged" : null, "the query log to list the question");
        Assert.DoesNotContain(await FlaggedAsync(admin), q => q.QueryId == queryId);

        var click = await bot.Discord.SendButtonClickAsync(down.CustomId(), answer, userId: asker);
        await bot.WaitIdleAsync(click, AnswerTimeout);

        // What the member sees: a private thank-you; the answer keeps its buttons.
        Assert.Equal(5, click.CallbackType);
        Assert.True(click.Ephemeral);
        Assert.Equal("Thanks for telling us. The compliance team will review this answer.", click.OriginalMessage!.Content());
        Assert.Equal(3, ask.OriginalMessage!.Buttons().Count);

        // What a reviewer sees.
        var flagged = await PollAsync(async () => (await FlaggedAsync(admin)).SingleOrDefault(q => q.QueryId == queryId), "the 👎 to reach the flagged queue");
        Assert.Equal(["negative_feedback"], flagged.Reasons);
        Assert.Equal(1, flagged.LowestRating);
        Assert.Equal(asker.ToString(CultureInfo.InvariantCulture), flagged.UserId);
        Assert.Equal(question, flagged.Question);
        Assert.Equal("No: trading is not allowed during a blackout period [1]. Ask compliance for pre-clearance.", flagged.Answer);
        Assert.False(flagged.Reviewed);
    }

    [Fact]
    public async Task Feedback_autocomplete_lists_the_users_real_history_and_rates_the_older_answer_picked()
    {
        const ulong asker = 555_000_000_000_000_702;
        const string older = "May I trade during the blackout period before the half-year results?";
        const string newer = "Who grants pre-clearance for trades during a blackout period?";
        await using var bot = await api.StartBotAsync();
        using var admin = api.CreateAdminClient();
        using var service = api.CreateClient();
        service.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", StubComplianceApi.ServiceToken);
        var first = await bot.Discord.SendGuildCommandAsync("ask", Messages.Question(older), userId: asker);
        await bot.WaitIdleAsync(first, AnswerTimeout);
        var second = await bot.Discord.SendGuildCommandAsync("ask", Messages.Question(newer), userId: asker);
        await bot.WaitIdleAsync(second, AnswerTimeout);
        var olderId = first.OriginalMessage!.QueryId();
        await PollAsync(async () => (await HistoryAsync(service, asker)).Count >= 2 ? "logged" : null, "the query log to list both questions");

        // The API's paged history, by question, newest first; typing filters it.
        var all = await bot.Discord.SendAutocompleteAsync("feedback", "answer", "", [("rating", 4, System.Text.Json.Nodes.JsonValue.Create(1))], userId: asker);
        await bot.WaitIdleAsync(all, AnswerTimeout);
        var names = (all.CallbackData!["choices"] as System.Text.Json.Nodes.JsonArray)!.Select(c => c!["name"]!.GetValue<string>()).ToList();
        Assert.Equal(2, names.Count);
        Assert.StartsWith($"“{newer}”", names[0], StringComparison.Ordinal);
        var typed = await bot.Discord.SendAutocompleteAsync("feedback", "answer", "half-year", [("rating", 4, System.Text.Json.Nodes.JsonValue.Create(1))], userId: asker);
        await bot.WaitIdleAsync(typed, AnswerTimeout);
        var choice = Assert.Single((typed.CallbackData!["choices"] as System.Text.Json.Nodes.JsonArray)!)!;
        Assert.Equal(olderId.ToString("D"), choice["value"]!.GetValue<string>());

        var rate = await bot.Discord.SendGuildCommandAsync("feedback", [("rating", 4, System.Text.Json.Nodes.JsonValue.Create(1)), ("answer", 3, choice["value"]!.DeepClone())], userId: asker);
        await bot.WaitIdleAsync(rate, AnswerTimeout);

        Assert.True(rate.Ephemeral);
        Assert.StartsWith($"Thanks! You rated your answer to “{older}”", rate.OriginalMessage!.Content(), StringComparison.Ordinal);
        var flagged = await PollAsync(async () => (await FlaggedAsync(admin)).SingleOrDefault(q => q.QueryId == olderId), "the rating to reach the flagged queue");
        Assert.Equal(1, flagged.LowestRating);
        Assert.DoesNotContain(await FlaggedAsync(admin), q => q.QueryId == second.OriginalMessage!.QueryId());
    }

    private static async Task<IReadOnlyList<FlaggedQuery>> FlaggedAsync(HttpClient admin) =>
        (await admin.GetFromJsonAsync<PagedResponse<FlaggedQuery>>("/admin/queries/flagged?pageSize=200", Ct))!.Items;

    private static async Task<IReadOnlyList<HistoryItem>> HistoryAsync(HttpClient service, ulong userId) =>
        (await service.GetFromJsonAsync<PagedResponse<HistoryItem>>($"/api/v1/history/{userId}?pageSize=50", Ct))!.Items;

    /// <summary>Polls an API read until it yields a value; the API writes query logs and feedback asynchronously.</summary>
    private static async Task<T> PollAsync<T>(Func<Task<T?>> probe, string what)
        where T : class
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (true)
        {
            if (await probe() is { } value)
            {
                return value;
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out waiting for {what}.");
            }
            await Task.Delay(50, Ct);
        }
    }
}
