using Compliance.Bot.Commands;
using Compliance.Bot.Interactions;
using Discord.Interactions;
using Discord.WebSocket;

namespace Compliance.Bot.Account;

/// <summary><c>/history</c>, <c>/forget</c> (and its confirmation buttons), <c>/reset</c>, <c>/settings</c>.</summary>
public sealed class AccountModule(AccountCommands account) : InteractionModuleBase<BotInteractionContext>
{
    [SlashCommand(CommandDefinitions.History, CommandDefinitions.HistoryDescription)]
    public Task HistoryAsync() => account.HistoryAsync(Context.Responder, Context.CancellationToken);

    [SlashCommand(CommandDefinitions.Forget, CommandDefinitions.ForgetDescription)]
    public Task ForgetAsync() => AccountCommands.ForgetAsync(Context.Responder, Context.CancellationToken);

    [ComponentInteraction("forget:*")]
    public Task ForgetButtonAsync(string _) =>
        account.ForgetButtonAsync(Context.Responder, ((SocketMessageComponent)Context.Interaction).Data.CustomId, Context.CancellationToken);

    [SlashCommand(CommandDefinitions.Reset, CommandDefinitions.ResetDescription)]
    public Task ResetAsync() => account.ResetAsync(Context.Responder, Context.CancellationToken);

    [SlashCommand(CommandDefinitions.Settings, CommandDefinitions.SettingsDescription)]
    public Task SettingsAsync([Summary("private")] bool? answerPrivately = null, [Summary(CommandDefinitions.SettingsThreadsOption)] bool? answerInThread = null) =>
        account.SettingsAsync(Context.Responder, answerPrivately, answerInThread, Context.CancellationToken);
}
