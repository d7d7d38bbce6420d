using Compliance.Bot.Commands;
using Compliance.Bot.Interactions;
using Discord.Interactions;
using Discord.WebSocket;

namespace Compliance.Bot.Ask;

/// <summary><c>/ask question [private]</c>.</summary>
public sealed class AskModule(AskHandler ask) : InteractionModuleBase<BotInteractionContext>
{
    [SlashCommand(CommandDefinitions.Ask, CommandDefinitions.AskDescription)]
    public Task AskAsync(string question, [Summary("private")] bool answerPrivately = false)
    {
        // "Not given" differs from false: then the user's stored preference decides.
        var given = ((SocketSlashCommand)Context.Interaction).Data.Options.Any(o => o.Name == "private");
        return ask.HandleAsync(Context.Responder, question, given ? answerPrivately : null, Context.CancellationToken);
    }
}
