using System.Text.Json.Nodes;
using Compliance.Bot.Tests.Infrastructure;
using Compliance.Testing.FakeDiscord;

namespace Compliance.Bot.Tests.FollowUps;

/// <summary>Replies to the bot's answers and mentions in its threads continue the conversation.</summary>
public sealed class FollowUpTests
{
    [Fact]
    public async Task A_reply_to_an_answer_continues_its_conversation_with_typing_and_no_pings()
    {
        // A reply with the ping off does not mention the bot, so Discord delivers its text only with the privileged
        // MESSAGE_CONTENT intent, enabled in the portal and asked for in Identify (the fake blanks it otherwise).
        await using var bot = await BotHarness.StartAsync(
            settings =>
            {
                settings["Bot:TypingInterval"] = "00:00:00.200";
                settings["Discord:Intents"] = "Guilds, GuildMessages, DirectMessages, MessageContent";
            },
            new FakeDiscordOptions { HeartbeatInterval = TimeSpan.FromMilliseconds(500), EnabledPrivilegedIntents = 1 << 15 });
        bot.Api.Enqueue(new StubAnswer(), new StubAnswer { DelayBeforeHeaders = TimeSpan.FromMilliseconds(700) });
        var ask = await bot.Discord.SendGuildCommandAsync("ask", Messages.Question("Can I trade during the blackout?"));
        await bot.WaitIdleAsync(ask);
        var answerId = ulong.Parse(ask.OriginalMessage!["id"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture);

        var question = await bot.Discord.SendUserMessageAsync("What about exercising options?", mentionBot: false, replyToMessageId: answerId);
        await FakeDiscordServer.WaitUntilAsync(() => bot.Discord.Rest.ChannelMessages.Count > 0, null, "the follow-up reply");
        await bot.WaitIdleAsync();

        var asked = bot.Api.Questions;
        Assert.Equal(2, asked.Count);
        Assert.Equal("What about exercising options?", asked[1].Question);
        Assert.Equal(asked[0].ConversationId, asked[1].ConversationId);
        Assert.True(bot.Discord.Rest.TypingTriggers(444_000_000_000_000_001) >= 1);
        var reply = Assert.Single(bot.Discord.Rest.ChannelMessages);
        Assert.Equal(question["id"]!.GetValue<string>(), reply["message_reference"]!["message_id"]!.GetValue<string>());
        Assert.True(reply.PingsNobody());
        Assert.False(reply["allowed_mentions"]!["replied_user"]!.GetValue<bool>());
        Assert.Contains("[1]", reply.Content(), StringComparison.Ordinal);
        Assert.Equal(3, reply.Buttons().Count);
    }

    [Fact]
    public async Task A_reply_without_the_mention_arrives_empty_and_the_bot_says_how_to_ask()
    {
        await using var bot = await BotHarness.StartAsync();
        var ask = await bot.Discord.SendGuildCommandAsync("ask", Messages.Question("Can I trade during the blackout?"));
        await bot.WaitIdleAsync(ask);
        var answerId = ulong.Parse(ask.OriginalMessage!["id"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture);

        // Without MESSAGE_CONTENT, Discord (and the fake) blanks the text of a guild message that does not mention the bot.
        await bot.Discord.SendUserMessageAsync("What about exercising options?", mentionBot: false, replyToMessageId: answerId);
        await FakeDiscordServer.WaitUntilAsync(() => bot.Discord.Rest.ChannelMessages.Count > 0, null, "the bot's hint");
        await bot.WaitIdleAsync();

        Assert.Single(bot.Api.Questions);
        var hint = Assert.Single(bot.Discord.Rest.ChannelMessages);
        Assert.Equal(Compliance.Bot.FollowUps.FollowUpHandler.MentionNeeded, hint.Content());
        Assert.True(hint.PingsNobody());
    }

    [Fact]
    public async Task DISCORD_INTENTS_asks_for_message_content_when_the_portal_allows_it()
    {
        const int messageContent = 1 << 15;
        await using var bot = await BotHarness.StartAsync(
            settings => settings["DISCORD_INTENTS"] = "Guilds, GuildMessages, DirectMessages, MessageContent",
            new FakeDiscordOptions { HeartbeatInterval = TimeSpan.FromMilliseconds(500), EnabledPrivilegedIntents = messageContent });

        var identify = bot.Discord.Gateway.Connections[^1].IdentifyData!;
        Assert.Equal(1 | (1 << 9) | (1 << 12) | messageContent, identify["intents"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_mention_in_a_thread_the_bot_started_uses_the_thread_as_the_conversation_and_plain_chatter_is_ignored()
    {
        await using var bot = await BotHarness.StartAsync();
        const ulong thread = 888_000_000_000_000_001;
        // The thread's guild and parent channel first: Discord.Net ignores a THREAD_CREATE in a guild it does not know.
        await bot.Discord.Gateway.EnsureGuildChannelAsync(222_000_000_000_000_001, 444_000_000_000_000_001);
        await bot.WaitForChannelAsync(444_000_000_000_000_001);
        await bot.Discord.Gateway.DispatchAsync("THREAD_CREATE", new JsonObject
        {
            ["id"] = "888000000000000001", ["type"] = 11, ["guild_id"] = "222000000000000001", ["parent_id"] = "444000000000000001",
            ["owner_id"] = bot.Discord.Options.BotUserId.ToString(System.Globalization.CultureInfo.InvariantCulture), ["name"] = "Blackout questions",
        });
        await bot.WaitForChannelAsync(thread);

        await bot.Discord.SendUserMessageAsync("lunch anyone?", mentionBot: false, channelId: thread);
        await bot.Discord.SendUserMessageAsync("is the blackout over on Friday?", mentionBot: true, channelId: thread);
        await FakeDiscordServer.WaitUntilAsync(() => bot.Discord.Rest.ChannelMessages.Count > 0, null, "the reply in the thread");
        await bot.WaitIdleAsync();

        var question = Assert.Single(bot.Api.Questions);
        Assert.Equal("is the blackout over on Friday?", question.Question);
        Assert.Equal("888000000000000001", question.ConversationId);
        Assert.Single(bot.Discord.Rest.ChannelMessages);
    }
}
