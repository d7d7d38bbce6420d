using System.Text.Json.Nodes;
using Compliance.Testing.FakeDiscord;

namespace Compliance.Testing.Tests.FakeDiscord;

/// <summary>
/// Without the privileged MESSAGE_CONTENT intent Discord delivers a guild message's content only when it mentions
/// the bot; DMs and the bot's own messages keep theirs (gateway docs §Message Content Intent).
/// </summary>
public sealed class MessageContentIntentTests
{
    private const long GuildsMessagesDms = 4609;
    private const long MessageContent = 1 << 15;

    private static Task<FakeDiscordServer> StartAsync(bool contentIntentEnabled = false) =>
        FakeDiscordServer.StartAsync(new FakeDiscordOptions
        {
            HeartbeatInterval = TimeSpan.FromSeconds(30),
            EnabledPrivilegedIntents = contentIntentEnabled ? (int)MessageContent : 0,
        }, TestContext.Current.CancellationToken);

    [Fact]
    public async Task A_guild_message_that_does_not_mention_the_bot_arrives_with_content_embeds_attachments_and_components_empty()
    {
        await using var fake = await StartAsync();
        var (gateway, _) = await RawGateway.IdentifyAsync(fake, GuildsMessagesDms);
        await using var _g = gateway;

        var sent = FakeDispatches.UserMessage(fake.Options, "what is the gift limit?", mentionBot: false, 555, 222, 444, null);
        sent["embeds"] = new JsonArray(new JsonObject { ["title"] = "link preview" });
        sent["attachments"] = new JsonArray(new JsonObject { ["id"] = "9", ["filename"] = "policy.pdf" });
        sent["components"] = new JsonArray(new JsonObject { ["type"] = 1 });
        sent["poll"] = new JsonObject { ["question"] = new JsonObject { ["text"] = "lunch?" } };
        await fake.Gateway.DispatchAsync("MESSAGE_CREATE", sent);

        var delivered = await gateway.ReceiveDispatchAsync("MESSAGE_CREATE");
        Assert.Equal("", delivered.GetProperty("content").GetString());
        Assert.Equal(0, delivered.GetProperty("embeds").GetArrayLength());
        Assert.Equal(0, delivered.GetProperty("attachments").GetArrayLength());
        Assert.Equal(0, delivered.GetProperty("components").GetArrayLength());
        Assert.False(delivered.TryGetProperty("poll", out _), "Discord leaves the poll out without the intent.");
        // What is not content still arrives: who wrote it, where, and the message id.
        Assert.Equal(sent["id"]!.GetValue<string>(), delivered.GetProperty("id").GetString());
        Assert.Equal("555", delivered.GetProperty("author").GetProperty("id").GetString());
    }

    [Fact]
    public async Task A_reply_to_the_bot_with_the_ping_turned_off_arrives_empty()
    {
        await using var fake = await StartAsync();
        var (gateway, _) = await RawGateway.IdentifyAsync(fake, GuildsMessagesDms);
        await using var _g = gateway;

        await fake.SendUserMessageAsync("and what about options?", mentionBot: false, replyToMessageId: 1_300_000_000_000_000_777);

        var delivered = await gateway.ReceiveDispatchAsync("MESSAGE_CREATE");
        Assert.Equal("", delivered.GetProperty("content").GetString());
        Assert.Equal("1300000000000000777", delivered.GetProperty("message_reference").GetProperty("message_id").GetString());
    }

    [Fact]
    public async Task A_message_that_mentions_the_bot_keeps_its_content()
    {
        await using var fake = await StartAsync();
        var (gateway, _) = await RawGateway.IdentifyAsync(fake, GuildsMessagesDms);
        await using var _g = gateway;

        await fake.SendUserMessageAsync("what is the gift limit?", mentionBot: true);

        var delivered = await gateway.ReceiveDispatchAsync("MESSAGE_CREATE");
        Assert.Equal($"<@{RawGateway.Id(fake.Options.BotUserId)}> what is the gift limit?", delivered.GetProperty("content").GetString());
    }

    [Fact]
    public async Task A_direct_message_keeps_its_content()
    {
        await using var fake = await StartAsync();
        var (gateway, _) = await RawGateway.IdentifyAsync(fake, GuildsMessagesDms);
        await using var _g = gateway;

        await fake.SendUserMessageAsync("what is the gift limit?", mentionBot: false, guildId: null, channelId: 777);

        Assert.Equal("what is the gift limit?", (await gateway.ReceiveDispatchAsync("MESSAGE_CREATE")).GetProperty("content").GetString());
    }

