using System.Globalization;
using Compliance.Bot.Api;
using Compliance.Bot.Ask;
using Compliance.Bot.Commands;
using Compliance.Bot.Interactions;
using Compliance.Bot.Rendering;
using Compliance.Contracts.Feedback;
using Discord;
using Microsoft.Extensions.Logging;

namespace Compliance.Bot.Feedback;

/// <summary>
/// <c>/feedback</c> (rates the answer picked from the suggestions, or the last one), the buttons under an answer and the report modal: 👍 / 👎 post a
/// rating and thank the clicker privately; "Report a problem" opens a modal whose comment is posted as a negative
/// rating. Only the asker's clicks count (the API stores one rating per user per answer, by the user who asked).
/// </summary>
public sealed class FeedbackInteractions(ComplianceApiClient api, ILogger<FeedbackInteractions> logger)
{
    /// <summary>How many recent answers <c>/feedback</c> offers and accepts (Discord shows at most 25 choices).</summary>
    public const int RecentAnswers = DiscordLimits.AutocompleteChoices;

    /// <summary>What a user who typed into <c>answer</c> instead of picking a suggestion is told.</summary>
    public const string PickASuggestion = "Please pick one of the suggested answers for `answer` (type a few words of your question to find it), or leave it out to rate your last answer.";

    /// <summary>
    /// <c>/feedback rating [answer] [comment]</c>: <paramref name="answer"/> is the query id of one of the user's recent
    /// answers (what the autocomplete suggestions carry); without it, the newest entry of the user's history (the bot
    /// keeps no state of its own).
    /// </summary>
    public async Task RateAnswerAsync(InteractionResponder responder, long rating, string? answer, string? comment, CancellationToken cancellationToken)
    {
        comment = comment?.Trim();
        if (rating is not (>= 1 and <= 5) || comment?.Length > CommandDefinitions.CommentMaxLength)
        {
            await responder.ReplyAsync("Please give a rating from 1 to 5 and at most 1,000 characters of comment.", ephemeral: true, null, cancellationToken);
            return;
        }
        Guid? chosen = null;
        if (!string.IsNullOrWhiteSpace(answer))
        {
            // Discord sends whatever was typed when no suggestion was picked.
            if (!Guid.TryParse(answer.Trim(), out var queryId))
            {
                await responder.ReplyAsync(PickASuggestion, ephemeral: true, null, cancellationToken);
                return;
            }
            chosen = queryId;
        }
        await responder.DeferAsync(ephemeral: true, cancellationToken);
        var userId = responder.Interaction.User.Id.ToString(CultureInfo.InvariantCulture);
        var history = await api.GetHistoryAsync(userId, chosen is null ? 1 : RecentAnswers, cancellationToken);
        if (!history.Succeeded)
        {
            await responder.FailPrivatelyAsync(history.Failure!.UserMessage, cancellationToken);
            return;
        }
        if (history.Value!.Count == 0)
        {
            await responder.FinishAsync(new BotMessage("You haven't asked anything yet, so there's no answer to rate. Try /ask first."), cancellationToken);
            return;
        }
        // Only the user's own recent answers can be rated: a query id from elsewhere is refused here, in plain words.
        var rated = chosen is { } id ? history.Value.FirstOrDefault(h => h.QueryId == id) : history.Value[0];
        if (rated is null)
        {
            await responder.FinishAsync(new BotMessage(PickASuggestion), cancellationToken);
            return;
        }
        var result = await api.SendFeedbackAsync(new FeedbackRequest(rated.QueryId, userId, Rating: (int)rating,
            Comment: string.IsNullOrEmpty(comment) ? null : comment), cancellationToken);
        if (!result.Succeeded)
        {
            await responder.FailPrivatelyAsync(result.Failure!.UserMessage, cancellationToken);
            return;
        }
        logger.LogInformation("Rating {Rating} recorded for query {QueryId}", rating, rated.QueryId);
        var which = chosen is null ? "your last answer" : "your answer to " + AnswerChoices.Quote(rated.Question, 80);
        await responder.FinishAsync(new BotMessage(
            $"Thanks! You rated {which} (query {AnswerRenderer.ShortId(rated.QueryId)}) {rating}/5."
                + (result.Value!.Replaced ? " It replaces your earlier rating." : "")), cancellationToken);
    }

