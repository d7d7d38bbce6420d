using System.Globalization;
using System.Text.Json.Nodes;
using Compliance.Bot.Tests.Infrastructure;
using Compliance.Testing.FakeDiscord;

namespace Compliance.Bot.Tests.Threads;

/// <summary>
/// "Answer in a thread": the /ask answer gets a thread, every message in it is a follow-up of the same conversation
/// without a mention, and archiving or deleting the thread ends the conversation (an API reset, as /reset does).
/// </summary>
public sealed class AnswerThreadTests
{
    private const ulong Channel = 444_000_000_000_000_001;
    private const ulong Asker = 555_000_000_000_000_001;
    private static readonly string Manager = (2248473465835073UL | 32).ToString(CultureInfo.InvariantCulture);

    private static ulong Id(JsonNode? node) => ulong.Parse(node!.GetValue<string>(), CultureInfo.InvariantCulture);

    private static Task<BotHarness> StartAsync(bool answerInThread, bool messageContent) => BotHarness.StartAsync(
        settings =>
        {
            settings["Bot:AnswerInThread"] = answerInThread ? "true" : "false";
            if (messageContent)
            {
                settings["Discord:Intents"] = "Guilds, GuildMessages, DirectMessages, MessageContent";
            }
        },
        new FakeDiscordOptions { HeartbeatInterval = TimeSpan.FromMilliseconds(500), EnabledPrivilegedIntents = messageContent ? 1 << 15 : 0 });

    private static Task WaitForResetAsync(BotHarness bot) =>
        FakeDiscordServer.WaitUntilAsync(() => bot.Api.CountRequests("DELETE", "/api/v1/conversations/") > 0, null, "the conversation reset");

    [Fact]
    public async Task An_answer_opens_a_thread_whose_messages_continue_the_conversation_without_a_mention_until_it_is_archived()
    {
        // Thread messages without a mention carry their text only with MESSAGE_CONTENT, enabled in the portal.
        await using var bot = await StartAsync(answerInThread: true, messageContent: true);
        var ask = await bot.Discord.SendGuildCommandAsync("ask", Messages.Question("Can I trade during the blackout window?"));
        await bot.WaitIdleAsync(ask);

        var thread = Assert.Single(bot.Discord.Rest.Threads);
        var threadId = Id(thread["id"]);
        Assert.Equal(ask.OriginalMessage!["id"]!.GetValue<string>(), thread["id"]!.GetValue<string>()); // opened on the answer
        Assert.Equal(Channel.ToString(CultureInfo.InvariantCulture), thread["parent_id"]!.GetValue<string>());
        Assert.Equal("Can I trade during the blackout window?", thread["name"]!.GetValue<string>());
        Assert.NotNull(ask.OriginalMessage.Embed()); // the answer itself is unchanged

        await bot.WaitForChannelAsync(threadId); // THREAD_CREATE is handled on Discord.Net's schedule
        await bot.Discord.SendUserMessageAsync("What about exercising options?", mentionBot: false, channelId: threadId);
        await FakeDiscordServer.WaitUntilAsync(() => bot.Discord.Rest.MessagesIn(threadId).Count > 0, null, "the answer in the thread");
        await bot.WaitIdleAsync();

        var asked = bot.Api.Questions;
        Assert.Equal(2, asked.Count);
        Assert.Equal("What about exercising options?", asked[1].Question);
        Assert.Equal(asked[0].ConversationId, asked[1].ConversationId);
        var reply = Assert.Single(bot.Discord.Rest.MessagesIn(threadId));
        Assert.Contains("[1]", reply.Content(), StringComparison.Ordinal);
        Assert.True(reply.PingsNobody());
        Assert.Empty(bot.Discord.Rest.MessagesIn(Channel));

        await bot.Discord.Rest.ArchiveThreadAsync(threadId);
        await WaitForResetAsync(bot);
        await bot.WaitIdleAsync();
        var reset = Assert.Single(bot.Api.Requests, r => r.Method == "DELETE" && r.Path.StartsWith("/api/v1/conversations/", StringComparison.Ordinal));
        Assert.Equal("/api/v1/conversations/" + asked[0].ConversationId, reset.Path);
        Assert.Contains("userId=" + Asker.ToString(CultureInfo.InvariantCulture), reset.Query, StringComparison.Ordinal);

        // The conversation is over: chatter in the (reopened) thread is no longer a question.
        await bot.Discord.SendUserMessageAsync("thanks all", mentionBot: false, channelId: threadId);
        await Task.Delay(300, TestContext.Current.CancellationToken);
        await bot.WaitIdleAsync();
        Assert.Equal(2, bot.Api.Questions.Count);
    }

