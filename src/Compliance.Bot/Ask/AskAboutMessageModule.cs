using Compliance.Bot.Commands;
using Compliance.Bot.Interactions;
using Discord;
using Discord.Interactions;

namespace Compliance.Bot.Ask;

/// <summary>
/// The message context-menu command "Ask compliance about this" (Apps → on any message): the selected message's
/// text is the question, answered exactly as <c>/ask</c> answers (same deferral, streaming, sources and buttons).
/// </summary>
public sealed class AskAboutMessageModule(AskHandler ask) : InteractionModuleBase<BotInteractionContext>
{
    /// <summary>
    /// What the user sees when the selected message carries no text: it holds only attachments, embeds or a poll,
    /// or Discord withheld its content because the bot lacks the privileged MESSAGE_CONTENT intent.
    /// </summary>
    public const string NoText = "That message has no text I can read, so there is nothing to ask about. It may hold only images, embeds or a poll, or Discord withheld its text because this bot lacks the Message Content intent. Use /ask and type the question instead.";

    [MessageCommand(CommandDefinitions.AskAboutMessage)]
    public async Task AskAboutAsync(IMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var question = message.Content?.Trim() ?? "";
        if (question.Length == 0)
        {
            await Context.Responder.ReplyAsync(NoText, ephemeral: true, null, Context.CancellationToken);
            return;
        }
        if (question.EnumerateRunes().Count() > CommandDefinitions.QuestionMaxLength)
        {
            await Context.Responder.ReplyAsync(
                $"That message is longer than the {CommandDefinitions.QuestionMaxLength:N0} characters I can take as a question. Use /ask with the part you mean.",
                ephemeral: true, null, Context.CancellationToken);
            return;
        }
        await ask.HandleAsync(Context.Responder, question, explicitPrivate: null, Context.CancellationToken);
    }
}
