using Compliance.Bot.Ask;
using Compliance.Bot.Commands;
using Compliance.Bot.Interactions;
using Discord;
using Discord.Interactions;
using Discord.WebSocket;

namespace Compliance.Bot.Feedback;

/// <summary><c>/feedback</c> (with its answer suggestions), the 👍 / 👎 / "Report a problem" buttons under answers and the report modal.</summary>
public sealed class FeedbackModule(FeedbackInteractions feedback) : InteractionModuleBase<BotInteractionContext>
{
    [SlashCommand(CommandDefinitions.Feedback, CommandDefinitions.FeedbackDescription)]
    public Task RateAsync(long rating, string? answer = null, string? comment = null) =>
        feedback.RateAnswerAsync(Context.Responder, rating, answer, comment, Context.CancellationToken);

    /// <summary>Suggestions while the user types <c>/feedback answer:</c> (registered with <c>autocomplete</c>).</summary>
    [AutocompleteCommand(CommandDefinitions.FeedbackAnswerOption, CommandDefinitions.Feedback)]
    public Task SuggestAnswersAsync() =>
        feedback.SuggestAnswersAsync(Context.Responder, ((SocketAutocompleteInteraction)Context.Interaction).Data.Current.Value?.ToString(), Context.CancellationToken);

    // The custom id carries action, query and asker (fb:{up|down|report}:{queryId}:{askerId}); it is parsed whole.
    [ComponentInteraction(FeedbackButtons.Prefix + "*")]
    public Task ButtonAsync(string _) =>
        feedback.HandleButtonAsync(Context.Responder, ((SocketMessageComponent)Context.Interaction).Data.CustomId, Context.CancellationToken);

    [ModalInteraction(FeedbackButtons.ReportModalPrefix + "*")]
    public Task ReportAsync(string _, ReportModal modal) =>
        feedback.HandleReportAsync(Context.Responder, ((SocketModal)Context.Interaction).Data.CustomId, modal.Comment, Context.CancellationToken);
}

/// <summary>The report form's one field (the modal itself is built in <see cref="FeedbackInteractions"/>).</summary>
public sealed class ReportModal : IModal
{
    public string Title => "Report a problem with this answer";

    [InputLabel("What is wrong or missing?")]
    [ModalTextInput(FeedbackButtons.ReportCommentInput, TextInputStyle.Paragraph)]
    public string? Comment { get; set; }
}
