using Compliance.Bot.Commands;
using Compliance.Bot.Interactions;
using Discord.Interactions;

namespace Compliance.Bot.Admin;

/// <summary><c>/stats</c> and <c>/health</c> for server managers (re-checked in <see cref="AdminCommands"/>).</summary>
public sealed class AdminModule(AdminCommands admin) : InteractionModuleBase<BotInteractionContext>
{
    [SlashCommand(CommandDefinitions.Stats, CommandDefinitions.StatsDescription)]
    public Task StatsAsync() => admin.StatsAsync(Context.Responder, Context.CancellationToken);

    [SlashCommand(CommandDefinitions.Health, CommandDefinitions.HealthDescription)]
    public Task HealthAsync() => admin.HealthAsync(Context.Responder, Context.CancellationToken);
}
