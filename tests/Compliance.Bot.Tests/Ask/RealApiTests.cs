using Compliance.Bot.Tests.Infrastructure;

namespace Compliance.Bot.Tests.Ask;

/// <summary>The whole chain: fake Discord → the bot → the real API (Postgres, index, sample policies) → the fake model.</summary>
public sealed class RealApiTests
{
    [Fact]
    public async Task A_guild_members_ask_is_answered_by_the_real_API_with_a_cited_streamed_answer()
    {
        await using var api = new RealComplianceApi();
        await api.InitializeAsync();
        await using var bot = await BotHarness.StartAsync(
            settings => settings["API_URL"] = api.Server.BaseAddress.ToString(),
            apiTransport: api.Server.CreateHandler());

        var interaction = await bot.Discord.SendGuildCommandAsync("ask", Messages.Question("Can I trade Northwind shares during the quarterly blackout period?"));
        await bot.WaitIdleAsync(interaction, TimeSpan.FromSeconds(60));

        Assert.Equal(5, interaction.CallbackType);
        var final = interaction.OriginalMessage!;
        Assert.Equal("No: trading is not allowed during a blackout period [1]. Ask compliance for pre-clearance.", final.Content());
        var embed = final.Embed()!;
        Assert.Equal("Sources", embed["title"]!.GetValue<string>());
        Assert.StartsWith("[1] ", embed["fields"]![0]!["name"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(3, final.Buttons().Count);
        Assert.True(interaction.OriginalMessageHistory.Count >= 3, "the answer is streamed: deferral, at least one partial edit, final");

        // The model saw the question and the numbered sources the API retrieved for it.
        var prompt = Assert.Single(api.Model.Requests);
        Assert.Contains("quarterly blackout period", prompt.LastUserMessage, StringComparison.Ordinal);
        Assert.True(prompt.Stream);
    }
}
