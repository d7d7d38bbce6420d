using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Compliance.Bot.Api;
using Compliance.Bot.Ask;
using Compliance.Bot.Commands;
using Compliance.Bot.Gateway;
using Compliance.Bot.Configuration;
using Compliance.Bot.Interactions;
using Compliance.Bot.Rendering;
using Compliance.Contracts.Questions;
using Compliance.ServiceDefaults.Telemetry;
using Discord;
using Discord.Net;
using Discord.WebSocket;
using Microsoft.Extensions.Logging;

namespace Compliance.Bot.FollowUps;

/// <summary>
/// Continues a conversation from a channel message: a reply to one of the bot's answers, a mention of the bot
/// (in a thread the bot started the thread is the conversation; elsewhere the channel and the author), or any
/// message in a thread the bot opened on an answer (that answer's conversation). Shows the
/// typing indicator while the API answers and replies with a message reference that pings nobody.
/// Without the privileged MESSAGE_CONTENT intent Discord delivers the text of a guild message only when it
/// mentions the bot: a reply with its mention switched off arrives empty, and the bot says how to ask instead of
/// guessing.
/// </summary>
public sealed partial class FollowUpHandler(
    ComplianceApiClient api,
    ConversationState conversations,
    InteractionLimiter limiter,
    BotSettings settings,
    ILogger<FollowUpHandler> logger)
{
    /// <summary>What the bot says to a reply whose text Discord withheld (no mention, no MESSAGE_CONTENT intent).</summary>
    public const string MentionNeeded = "I can only read replies that mention me: reply again with the @mention switched on (or mention me), and I'll answer.";

    /// <summary>
    /// What the bot says to a message in an answer thread whose text Discord withheld: without MESSAGE_CONTENT a
    /// thread message reaches the bot with its text only when it mentions the bot.
    /// </summary>
    public const string ThreadMentionNeeded = "I can only read messages in this thread that mention me: mention me with your question, and I'll answer.";

    /// <summary>True when <paramref name="message"/> asks the bot something (see the class summary).</summary>
    public bool IsFollowUp(SocketMessage message, ulong botUserId)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message is not SocketUserMessage user || user.Author.IsBot || user.Author.IsWebhook || user.Author.Id == botUserId)
        {
            return false;
        }
        var repliesToBot = user.Reference?.MessageId.IsSpecified == true
            && (conversations.ConversationOfAnswer(user.Reference.MessageId.Value) is not null || user.ReferencedMessage?.Author?.Id == botUserId);
        // In a thread opened on an answer every message is a follow-up, mention or not.
        return repliesToBot || Mentions(user, botUserId) || conversations.AnswerThreadOf(user.Channel.Id) is not null;
    }

    public async Task HandleAsync(SocketMessage message, ulong botUserId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        using var activity = ComplianceDiagnostics.ActivitySource.StartActivity("discord.follow-up", ActivityKind.Consumer)
            ?? new Activity("discord.follow-up").SetIdFormat(ActivityIdFormat.W3C).Start();
        using var scope = logger.BeginScope(new Dictionary<string, object> { ["MessageId"] = message.Id, ["ChannelId"] = message.Channel.Id });
        var reference = (message as SocketUserMessage)?.Reference;
        var conversationId = (reference?.MessageId.IsSpecified == true ? conversations.ConversationOfAnswer(reference.MessageId.Value) : null)
            ?? conversations.ConversationFor(message);
        var question = Mention().Replace(message.Content, match => match.Groups["id"].Value == botUserId.ToString(CultureInfo.InvariantCulture) ? "" : match.Value).Trim();
        if (question.Length == 0)
        {
            var hint = Mentions(message, botUserId)
                ? "Ask me a question after the mention, e.g. “@me can I trade during the blackout window?”."
                : conversations.AnswerThreadOf(message.Channel.Id) is not null && reference is null ? ThreadMentionNeeded : MentionNeeded;
            await ReplyAsync(message, hint, null, null, conversationId, cancellationToken);
            return;
        }
        if (question.EnumerateRunes().Count() > CommandDefinitions.QuestionMaxLength)
        {
            await ReplyAsync(message, $"That's longer than I can take; please keep questions under {CommandDefinitions.QuestionMaxLength:N0} characters.", null, null, conversationId, cancellationToken);
            return;
        }

        using var slot = await limiter.EnterAsync(cancellationToken);
        using var typing = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var typingLoop = KeepTypingAsync(message.Channel, typing.Token);
        var started = Stopwatch.GetTimestamp();
        QueryEvent? outcome = null;
        try
        {
            var request = new QueryRequest(question, message.Author.Id.ToString(CultureInfo.InvariantCulture),
                (message.Channel as SocketGuildChannel)?.Guild.Id.ToString(CultureInfo.InvariantCulture), message.Channel.Id.ToString(CultureInfo.InvariantCulture),
                conversationId, message.Author.GlobalName ?? message.Author.Username);
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
                    var parts = AnswerRenderer.Render(done.Response, message.Author.Id.ToString(CultureInfo.InvariantCulture), Stopwatch.GetElapsedTime(started));
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

    private async Task ReplyAsync(SocketMessage to, string content, IReadOnlyList<Embed>? embeds, MessageComponent? components, string conversationId, CancellationToken cancellationToken)
    {
        var sent = await to.Channel.SendMessageAsync(
            content,
            embeds: embeds?.ToArray(),
            components: components,
            // Nobody is pinged, not even the asker.
            allowedMentions: Pings.None,
            // A reply to a deleted question still goes out.
            messageReference: new MessageReference(to.Id, to.Channel.Id, failIfNotExists: false),
            // Retried after a timeout or a 502 with the same nonce and enforce_nonce: if the first post landed,
            // Discord returns it instead of posting the answer twice.
            options: EnforcedNonce.Options(cancellationToken));
        conversations.RecordAnswer(sent.Id, conversationId);
    }

    private static bool Mentions(SocketMessage message, ulong botUserId) =>
        message.MentionedUsers.Any(u => u.Id == botUserId) || Mention().Matches(message.Content).Any(m => m.Groups["id"].Value == botUserId.ToString(CultureInfo.InvariantCulture));

    private async Task KeepTypingAsync(ISocketMessageChannel channel, CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                await channel.TriggerTypingAsync(new RequestOptions { CancelToken = cancellationToken });
                await Task.Delay(settings.TypingInterval, cancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
            // The answer is ready.
        }
        catch (HttpException ex)
        {
            // The indicator is a courtesy; a channel that refuses it still gets the answer.
            logger.LogDebug("Typing indicator refused: {Status}", (int)ex.HttpCode);
        }
    }

    [GeneratedRegex(@"<@!?(?<id>\d+)>", RegexOptions.CultureInvariant)]
    private static partial Regex Mention();
}