    [Fact]
    public async Task The_bots_own_message_keeps_its_content()
    {
        await using var fake = await StartAsync();
        var (gateway, _) = await RawGateway.IdentifyAsync(fake, GuildsMessagesDms);
        await using var _g = gateway;

        var own = FakeDispatches.UserMessage(fake.Options, "Here is the answer.", mentionBot: false, fake.Options.BotUserId, 222, 444, null);
        await fake.Gateway.DispatchAsync("MESSAGE_CREATE", own);

        Assert.Equal("Here is the answer.", (await gateway.ReceiveDispatchAsync("MESSAGE_CREATE")).GetProperty("content").GetString());
    }

    [Fact]
    public async Task A_message_update_without_a_mention_arrives_empty_too()
    {
        await using var fake = await StartAsync();
        var (gateway, _) = await RawGateway.IdentifyAsync(fake, GuildsMessagesDms);
        await using var _g = gateway;

        var edited = FakeDispatches.UserMessage(fake.Options, "edited text", mentionBot: false, 555, 222, 444, null);
        await fake.Gateway.DispatchAsync("MESSAGE_UPDATE", edited);

        Assert.Equal("", (await gateway.ReceiveDispatchAsync("MESSAGE_UPDATE")).GetProperty("content").GetString());
    }

    [Fact]
    public async Task With_the_intent_enabled_and_identified_every_message_keeps_its_content()
    {
        await using var fake = await StartAsync(contentIntentEnabled: true);
        var (gateway, _) = await RawGateway.IdentifyAsync(fake, GuildsMessagesDms | MessageContent);
        await using var _g = gateway;

        await fake.SendUserMessageAsync("and what about options?", mentionBot: false, replyToMessageId: 1_300_000_000_000_000_777);

        Assert.Equal("and what about options?", (await gateway.ReceiveDispatchAsync("MESSAGE_CREATE")).GetProperty("content").GetString());
    }

    [Fact]
    public async Task A_session_replayed_after_a_resume_gets_the_same_blanking()
    {
        await using var fake = await StartAsync();
        var (first, ready) = await RawGateway.IdentifyAsync(fake, GuildsMessagesDms);
        await first.CloseAsync(4000);
        await first.DisposeAsync();
        await FakeDiscordServer.WaitUntilAsync(() => fake.Gateway.CurrentSession?.Connection is null, null, "the session to lose its connection");

        await fake.SendUserMessageAsync("while you were away", mentionBot: false);
        await using var second = await RawGateway.ConnectAsync(new Uri(ready.GetProperty("resume_gateway_url").GetString()!));
        await second.SendResumeAsync(fake.Options.BotToken, ready.GetProperty("session_id").GetString()!, 1);

        Assert.Equal("", (await second.ReceiveDispatchAsync("MESSAGE_CREATE")).GetProperty("content").GetString());
    }

    [Fact]
    public async Task The_message_a_reply_carries_is_judged_on_its_own()
    {
        await using var fake = await StartAsync();
        var (gateway, _) = await RawGateway.IdentifyAsync(fake, GuildsMessagesDms);
        await using var _g = gateway;

        // A mention of the bot replying to another user's message: the reply is readable, the message it quotes is not.
        var mentionReply = FakeDispatches.UserMessage(fake.Options, "is this right?", mentionBot: true, 555, 222, 444, 1_300_000_000_000_000_001);
        mentionReply["referenced_message"] = FakeDispatches.UserMessage(fake.Options, "someone else's claim", mentionBot: false, 556, 222, 444, null);
        await fake.Gateway.DispatchAsync("MESSAGE_CREATE", mentionReply);
        // A reply to the bot with the ping off: the reply is blank, the bot's own answer it quotes is not.
        var quietReply = FakeDispatches.UserMessage(fake.Options, "and options?", mentionBot: false, 555, 222, 444, 1_300_000_000_000_000_002);
        quietReply["referenced_message"] = FakeDispatches.UserMessage(fake.Options, "The blackout runs to Friday.", mentionBot: false, fake.Options.BotUserId, 222, 444, null);
        await fake.Gateway.DispatchAsync("MESSAGE_CREATE", quietReply);

        var first = await gateway.ReceiveDispatchAsync("MESSAGE_CREATE");
        Assert.EndsWith("is this right?", first.GetProperty("content").GetString(), StringComparison.Ordinal);
        Assert.Equal("", first.GetProperty("referenced_message").GetProperty("content").GetString());
        var second = await gateway.ReceiveDispatchAsync("MESSAGE_CREATE");
        Assert.Equal("", second.GetProperty("content").GetString());
        Assert.Equal("The blackout runs to Friday.", second.GetProperty("referenced_message").GetProperty("content").GetString());
    }

    [Fact]
    public void Other_dispatches_are_left_alone()
    {
        var interaction = JsonNode.Parse("""{"id":"1","content":"not a message"}""")!;
        Assert.Same(interaction, FakeMessageContent.AsDelivered("INTERACTION_CREATE", interaction, 0, 111));
    }
}
