using System.Text.Json.Nodes;
using Compliance.Bot.Ask;
using Compliance.Bot.Tests.Infrastructure;
using Compliance.Testing.FakeDiscord;

namespace Compliance.Bot.Tests.Ask;

/// <summary>The message context-menu command "Ask compliance about this" (Apps → on a message).</summary>
public sealed class AskAboutMessageTests
{
    [Fact]
    public async Task The_selected_messages_text_is_asked_and_answered_as_ask_answers()
    {
        await using var bot = await BotHarness.StartAsync();
        // Someone else's message, without a mention: Discord still hands the command its target's content.
        var target = await bot.Discord.SendUserMessageAsync("Can I accept concert tickets from a supplier?", mentionBot: false, userId: 999_000_000_000_000_001);

        var interaction = await bot.Discord.SendMessageCommandAsync("Ask compliance about this", target);
        await bot.WaitIdleAsync(interaction);

        var question = Assert.Single(bot.Api.Questions);
        Assert.Equal("Can I accept concert tickets from a supplier?", question.Question);
        Assert.Equal("555000000000000001", question.UserId); // the one who asked, not the message's author
        Assert.Equal(5, interaction.CallbackType);
        Assert.False(interaction.Ephemeral);
        var answer = interaction.OriginalMessage!;
        Assert.Equal("You may not trade during the blackout window [1]. Pre-clearance is required for exceptions [2].", answer.Content());
        Assert.Equal("Sources", answer.Embed()!["title"]!.GetValue<string>());
        Assert.Equal(3, answer.Buttons().Count);
        Assert.Empty(bot.Discord.Rest.ChannelMessages); // the message itself got no reply
    }

    [Fact]
    public async Task A_message_without_text_gets_a_private_explanation_and_asks_nothing()
    {
        await using var bot = await BotHarness.StartAsync();
        var imageOnly = FakeDispatches.UserMessage(bot.Discord.Options, "", mentionBot: false, 999_000_000_000_000_001, 222_000_000_000_000_001, 444_000_000_000_000_001, null);
        imageOnly["attachments"] = new JsonArray(new JsonObject
        {
            ["id"] = "900000000000000001", ["filename"] = "policy.png", ["size"] = 1024,
            ["url"] = "https://cdn.discordapp.com/attachments/1/2/policy.png", ["proxy_url"] = "https://media.discordapp.net/attachments/1/2/policy.png",
        });

        var interaction = await bot.Discord.SendMessageCommandAsync("Ask compliance about this", imageOnly);
        await bot.WaitIdleAsync(interaction);

        Assert.Empty(bot.Api.Questions);
        Assert.Equal(4, interaction.CallbackType);
        Assert.True(interaction.Ephemeral);
        Assert.Equal(AskAboutMessageModule.NoText, interaction.OriginalMessage!.Content());
    }
}
