using System.Globalization;
using Compliance.Bot.Api;
using Compliance.Bot.Commands;
using Compliance.Bot.Interactions;
using Compliance.Contracts.Feedback;
using Compliance.Discord.Models;
using Microsoft.Extensions.Logging;

namespace Compliance.Bot.Ask;

/// <summary>
/// The buttons under an answer and the report modal: 👍 / 👎 post a rating and thank the clicker privately;
/// "Report a problem" opens a modal whose comment is posted as a negative rating. Only the asker's clicks count
/// (the API stores one rating per user per answer, by the user who asked).
/// </summary>
public sealed class FeedbackInteractions(ComplianceApiClient api, ILogger<FeedbackInteractions> logger)
{
    public async Task HandleButtonAsync(InteractionResponder responder, CancellationToken cancellationToken)
    {
        var interaction = responder.Interaction;
        if (!FeedbackButtons.TryParse(interaction.Data?.CustomId, out var action, out var queryId, out var askerId))
        {
            await responder.ReplyAsync("That button is no longer valid.", ephemeral: true, null, cancellationToken);
            return;
        }
        var clicker = interaction.InvokingUser!.Id.ToString(CultureInfo.InvariantCulture);
        if (clicker != askerId)
        {
            await responder.ReplyAsync("Only the person who asked can rate this answer. Ask your own question with /ask.", ephemeral: true, null, cancellationToken);
            return;
        }
        if (action == FeedbackAction.Report)
        {
            await responder.OpenModalAsync(FeedbackButtons.ModalId(queryId, askerId), "Report a problem with this answer",
            [
                MessageComponent.LabelFor("What is wrong or missing?",
                    MessageComponent.TextInput(FeedbackButtons.ReportCommentInput, TextInputStyle.Paragraph, minLength: 1, maxLength: CommandDefinitions.CommentMaxLength,
                        placeholder: "e.g. the policy changed in March; section 4.2 says otherwise"),
                    "The compliance team reviews every report."),
            ], cancellationToken);
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
        await responder.FinishAsync(new WebhookMessage
        {
            Content = helpful
                ? "Thanks! Glad it helped."
                : "Thanks for telling us. The compliance team will review this answer." + (result.Value.Replaced ? " (Your earlier rating was replaced.)" : ""),
        }, cancellationToken);
    }

    public async Task HandleReportAsync(InteractionResponder responder, CancellationToken cancellationToken)
    {
        var interaction = responder.Interaction;
        if (!FeedbackButtons.TryParseModal(interaction.Data?.CustomId, out var queryId, out var askerId)
            || interaction.InvokingUser!.Id.ToString(CultureInfo.InvariantCulture) != askerId)
        {
            await responder.ReplyAsync("That report form is no longer valid.", ephemeral: true, null, cancellationToken);
            return;
        }
        var comment = interaction.Data!.GetTextInputValue(FeedbackButtons.ReportCommentInput)?.Trim();
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
        await responder.FinishAsync(new WebhookMessage { Content = "Thanks, your report was sent to the compliance team." }, cancellationToken);
    }
}