    /// <summary>
    /// Autocomplete for <c>/feedback answer</c>: the user's recent answers by question, filtered by what they typed.
    /// An autocomplete interaction takes only choices, so a failing API yields no suggestions rather than an error.
    /// </summary>
    public async Task SuggestAnswersAsync(InteractionResponder responder, string? typed, CancellationToken cancellationToken)
    {
        var userId = responder.Interaction.User.Id.ToString(CultureInfo.InvariantCulture);
        var history = await api.GetHistoryAsync(userId, RecentAnswers, cancellationToken);
        if (!history.Succeeded)
        {
            logger.LogWarning("No answer suggestions: the history call failed ({Kind})", history.Failure!.Kind);
        }
        await responder.SuggestAsync(history.Succeeded ? AnswerChoices.For(history.Value!, typed) : [], cancellationToken);
    }

    public async Task HandleButtonAsync(InteractionResponder responder, string customId, CancellationToken cancellationToken)
    {
        var interaction = responder.Interaction;
        if (!FeedbackButtons.TryParse(customId, out var action, out var queryId, out var askerId))
        {
            await responder.ReplyAsync("That button is no longer valid.", ephemeral: true, null, cancellationToken);
            return;
        }
        var clicker = interaction.User.Id.ToString(CultureInfo.InvariantCulture);
        if (clicker != askerId)
        {
            await responder.ReplyAsync("Only the person who asked can rate this answer. Ask your own question with /ask.", ephemeral: true, null, cancellationToken);
            return;
        }
        if (action == FeedbackAction.Report)
        {
            await responder.OpenModalAsync(new ModalBuilder()
                .WithTitle("Report a problem with this answer")
                .WithCustomId(FeedbackButtons.ModalId(queryId, askerId))
                .AddLabel(new LabelBuilder(
                    "What is wrong or missing?",
                    new TextInputBuilder(FeedbackButtons.ReportCommentInput, TextInputStyle.Paragraph,
                        placeholder: "e.g. the policy changed in March; section 4.2 says otherwise",
                        minLength: 1, maxLength: CommandDefinitions.CommentMaxLength, required: true),
                    "The compliance team reviews every report."))
                .Build(), cancellationToken);
            return;
        }

        await responder.DeferAsync(ephemeral: true, cancellationToken);
        var helpful = action == FeedbackAction.Helpful;
        using var scope = logger.BeginScope(new Dictionary<string, object> { ["QueryId"] = queryId });
        var result = await api.SendFeedbackAsync(new FeedbackRequest(queryId, askerId, Helpful: helpful,
            Category: helpful ? FeedbackCategories.Helpful : null), cancellationToken);
        if (!result.Succeeded)
        {
            await responder.FailPrivatelyAsync(result.Failure!.UserMessage, cancellationToken);
            return;
        }
        logger.LogInformation("Feedback recorded: helpful {Helpful}, flagged {Flagged}", helpful, result.Value!.Flagged);
        await responder.FinishAsync(new BotMessage(helpful
            ? "Thanks! Glad it helped."
            : "Thanks for telling us. The compliance team will review this answer." + (result.Value.Replaced ? " (Your earlier rating was replaced.)" : "")), cancellationToken);
    }

    public async Task HandleReportAsync(InteractionResponder responder, string customId, string? comment, CancellationToken cancellationToken)
    {
        var interaction = responder.Interaction;
        if (!FeedbackButtons.TryParseModal(customId, out var queryId, out var askerId)
            || interaction.User.Id.ToString(CultureInfo.InvariantCulture) != askerId)
        {
            await responder.ReplyAsync("That report form is no longer valid.", ephemeral: true, null, cancellationToken);
            return;
        }
        comment = comment?.Trim();
        if (string.IsNullOrEmpty(comment) || comment.Length > CommandDefinitions.CommentMaxLength)
        {
            await responder.ReplyAsync($"Please describe the problem in 1 to {CommandDefinitions.CommentMaxLength:N0} characters.", ephemeral: true, null, cancellationToken);
            return;
        }
        await responder.DeferAsync(ephemeral: true, cancellationToken);
        using var scope = logger.BeginScope(new Dictionary<string, object> { ["QueryId"] = queryId });
        var result = await api.SendFeedbackAsync(new FeedbackRequest(queryId, askerId, Helpful: false,
            Category: FeedbackCategories.Other, Comment: comment), cancellationToken);
        if (!result.Succeeded)
        {
            await responder.FailPrivatelyAsync(result.Failure!.UserMessage, cancellationToken);
            return;
        }
        logger.LogInformation("Problem report recorded, flagged {Flagged}", result.Value!.Flagged);
        await responder.FinishAsync(new BotMessage("Thanks, your report was sent to the compliance team."), cancellationToken);
    }
}
