using System.Globalization;
using System.Text;
using Compliance.Bot.Api;
using Compliance.Bot.Commands;
using Compliance.Bot.Configuration;
using Compliance.Bot.Interactions;
using Compliance.Bot.Rendering;
using Compliance.Contracts.Questions;
using Discord.Net;
using Microsoft.Extensions.Logging;

namespace Compliance.Bot.Ask;

/// <summary>
/// <c>/ask</c>: defer at once (privately when asked to, or when the user prefers it), stream the answer into the
/// message with paced edits, then show the cited answer with its sources, footer and feedback buttons. Failures
/// reach only the asker, in plain words.
/// </summary>
public sealed class AskHandler(
    ComplianceApiClient api,
    UserPreferences preferences,
    ConversationState conversations,
    InteractionLimiter limiter,
    BotSettings settings,
    TimeProvider time,
    ILogger<AskHandler> logger,
    Threads.AnswerThreads threads)
{
    /// <summary>
    /// Answers <paramref name="question"/>; <paramref name="explicitPrivate"/> is the <c>private</c> option when the
    /// user gave it (otherwise the stored preference decides).
    /// </summary>
    public async Task HandleAsync(InteractionResponder responder, string? question, bool? explicitPrivate, CancellationToken cancellationToken)
    {
        var interaction = responder.Interaction;
        var user = interaction.User;
        var userId = user.Id.ToString(CultureInfo.InvariantCulture);
        question = question?.Trim() ?? "";
        if (question.Length == 0 || question.EnumerateRunes().Count() > CommandDefinitions.QuestionMaxLength)
        {
            await responder.ReplyAsync($"Please ask a question of 1 to {CommandDefinitions.QuestionMaxLength:N0} characters.", ephemeral: true, null, cancellationToken);
            return;
        }

        // Acknowledge before anything else: Discord drops the interaction after 3 seconds.
        var known = explicitPrivate ?? preferences.Known(userId);
        await responder.DeferAsync(known ?? false, cancellationToken);
        var preference = known is null ? preferences.LoadAsync(userId, cancellationToken) : null;

        using var slot = await limiter.EnterAsync(cancellationToken);
        var conversationId = conversations.ConversationFor(interaction);
        var request = new QueryRequest(
            question,
            userId,
            interaction.GuildId?.ToString(CultureInfo.InvariantCulture),
            interaction.ChannelId?.ToString(CultureInfo.InvariantCulture),
            conversationId,
            user.GlobalName ?? user.Username);

        await using var editor = new PacedEditor(
            // Past the token's life an edit would only earn a 401 (an invalid request); the final answer goes to the channel.
            (text, ct) => responder.TokenAlive ? responder.EditAsync(new BotMessage(AnswerRenderer.StreamingPreview(text)), ct) : Task.CompletedTask,
            settings.EditInterval, time, logger, cancellationToken);
        var text = new StringBuilder();
        IDisposable? queryScope = null;
        try
        {
            await foreach (var update in api.AskAsync(request, cancellationToken))
            {
                switch (update)
                {
                    case QueryMetaEvent meta:
                        queryScope = logger.BeginScope(new Dictionary<string, object> { ["QueryId"] = meta.Meta.QueryId });
                        logger.LogInformation("Answering with {Sources} sources in {Mode} mode", meta.Meta.Sources.Count, meta.Meta.Mode);
                        break;
                    case QueryDeltaEvent delta:
                        if (text.Length == 0)
                        {
                            await ApplyPreferenceAsync(responder, preference, cancellationToken);
                        }
                        text.Append(delta.Text);
                        editor.Update(text.ToString());
                        break;
                    case QueryDoneEvent done:
                        await editor.StopAsync();
                        await ApplyPreferenceAsync(responder, preference, cancellationToken);
                        queryScope ??= logger.BeginScope(new Dictionary<string, object> { ["QueryId"] = done.Response.QueryId });
                        await ShowAnswerAsync(responder, done.Response, userId, conversationId, cancellationToken);
                        await threads.OpenIfWantedAsync(responder, question, conversationId, cancellationToken);
                        logger.LogInformation("Answered: {Status}, {Citations} citations, {Edits} streaming edits, {Elapsed} ms",
                            done.Response.Status, done.Response.Citations.Count, editor.Edits, (long)responder.Elapsed.TotalMilliseconds);
                        return;
                    case QueryErrorEvent error:
                        await editor.StopAsync();
                        logger.LogWarning("The API could not answer: {Code}", error.Error.Code);
                        await responder.FailPrivatelyAsync(error.Error.Message, cancellationToken);
                        return;
                    case QueryFailedEvent failed:
                        await editor.StopAsync();
                        logger.LogWarning("The question failed: {Kind} {Status}", failed.Failure.Kind, failed.Failure.StatusCode);
                        await responder.FailPrivatelyAsync(failed.Failure.UserMessage, cancellationToken);
                        return;
                }
            }
        }
        finally
        {
            queryScope?.Dispose();
        }
    }

    /// <summary>
    /// The answer outlived the 15-minute interaction token (it waited long for a slot, or the API was slow): a public
    /// answer is posted in the channel, addressed to the asker without a ping, instead of being lost.
    /// </summary>
    private async Task FinishInChannelAsync(InteractionResponder responder, IReadOnlyList<AnswerPart> parts, string userId, string conversationId, CancellationToken cancellationToken)
    {
        var posted = 0;
        foreach (var (part, index) in parts.Select((p, i) => (p, i)))
        {
            var content = index == 0 ? $"<@{userId}>, your answer took too long for the original message:\n\n{part.Content}" : part.Content;
            var split = content.Length > DiscordLimits.ContentCodePoints ? MessageSplitter.Split(content) : [content];
            foreach (var (piece, last) in split.Select((x, i) => (x, i == split.Count - 1)))
            {
                var id = await responder.PostInChannelAsync(new BotMessage(piece, last ? part.Embeds : null, last ? part.Components : null), cancellationToken);
                if (id is not { } sent)
                {
                    logger.LogWarning("The interaction token expired before a private answer was ready; it cannot be shown");
                    return;
                }
                conversations.RecordAnswer(sent, conversationId);
                posted++;
            }
        }
        logger.LogInformation("The interaction token expired; the answer was posted in the channel ({Parts} messages)", posted);
    }

    /// <summary>A public deferral for a user who (it turns out) prefers privacy moves to a private message.</summary>
    private static async Task ApplyPreferenceAsync(InteractionResponder responder, Task<bool>? preference, CancellationToken cancellationToken)
    {
        if (preference is null || responder.Ephemeral || !await preference)
        {
            return;
        }
        await responder.SwitchToPrivateAsync(new BotMessage(AnswerRenderer.StreamingPreview("")), cancellationToken);
    }

    private async Task ShowAnswerAsync(InteractionResponder responder, QueryResponse response, string userId, string conversationId, CancellationToken cancellationToken)
    {
        var parts = AnswerRenderer.Render(response, userId, responder.Elapsed);
        if (!responder.TokenAlive)
        {
            await FinishInChannelAsync(responder, parts, userId, conversationId, cancellationToken);
            return;
        }
        var first = parts[0];
        var sent = await responder.FinishAsync(new BotMessage(first.Content, first.Embeds ?? [], first.Components ?? new Discord.ComponentBuilder().Build()), cancellationToken);
        conversations.RecordAnswer(sent, conversationId);
        foreach (var part in parts.Skip(1))
        {
            try
            {
                var followup = await responder.FollowupAsync(new BotMessage(part.Content, part.Embeds, part.Components), cancellationToken);
                conversations.RecordAnswer(followup, conversationId);
            }
            catch (HttpException ex)
            {
                logger.LogWarning("A continuation of a long answer could not be sent: {Status} {Code}", (int)ex.HttpCode, ex.DiscordCode);
                break;
            }
        }
    }
}
