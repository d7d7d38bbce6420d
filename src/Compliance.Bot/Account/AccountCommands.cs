using System.Globalization;
using System.Text;
using Compliance.Bot.Api;
using Compliance.Bot.Ask;
using Compliance.Bot.Commands;
using Compliance.Bot.Interactions;
using Compliance.Bot.Rendering;
using Discord;
using Microsoft.Extensions.Logging;

namespace Compliance.Bot.Account;

/// <summary>
/// The user's own commands: <c>/history</c>, <c>/forget</c> (after a confirmation button), <c>/reset</c> and
/// <c>/settings</c>. Every reply is private; each command defers before
/// calling the API.
/// </summary>
public sealed class AccountCommands(
    ComplianceApiClient api,
    UserPreferences preferences,
    ConversationState conversations,
    Threads.AnswerThreads answerThreads,
    ILogger<AccountCommands> logger)
{
    public const string ForgetConfirmPrefix = "forget:yes:";
    public const string ForgetCancelPrefix = "forget:no:";

    private const int HistoryLength = 5;

    public async Task HistoryAsync(InteractionResponder responder, CancellationToken cancellationToken)
    {
        await responder.DeferAsync(ephemeral: true, cancellationToken);
        var history = await api.GetHistoryAsync(UserId(responder), HistoryLength, cancellationToken);
        if (!history.Succeeded)
        {
            await responder.FailPrivatelyAsync(history.Failure!.UserMessage, cancellationToken);
            return;
        }
        if (history.Value!.Count == 0)
        {
            await responder.FinishAsync(new BotMessage("You have no questions on record."), cancellationToken);
            return;
        }
        var text = new StringBuilder("**Your last questions** (only you can see this)\n");
        foreach (var item in history.Value.Take(HistoryLength))
        {
            var question = item.Question is null ? "(erased)" : Quote(item.Question, 150);
            text.Append(CultureInfo.InvariantCulture, $"\n• <t:{item.AskedAt.ToUnixTimeSeconds()}:R> — {question}");
            text.Append(CultureInfo.InvariantCulture, $"\n  {item.Status}, {item.Citations} citation{(item.Citations == 1 ? "" : "s")} · query {AnswerRenderer.ShortId(item.QueryId)}");
        }
        await responder.FinishAsync(new BotMessage(MessageSplitter.Truncate(text.ToString(), DiscordLimits.ContentCodePoints)), cancellationToken);
    }

    public static async Task ForgetAsync(InteractionResponder responder, CancellationToken cancellationToken)
    {
        var userId = UserId(responder);
        await responder.ReplyAsync(
            "This erases every question you asked and every answer you got, for good. Ratings you gave are erased too. Continue?",
            ephemeral: true,
            new ComponentBuilder()
                .WithButton("Erase my history", ForgetConfirmPrefix + userId, ButtonStyle.Danger)
                .WithButton("Cancel", ForgetCancelPrefix + userId, ButtonStyle.Secondary)
                .Build(),
            cancellationToken);
    }

    /// <summary>The confirmation buttons of <c>/forget</c>; they act only for the user who ran it.</summary>
    public async Task ForgetButtonAsync(InteractionResponder responder, string customId, CancellationToken cancellationToken)
    {
        var confirm = customId.StartsWith(ForgetConfirmPrefix, StringComparison.Ordinal);
        var owner = customId[(confirm ? ForgetConfirmPrefix : ForgetCancelPrefix).Length..];
        var userId = UserId(responder);
        if (owner != userId)
        {
            await responder.ReplyAsync("Only the person who ran /forget can confirm it.", ephemeral: true, null, cancellationToken);
            return;
        }
        await responder.DeferUpdateAsync(cancellationToken);
        if (!confirm)
        {
            await responder.EditAsync(new BotMessage("Cancelled: nothing was erased.", null, new ComponentBuilder().Build()), cancellationToken);
            return;
        }
        var result = await api.ForgetHistoryAsync(userId, cancellationToken);
        if (!result.Succeeded)
        {
            await responder.EditAsync(new BotMessage(result.Failure!.UserMessage, null, new ComponentBuilder().Build()), cancellationToken);
            return;
        }
        logger.LogInformation("History erased at the user's request");
        await responder.EditAsync(new BotMessage("Done: your questions and answers are erased.", null, new ComponentBuilder().Build()), cancellationToken);
    }

    public async Task ResetAsync(InteractionResponder responder, CancellationToken cancellationToken)
    {
        await responder.DeferAsync(ephemeral: true, cancellationToken);
        var conversationId = conversations.ConversationFor(responder.Interaction);
        var result = await api.ResetConversationAsync(conversationId, UserId(responder),
            responder.Interaction.GuildId?.ToString(System.Globalization.CultureInfo.InvariantCulture), cancellationToken);
        if (!result.Succeeded && result.Failure!.Kind != ApiFailureKind.NotFound)
        {
            await responder.FailPrivatelyAsync(result.Failure.UserMessage, cancellationToken);
            return;
        }
        await responder.FinishAsync(new BotMessage("Fresh start: your next question here won't build on earlier ones."), cancellationToken);
    }

    /// <summary>
    /// <c>/settings [private] [threads]</c>: <c>private</c> is the user's own preference (stored by the API);
    /// <c>threads</c> is the server's choice of answering in threads, for server managers only (checked again here,
    /// as the admin commands do) and kept in the bot's memory.
    /// </summary>
    public async Task SettingsAsync(InteractionResponder responder, bool? answerPrivately, bool? answerInThread, CancellationToken cancellationToken)
    {
        if (answerPrivately is null && answerInThread is null)
        {
            await responder.ReplyAsync("Choose `private` (your answers) or, as a server manager, `threads` (this server's answers).", ephemeral: true, null, cancellationToken);
            return;
        }
        if (answerInThread is not null && !await Admin.AdminCommands.AllowedAsync(responder, cancellationToken))
        {
            return;
        }
        await responder.DeferAsync(ephemeral: true, cancellationToken);
        var saved = new List<string>();
        if (answerPrivately is { } wanted)
        {
            var userId = UserId(responder);
            var result = await api.UpdateSettingsAsync(userId, new UserSettings(wanted), cancellationToken);
            if (!result.Succeeded)
            {
                await responder.FailPrivatelyAsync(result.Failure!.UserMessage, cancellationToken);
                return;
            }
            preferences.Remember(userId, result.Value!.AnswerPrivately);
            saved.Add(result.Value.AnswerPrivately
                ? "Saved: your answers will be private (only you see them). Use `private:False` on /ask to share one."
                : "Saved: your answers will be visible in the channel. Use `private:True` on /ask to keep one to yourself.");
        }
        if (answerInThread is { } threads)
        {
            answerThreads.Choose(responder.Interaction.GuildId!.Value, threads);
            logger.LogInformation("Answer threads turned {State} for the server", threads ? "on" : "off");
            saved.Add(threads
                ? "Saved for this server: each public /ask answer opens a thread, and every message in it is a follow-up."
                : "Saved for this server: answers no longer open threads.");
        }
        await responder.FinishAsync(new BotMessage(string.Join("\n", saved)), cancellationToken);
    }

    private static string UserId(InteractionResponder responder) =>
        responder.Interaction.User.Id.ToString(CultureInfo.InvariantCulture);

    /// <summary>User text shown inside a list: one line, shortened, without code fences that would swallow the rest.</summary>
    private static string Quote(string text, int max) =>
        "“" + MessageSplitter.Truncate(text.ReplaceLineEndings(" ").Replace("`", "'", StringComparison.Ordinal).Trim(), max) + "”";
}
