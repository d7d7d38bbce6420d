using System.Net;
using Compliance.Discord.Gateway;
using Compliance.Discord.Models;
using Compliance.Discord.Rest;
using Compliance.Testing.FakeDiscord;

namespace Compliance.Discord.Tests.Rest;

/// <summary>Interactions received over the gateway and answered over REST, against the fake's lifecycle rules.</summary>
public sealed class InteractionFlowTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task A_deferred_command_is_edited_and_followed_up_without_ever_sending_the_bot_token()
    {
        await using var h = await GatewayHarness.StartAsync();
        await h.WaitForReadyAsync();
        var (fake, interaction) = await h.ReceiveGuildCommandAsync();
        var appId = h.Client.ApplicationId!.Value;

        Assert.Equal("ask", interaction.Data!.Name);
        Assert.Equal("Can I trade during blackout?", interaction.Data.GetOption("question")!.AsString());
        Assert.Equal(555_000_000_000_000_001UL, interaction.InvokingUser!.Id);
        Assert.True(interaction.IsInGuild);

        await h.Rest.CreateInteractionResponseAsync(interaction.Id, interaction.Token, InteractionResponse.Defer(ephemeral: true), None);
        var edited = await h.Rest.EditOriginalResponseAsync(appId, interaction.Token, new WebhookMessage
        {
            Content = "Answer [1]",
            Embeds = [new Embed { Title = "Sources", Fields = [new EmbedField("[1] Trading policy", "§4.2, p. 7")], Footer = new EmbedFooter("q-1234") }],
            Components = [MessageComponent.ActionRow(
                MessageComponent.Button(ButtonStyle.Success, "👍", "feedback:q-1234:up"),
                MessageComponent.Button(ButtonStyle.Danger, "👎", "feedback:q-1234:down"))],
            AllowedMentions = AllowedMentions.None,
        }, None);
        await h.Rest.CreateFollowupMessageAsync(appId, interaction.Token, new WebhookMessage { Content = "part 2", Flags = MessageFlags.Ephemeral }, None);
        var original = await h.Rest.GetOriginalResponseAsync(appId, interaction.Token, None);

        Assert.Equal("Answer [1]", edited.Content);
        Assert.Equal("Answer [1]", original.Content);
        Assert.Equal("feedback:q-1234:up", original.Components![0].Components![0].CustomId);
        Assert.Equal(5, fake.CallbackType);
        Assert.True(fake.Ephemeral);
        Assert.Equal(1, fake.Edits);
        Assert.Equal(1, fake.Followups);
        Assert.Equal(0, h.Fake.Rest.BotTokenSentOnInteractionRoutes);
        Assert.Equal(0, h.Fake.Rest.InvalidRequestCount);
    }

    [Fact]
    public async Task A_callback_after_the_three_second_deadline_fails_with_unknown_interaction()
    {
        await using var h = await GatewayHarness.StartAsync();
        await h.WaitForReadyAsync();
        var (_, interaction) = await h.ReceiveGuildCommandAsync();

        h.Fake.Clock.Advance(TimeSpan.FromSeconds(3.5));
        var error = await Assert.ThrowsAsync<DiscordApiException>(() =>
            h.Rest.CreateInteractionResponseAsync(interaction.Id, interaction.Token, InteractionResponse.Defer(false), None));

        Assert.True(error.IsUnknownInteraction);
        Assert.Equal(HttpStatusCode.NotFound, error.StatusCode);
        Assert.DoesNotContain(interaction.Token, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_second_callback_fails_with_already_acknowledged()
    {
        await using var h = await GatewayHarness.StartAsync();
        await h.WaitForReadyAsync();
        var (fake, interaction) = await h.ReceiveGuildCommandAsync();

        await h.Rest.CreateInteractionResponseAsync(interaction.Id, interaction.Token, InteractionResponse.Defer(false), None);
        var error = await Assert.ThrowsAsync<DiscordApiException>(() =>
            h.Rest.CreateInteractionResponseAsync(interaction.Id, interaction.Token, InteractionResponse.Reply(new InteractionCallbackData { Content = "again" }), None));

        Assert.True(error.IsAlreadyAcknowledged);
        Assert.Equal(DiscordErrorCode.InteractionAlreadyAcknowledged, error.ErrorCode);
        Assert.Equal(2, fake.CallbackAttempts);
    }

    [Fact]
    public async Task Edits_after_the_fifteen_minute_token_lifetime_fail_with_invalid_webhook_token()
    {
        await using var h = await GatewayHarness.StartAsync();
        await h.WaitForReadyAsync();
        var (_, interaction) = await h.ReceiveGuildCommandAsync();
        await h.Rest.CreateInteractionResponseAsync(interaction.Id, interaction.Token, InteractionResponse.Defer(false), None);

        h.Fake.Clock.Advance(TimeSpan.FromMinutes(15) + TimeSpan.FromSeconds(1));
        var error = await Assert.ThrowsAsync<DiscordApiException>(() =>
            h.Rest.EditOriginalResponseAsync(h.Client.ApplicationId!.Value, interaction.Token, new WebhookMessage { Content = "too late" }, None));

        Assert.Equal(HttpStatusCode.Unauthorized, error.StatusCode);
        Assert.Equal(DiscordErrorCode.InvalidWebhookToken, error.ErrorCode);
        Assert.Equal(1, h.Rest.InvalidRequestCount);
    }

    [Fact]
    public async Task A_dm_command_has_a_top_level_user_and_no_member()
    {
        await using var h = await GatewayHarness.StartAsync();
        await h.WaitForReadyAsync();
        var sent = await h.Fake.SendDmCommandAsync("history", userId: 999_000_000_000_000_001);
        var interaction = (await h.WaitForDispatchAsync<InteractionCreateDispatch>(d => d.Interaction.Id == sent.Id)).Interaction;

        Assert.Null(interaction.Member);
        Assert.Null(interaction.GuildId);
        Assert.False(interaction.IsInGuild);
        Assert.Equal(InteractionContextType.BotDm, interaction.Context);
        Assert.Equal(999_000_000_000_000_001UL, interaction.InvokingUser!.Id);

        await h.Rest.CreateInteractionResponseAsync(interaction.Id, interaction.Token,
            InteractionResponse.Reply(new InteractionCallbackData { Content = "Your last questions…", Flags = MessageFlags.Ephemeral }), None);
        Assert.Equal("Your last questions…", sent.OriginalMessage!["content"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_button_click_carries_its_message_and_can_update_it_and_a_modal_round_trips()
    {
        await using var h = await GatewayHarness.StartAsync();
        await h.WaitForReadyAsync();
        var (command, interaction) = await h.ReceiveGuildCommandAsync();
        await h.Rest.CreateInteractionResponseAsync(interaction.Id, interaction.Token, InteractionResponse.Reply(new InteractionCallbackData
        {
            Content = "Answer",
            Components = [MessageComponent.ActionRow(MessageComponent.Button(ButtonStyle.Secondary, "Report a problem", "report:q-1"))],
        }), None);

        var click = await h.Fake.SendButtonClickAsync("report:q-1", command.OriginalMessage!);
        var clicked = (await h.WaitForDispatchAsync<InteractionCreateDispatch>(d => d.Interaction.Id == click.Id)).Interaction;
        Assert.Equal(InteractionType.MessageComponent, clicked.Type);
        Assert.Equal("report:q-1", clicked.Data!.CustomId);
        Assert.Equal("Answer", clicked.Message!.Content);

        await h.Rest.CreateInteractionResponseAsync(clicked.Id, clicked.Token, InteractionResponse.Modal("report-modal:q-1", "Report a problem",
            MessageComponent.LabelFor("What is wrong?", MessageComponent.TextInput("comment", TextInputStyle.Paragraph, maxLength: 1000))), None);
        Assert.Equal(9, click.CallbackType);

        var submit = await h.Fake.SendModalSubmitAsync("report-modal:q-1", new Dictionary<string, string> { ["comment"] = "Cites the wrong page" });
        var submitted = (await h.WaitForDispatchAsync<InteractionCreateDispatch>(d => d.Interaction.Id == submit.Id)).Interaction;
        Assert.Equal("Cites the wrong page", submitted.Data!.GetTextInputValue("comment"));

        // A second click updates the message it is on (type 7).
        var second = await h.Fake.SendButtonClickAsync("report:q-1", command.OriginalMessage!);
        var secondClick = (await h.WaitForDispatchAsync<InteractionCreateDispatch>(d => d.Interaction.Id == second.Id)).Interaction;
        await h.Rest.CreateInteractionResponseAsync(secondClick.Id, secondClick.Token, InteractionResponse.Update(new InteractionCallbackData { Content = "Thanks", Components = [] }), None);
        Assert.Equal("Thanks", second.OriginalMessage!["content"]!.GetValue<string>());
        Assert.Equal(0, h.Fake.Rest.InvalidRequestCount);
    }

    [Fact]
    public async Task Message_create_with_and_without_a_mention_is_detected_against_the_ready_user_id()
    {
        await using var h = await GatewayHarness.StartAsync();
        await h.WaitForReadyAsync();
        await h.Fake.SendUserMessageAsync("what about gifts?", mentionBot: true);
        await h.Fake.SendUserMessageAsync("unrelated chatter", mentionBot: false);

        await FakeDiscordServer.WaitUntilAsync(() => h.MessageContents().Count == 2, null, "two messages");
        var messages = h.Dispatches.OfType<MessageCreateDispatch>().Select(d => d.Message).ToList();
        var botId = h.Client.UserId!.Value;
        Assert.True(messages[0].MentionsUser(botId));
        Assert.False(messages[1].MentionsUser(botId));
        Assert.Equal(222_000_000_000_000_001UL, messages[0].GuildId);
    }

    [Fact]
    public async Task A_reply_in_a_channel_uses_bot_auth_a_message_reference_and_no_pings_and_typing_works()
    {
        await using var h = await GatewayHarness.StartAsync();
        await h.WaitForReadyAsync();
        var user = await h.Fake.SendUserMessageAsync("<@everyone> follow-up?", mentionBot: true);
        var received = (await h.WaitForDispatchAsync<MessageCreateDispatch>()).Message;

        await h.Rest.TriggerTypingAsync(received.ChannelId, None);
        var reply = await h.Rest.CreateMessageAsync(received.ChannelId, new MessageCreate
        {
            Content = "Here is the follow-up.",
            MessageReference = new MessageReference { MessageId = received.Id, FailIfNotExists = false },
            AllowedMentions = AllowedMentions.None,
        }, None);

        Assert.Equal(1, h.Fake.Rest.TypingTriggers(received.ChannelId));
        var stored = Assert.Single(h.Fake.Rest.ChannelMessages);
        Assert.Equal(user["id"]!.GetValue<string>(), stored["message_reference"]!["message_id"]!.GetValue<string>());
        Assert.Empty(stored["allowed_mentions"]!["parse"]!.AsArray());
        Assert.Equal(h.Client.UserId, reply.Author!.Id);
    }

    [Fact]
    public async Task Commands_are_bulk_overwritten_globally_and_per_guild_and_read_back_with_ids()
    {
        await using var h = await GatewayHarness.StartAsync(connect: false);
        var appId = h.Fake.Options.ApplicationId;
        ApplicationCommand[] commands =
        [
            new()
            {
                Name = "ask", Description = "Ask a compliance question", Contexts = [0, 1],
                Options =
                [
                    new ApplicationCommandOption { Type = ApplicationCommandOptionType.String, Name = "question", Description = "Your question", Required = true, MinLength = 1, MaxLength = 1000 },
                    new ApplicationCommandOption { Type = ApplicationCommandOptionType.Boolean, Name = "private", Description = "Only you see the answer" },
                ],
            },
            new() { Name = "stats", Description = "Usage statistics", DefaultMemberPermissions = "0" },
        ];

        var global = await h.Rest.BulkOverwriteGlobalCommandsAsync(appId, commands, None);
        var guild = await h.Rest.BulkOverwriteGuildCommandsAsync(appId, 222_000_000_000_000_001, commands[..1], None);
        var readBack = await h.Rest.GetGlobalCommandsAsync(appId, None);

        Assert.All(global, c => Assert.NotNull(c.Id));
        Assert.Equal(["ask", "stats"], readBack.Select(c => c.Name));
        Assert.Equal(1000, readBack[0].Options![0].MaxLength);
        Assert.Equal("0", readBack[1].DefaultMemberPermissions);
        Assert.Equal(222_000_000_000_000_001UL, Assert.Single(guild).GuildId);
        Assert.Equal(2, h.Fake.Rest.CommandWrites);

        // Overwriting again keeps the ids of unchanged names.
        var again = await h.Rest.BulkOverwriteGlobalCommandsAsync(appId, commands, None);
        Assert.Equal(global.Select(c => c.Id), again.Select(c => c.Id));
    }

    [Fact]
    public async Task An_invalid_command_schema_is_rejected_with_the_field_named()
    {
        await using var h = await GatewayHarness.StartAsync(connect: false);
        ApplicationCommand[] commands =
        [
            new()
            {
                Name = "ask", Description = "Ask",
                Options =
                [
                    new ApplicationCommandOption { Type = ApplicationCommandOptionType.String, Name = "comment", Description = "Optional" },
                    new ApplicationCommandOption { Type = ApplicationCommandOptionType.String, Name = "question", Description = "Required", Required = true },
                ],
            },
        ];

        var error = await Assert.ThrowsAsync<DiscordApiException>(() => h.Rest.BulkOverwriteGlobalCommandsAsync(h.Fake.Options.ApplicationId, commands, None));

        Assert.Equal(DiscordErrorCode.InvalidFormBody, error.ErrorCode);
        Assert.Equal("APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID",
            error.Errors!.Value.GetProperty("0").GetProperty("options").GetProperty("1").GetProperty("required").GetProperty("_errors")[0].GetProperty("code").GetString());
    }

    [Fact]
    public async Task Gateway_discovery_and_application_lookup_use_bot_auth_and_a_bad_token_counts_as_invalid()
    {
        await using var h = await GatewayHarness.StartAsync(connect: false);

        var gateway = await h.Rest.GetGatewayBotAsync(None);
        var application = await h.Rest.GetCurrentApplicationAsync(None);
        Assert.Equal(h.Fake.Gateway.Url, gateway.Url);
        Assert.Equal(1000, gateway.SessionStartLimit!.Total);
        Assert.Equal(h.Fake.Options.ApplicationId, application.Id);

        using var http = new HttpClient();
        var badOptions = GatewayHarness.ClientOptions(h.Fake, o => o.BotToken = "not-the-token");
        var bad = new DiscordRestClient(http, badOptions);
        var error = await Assert.ThrowsAsync<DiscordApiException>(() => bad.GetGatewayBotAsync(None));
        Assert.Equal(HttpStatusCode.Unauthorized, error.StatusCode);
        Assert.Equal(1, bad.InvalidRequestCount);
        Assert.Equal(1, h.Fake.Rest.InvalidRequestCount);
        Assert.DoesNotContain("not-the-token", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_gateway_can_discover_its_url_through_rest()
    {
        await using var fake = await FakeDiscordServer.StartAsync(new FakeDiscordOptions { HeartbeatInterval = TimeSpan.FromSeconds(20) }, None);
        var options = GatewayHarness.ClientOptions(fake, o => o.GatewayUrl = null);
        using var http = new HttpClient();
        var rest = new DiscordRestClient(http, options);
        await using var gateway = new GatewayConnection(options, async ct => (await rest.GetGatewayBotAsync(ct)).Url);

        await gateway.StartAsync(None);
        await FakeDiscordServer.WaitUntilAsync(() => gateway.State == GatewayConnectionState.Connected, null, "READY via discovered URL");

        Assert.Equal(1, fake.Rest.RequestsTo(FakeRest.Routes.GatewayBot));
        Assert.Equal("/gateway", fake.Gateway.Connections[0].Path);
    }
}