    [Fact]
    public async Task Without_the_message_content_intent_a_thread_message_must_mention_the_bot_and_is_told_so()
    {
        await using var bot = await StartAsync(answerInThread: true, messageContent: false);
        var ask = await bot.Discord.SendGuildCommandAsync("ask", Messages.Question("May I accept a gift worth 200 EUR?"));
        await bot.WaitIdleAsync(ask);
        var threadId = Id(Assert.Single(bot.Discord.Rest.Threads)["id"]);
        await bot.WaitForChannelAsync(threadId);

        // Discord blanks the text of a message that does not mention the bot: the bot says how to ask, without guessing.
        await bot.Discord.SendUserMessageAsync("And from a supplier?", mentionBot: false, channelId: threadId);
        await FakeDiscordServer.WaitUntilAsync(() => bot.Discord.Rest.MessagesIn(threadId).Count > 0, null, "the hint");
        await bot.WaitIdleAsync();
        Assert.Single(bot.Api.Questions);
        Assert.Equal(Compliance.Bot.FollowUps.FollowUpHandler.ThreadMentionNeeded, bot.Discord.Rest.MessagesIn(threadId)[0].Content());

        await bot.Discord.SendUserMessageAsync("And from a supplier?", mentionBot: true, channelId: threadId);
        await FakeDiscordServer.WaitUntilAsync(() => bot.Discord.Rest.MessagesIn(threadId).Count > 1, null, "the answer in the thread");
        await bot.WaitIdleAsync();
        var asked = bot.Api.Questions;
        Assert.Equal(2, asked.Count);
        Assert.Equal("And from a supplier?", asked[1].Question);
        Assert.Equal(asked[0].ConversationId, asked[1].ConversationId);
    }

    [Fact]
    public async Task Off_by_default_and_turned_on_per_server_only_by_a_manager_then_deleting_the_thread_ends_the_conversation()
    {
        await using var bot = await StartAsync(answerInThread: false, messageContent: false);
        var plain = await bot.Discord.SendGuildCommandAsync("ask", Messages.Question("Who approves outside activities?"));
        await bot.WaitIdleAsync(plain);
        Assert.Empty(bot.Discord.Rest.Threads);
        Assert.Equal(0, bot.Discord.Rest.RequestsTo(FakeRest.Routes.StartThread));

        var member = await bot.Discord.SendGuildCommandAsync("settings", [("threads", 5, JsonValue.Create(true))]);
        await bot.WaitIdleAsync(member);
        Assert.True(member.Ephemeral);
        Assert.Equal("Only server managers can use this command.", member.OriginalMessage!.Content());
        var stillPlain = await bot.Discord.SendGuildCommandAsync("ask", Messages.Question("Who approves outside activities?"));
        await bot.WaitIdleAsync(stillPlain);
        Assert.Empty(bot.Discord.Rest.Threads);

        var manager = await bot.Discord.SendGuildCommandAsync("settings", [("threads", 5, JsonValue.Create(true))], userId: 666_000_000_000_000_001, permissions: Manager);
        await bot.WaitIdleAsync(manager);
        Assert.True(manager.Ephemeral);
        Assert.StartsWith("Saved for this server: each public /ask answer opens a thread", manager.OriginalMessage!.Content(), StringComparison.Ordinal);
        // A private answer cannot carry a thread; a public one in the same server now does.
        var hidden = await bot.Discord.SendGuildCommandAsync("ask", Messages.Question("Is this private?", answerPrivately: true));
        await bot.WaitIdleAsync(hidden);
        Assert.Empty(bot.Discord.Rest.Threads);
        var threaded = await bot.Discord.SendGuildCommandAsync("ask", Messages.Question("What is the gift limit?"));
        await bot.WaitIdleAsync(threaded);
        var threadId = Id(Assert.Single(bot.Discord.Rest.Threads)["id"]);
        await bot.WaitForChannelAsync(threadId);

        await bot.Discord.Rest.DeleteThreadAsync(threadId);
        await WaitForResetAsync(bot);
        await bot.WaitIdleAsync();
        var reset = Assert.Single(bot.Api.Requests, r => r.Method == "DELETE" && r.Path.StartsWith("/api/v1/conversations/", StringComparison.Ordinal));
        Assert.Equal("/api/v1/conversations/" + bot.Api.Questions[^1].ConversationId, reset.Path);
    }
}
