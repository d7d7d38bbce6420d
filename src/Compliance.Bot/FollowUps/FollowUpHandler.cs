using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Compliance.Bot.Api;
using Compliance.Bot.Ask;
using Compliance.Bot.Commands;
using Compliance.Bot.Configuration;
using Compliance.Bot.Interactions;
using Compliance.Contracts.Questions;
using Compliance.Discord.Models;
using Compliance.Discord.Rest;
using Compliance.ServiceDefaults.Telemetry;
using Microsoft.Extensions.Logging;

namespace Compliance.Bot.FollowUps;

/// <summary>
/// Continues a conversation from a channel message: a reply to one of the bot's answers, or a mention of the bot
/// (in a thread the bot started the thread is the conversation; elsewhere the channel and the author). Shows the
/// typing indicator while the API answers and replies with a message reference that pings nobody.
/// </summary>
public sealed partial class FollowUpHandler(
    DiscordRestClient rest,
    ComplianceApiClient api,
    ConversationState conversations,
    InteractionLimiter limiter,
    BotSettings settings,
    ILogger<FollowUpHandler> logger)
{
    /// <summary>True when <paramref name="message"/> asks the bot something (see the class summary).</summary>
    public bool IsFollowUp(Message message, ulong botUserId)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message.Author is null || message.Author.Bot == true || message.Author.Id == botUserId || message.WebhookId is not null)
        {
            return false;
        }
        var repliesToBot = message.MessageReference?.MessageId is { } repliedTo
            && (conversations.ConversationOfAnswer(repliedTo) is not null || message.ReferencedMessage?.Author?.Id == botUserId);
        return repliesToBot || message.MentionsUser(botUserId);
    }

    public async Task HandleAsync(Message message, ulong botUserId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        using var activity = ComplianceDiagnostics.ActivitySource.StartActivity("discord.follow-up", ActivityKind.Consumer)
            ?? new Activity("discord.follow-up").SetIdFormat(ActivityIdFormat.W3C).Start();
        using var scope = logger.BeginScope(new Dictionary<string, object> { ["MessageId"] = message.Id, ["ChannelId"] = message.ChannelId });
        var conversationId = (message.MessageReference?.MessageId is { } repliedTo ? conversations.ConversationOfAnswer(repliedTo) : null)
            ?? conversations.ConversationFor(message);
        var question = Mention().Replace(message.Content, match => match.Groups["id"].Value == botUserId.ToString(CultureInfo.InvariantCulture) ? "" : match.Value).Trim();
        if (question.Length == 0)
        {
            await ReplyAsync(message, "Ask me a question after the mention, e.g. “@me can I trade during the blackout window?”.", null, null, conversationId, cancellationToken);
            return;
        }
        if (question.EnumerateRunes().Count() > CommandDefinitions.QuestionMaxLength)
        {
            await ReplyAsync(message, $"That's longer than I can take; please keep questions under {CommandDefinitions.QuestionMaxLength:N0} characters.", null, null, conversationId, cancellationToken);
            return;
        }

        using var slot = await limiter.EnterAsync(cancellationToken);
        using var typing = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var typingLoop = KeepTypingAsync(message.ChannelId, typing.Token);
        var started = Stopwatch.GetTimestamp();
        QueryEvent? outcome = null;
        try
        {
            var request = new QueryRequest(question, message.Author!.Id.ToString(CultureInfo.InvariantCulture),
                message.GuildId?.ToString(CultureInfo.InvariantCulture), message.ChannelId.ToString(CultureInfo.InvariantCulture),
                conversationId, message.Author.DisplayName);
            await foreach (var update in api.AskAsync(request, cancellationToken))
            {
                if (update is QueryDoneEvent or QueryErrorEvent or QueryFailedEvent)
                {
                    outcome = update;
                }
            }
        }
        finally
        {
            await typing.CancelAsync();
            await typingLoop;
        }

        switch (outcome)
        {
            case QueryDoneEvent done:
                using (logger.BeginScope(new Dictionary<string, object> { ["QueryId"] = done.Response.QueryId }))
                {
                    var parts = AnswerRenderer.Render(done.Response, message.Author!.Id.ToString(CultureInfo.InvariantCulture), Stopwatch.GetElapsedTime(started));
                    foreach (var part in parts)
                    {
                        await ReplyAsync(message, part.Content, part.Embeds, part.Components, conversationId, cancellationToken);
                    }
                    logger.LogInformation("Follow-up answered: {Status}, {Citations} citations", done.Response.Status, done.Response.Citations.Count);
                }
                break;
            case QueryErrorEvent error:
                await ReplyAsync(message, error.Error.Message, null, null, conversationId, cancellationToken);
                break;
            case QueryFailedEvent failed:
                logger.LogWarning("Follow-up failed: {Kind} {Status}", failed.Failure.Kind, failed.Failure.StatusCode);
                await ReplyAsync(message, failed.Failure.UserMessage, null, null, conversationId, cancellationToken);
                break;
        }
    }

    private async Task ReplyAsync(Message to, string content, IReadOnlyList<Embed>? embeds, IReadOnlyList<MessageComponent>? components, string conversationId, CancellationToken cancellationToken)
    {
        var sent = await rest.CreateMessageAsync(to.ChannelId, new MessageCreate
        {
            Content = content,
            Embeds = embeds,
            Components = components,
            // A reply to a deleted question still goes out; nobody, not even the asker, is pinged.
            MessageReference = new MessageReference { MessageId = to.Id, ChannelId = to.ChannelId, FailIfNotExists = false },
            AllowedMentions = AllowedMentions.None,
        }, cancellationToken);
        conversations.RecordAnswer(sent.Id, conversationId);
    }

    private async Task KeepTypingAsync(ulong channelId, CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                await rest.TriggerTypingAsync(channelId, cancellationToken);
                await Task.Delay(settings.TypingInterval, cancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
            // The answer is ready.
        }
        catch (DiscordApiException ex)
        {
            // The indicator is a courtesy; a channel that refuses it still gets the answer.
            logger.LogDebug("Typing indicator refused: {Status}", (int)ex.StatusCode);
        }
    }

    [GeneratedRegex(@"<@!?(?<id>\d+)>", RegexOptions.CultureInvariant)]
    private static partial Regex Mention();
}
