using Discord.Interactions;
using Discord.WebSocket;

namespace Compliance.Bot.Interactions;

/// <summary>
/// The context every module receives: Discord.Net's, plus the responder that guarantees the interaction ends
/// and the token that stops handlers on shutdown.
/// </summary>
public sealed class BotInteractionContext(DiscordSocketClient client, SocketInteraction interaction, InteractionResponder responder, CancellationToken cancellationToken)
    : SocketInteractionContext(client, interaction)
{
    public InteractionResponder Responder { get; } = responder;

    public CancellationToken CancellationToken { get; } = cancellationToken;
}
