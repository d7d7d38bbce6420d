using Compliance.Bot.Rendering;
using Discord;
using Discord.Net;
using Discord.Rest;
using Discord.WebSocket;

namespace Compliance.Bot.Interactions;

/// <summary>What a handler sends as a message: text, sources embed, buttons.</summary>
public sealed record BotMessage(string? Content, IReadOnlyList<Embed>? Embeds = null, MessageComponent? Components = null);

/// <summary>
/// Answers one interaction through Discord.Net and remembers how far it got, so whatever happens the user is never
/// left with "thinking…": <see cref="EnsureFinishedAsync"/> ends every path with an edit while the token still
/// lives. Every message it sends pings nobody (<see cref="Pings.None"/>).
/// </summary>
public sealed class InteractionResponder(SocketInteraction interaction, TimeProvider time)
{
    /// <summary>Discord's interaction tokens work for 15 minutes; keep a margin for the last request.</summary>
    private static readonly TimeSpan TokenLife = TimeSpan.FromMinutes(14.5);

    private readonly DateTimeOffset _receivedAt = time.GetUtcNow();
    private RestFollowupMessage? _privateFollowup;
    private bool _deferredUpdate;

    public SocketInteraction Interaction => interaction;

    /// <summary>A callback was accepted (deferral, reply, modal or update).</summary>
    public bool Acknowledged { get; private set; }

    /// <summary>A deferral is showing "thinking…" and still needs its final edit.</summary>
    public bool AwaitingFinalEdit { get; private set; }

    /// <summary>Whether the response is private (fixed at the deferral).</summary>
    public bool Ephemeral { get; private set; }

    /// <summary>Set when the public deferral was replaced by a private followup (see <see cref="SwitchToPrivateAsync"/>).</summary>
    public bool MovedToPrivateFollowup => _privateFollowup is not null;

    /// <summary>Time since the dispatch arrived.</summary>
    public TimeSpan Elapsed => time.GetUtcNow() - _receivedAt;

    /// <summary>False once the interaction token is (about to be) expired: webhook edits and followups would get 401.</summary>
    public bool TokenAlive => Elapsed < TokenLife;

    /// <summary>
    /// Where a public answer goes once the token has expired: a plain message in the interaction's channel (the
    /// bot needs Send Messages there). Null when the response is private (a channel message would show it to
    /// everyone) or the channel is unknown.
    /// </summary>
    public async Task<ulong?> PostInChannelAsync(BotMessage message, CancellationToken cancellationToken)
    {
        if (Ephemeral || interaction.Channel is not IMessageChannel channel)
        {
            return null;
        }
        var sent = await channel.SendMessageAsync(message.Content, embeds: message.Embeds?.ToArray(), components: message.Components,
            allowedMentions: Pings.None,
            // Retried after a timeout or a 502 with the same nonce and enforce_nonce: Discord returns a post that
            // landed instead of showing the answer twice.
            options: Gateway.EnforcedNonce.Options(cancellationToken));
        AwaitingFinalEdit = false;
        return sent.Id;
    }

    /// <summary>Type 5: "thinking…", private when <paramref name="ephemeral"/> (components and modals too).</summary>
    public async Task DeferAsync(bool ephemeral, CancellationToken cancellationToken)
    {
        var options = Options(cancellationToken);
        switch (interaction)
        {
            case SocketMessageComponent component:
                await component.DeferLoadingAsync(ephemeral, options);
                break;
            case SocketModal modal:
                await modal.DeferLoadingAsync(ephemeral, options);
                break;
            default:
                await interaction.DeferAsync(ephemeral, options);
                break;
        }
        Acknowledged = true;
        AwaitingFinalEdit = true;
        Ephemeral = ephemeral;
    }

    /// <summary>Type 6 (components): acknowledge now, edit the component's message later.</summary>
    public async Task DeferUpdateAsync(CancellationToken cancellationToken)
    {
        await ((SocketMessageComponent)interaction).DeferAsync(ephemeral: false, Options(cancellationToken));
        Acknowledged = true;
        // Nothing shows "thinking…" after a type 6, and a fallback must not overwrite the component's message.
        _deferredUpdate = true;
    }

    /// <summary>Type 4: an immediate reply.</summary>
    public async Task ReplyAsync(string content, bool ephemeral, MessageComponent? components, CancellationToken cancellationToken)
    {
        await interaction.RespondAsync(content, ephemeral: ephemeral, allowedMentions: Pings.None, components: components, options: Options(cancellationToken));
        Acknowledged = true;
        Ephemeral = ephemeral;
    }

    /// <summary>Type 9: open a modal.</summary>
    public async Task OpenModalAsync(Modal modal, CancellationToken cancellationToken)
    {
        await interaction.RespondWithModalAsync(modal, Options(cancellationToken));
        Acknowledged = true;
    }

    /// <summary>Type 8: autocomplete choices, the only response an autocomplete interaction takes.</summary>
    public async Task SuggestAsync(IEnumerable<AutocompleteResult> choices, CancellationToken cancellationToken)
    {
        await ((SocketAutocompleteInteraction)interaction).RespondAsync(choices, Options(cancellationToken));
        Acknowledged = true;
    }

    /// <summary>Edits the response in place (streaming edits); mentions are always suppressed. Returns the message id.</summary>
    public async Task<ulong> EditAsync(BotMessage message, CancellationToken cancellationToken)
    {
        void Apply(MessageProperties p)
        {
            if (message.Content is not null)
            {
                p.Content = message.Content;
            }
            if (message.Embeds is not null)
            {
                p.Embeds = message.Embeds.ToArray();
            }
            if (message.Components is not null)
            {
                p.Components = message.Components;
            }
            p.AllowedMentions = Pings.None;
        }
        if (_privateFollowup is { } followup)
        {
            await followup.ModifyAsync(Apply, Options(cancellationToken));
            return followup.Id;
        }
        var original = await interaction.ModifyOriginalResponseAsync(Apply, Options(cancellationToken));
        return original.Id;
    }

    /// <summary>The last edit: after it, nothing is "thinking…" any more.</summary>
    public async Task<ulong> FinishAsync(BotMessage message, CancellationToken cancellationToken)
    {
        var sent = await EditAsync(message, cancellationToken);
        AwaitingFinalEdit = false;
        return sent;
    }

    /// <summary>A further message after the response (long answers); private when the response is.</summary>
    public async Task<ulong> FollowupAsync(BotMessage message, CancellationToken cancellationToken)
    {
        var sent = await interaction.FollowupAsync(message.Content, embeds: message.Embeds?.ToArray(), ephemeral: Ephemeral,
            allowedMentions: Pings.None, components: message.Components, options: Options(cancellationToken));
        return sent.Id;
    }

    /// <summary>
    /// Ends a public deferral privately: deletes the public "thinking…" message and continues in a private
    /// followup with <paramref name="first"/>; later edits go to that followup. Used for errors (which only
    /// concern the asker) and when the user's stored preference turns out to be "private".
    /// </summary>
    public async Task SwitchToPrivateAsync(BotMessage first, CancellationToken cancellationToken)
    {
        if (Ephemeral || _privateFollowup is not null)
        {
            await EditAsync(first, cancellationToken);
            return;
        }
        await interaction.DeleteOriginalResponseAsync(Options(cancellationToken));
        Ephemeral = true;
        _privateFollowup = await interaction.FollowupAsync(first.Content, embeds: first.Embeds?.ToArray(), ephemeral: true,
            allowedMentions: Pings.None, components: first.Components, options: Options(cancellationToken));
    }

    /// <summary>Shows a failure to the user only: privately, ending the "thinking…" state.</summary>
    public async Task FailPrivatelyAsync(string message, CancellationToken cancellationToken)
    {
        var body = new BotMessage(message, [], new ComponentBuilder().Build());
        if (Acknowledged && !TokenAlive)
        {
            // The token is gone: any webhook call would only earn a 401. Discord already shows the interaction failed.
            AwaitingFinalEdit = false;
            return;
        }
        if (!Acknowledged)
        {
            await ReplyAsync(message, ephemeral: true, components: null, cancellationToken);
        }
        else if (Ephemeral || _privateFollowup is not null)
        {
            await FinishAsync(body, cancellationToken);
        }
        else if (_deferredUpdate)
        {
            // After a type 6 the original is the component's own message: leave it and tell the clicker privately.
            await interaction.FollowupAsync(message, ephemeral: true, allowedMentions: Pings.None, options: Options(cancellationToken));
            AwaitingFinalEdit = false;
        }
        else
        {
            try
            {
                await SwitchToPrivateAsync(body, cancellationToken);
                AwaitingFinalEdit = false;
            }
            catch (HttpException)
            {
                // Deleting or following up failed: an edit in place still ends "thinking…".
                await FinishAsync(body, cancellationToken);
            }
        }
    }

    /// <summary>
    /// The finally-block guarantee: if a deferral is still waiting for its final edit and the token still lives,
    /// replace it with <paramref name="fallback"/>. Never throws.
    /// </summary>
    public async Task EnsureFinishedAsync(string fallback)
    {
        if (!AwaitingFinalEdit || !TokenAlive)
        {
            return;
        }
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            await FinishAsync(new BotMessage(fallback, null, new ComponentBuilder().Build()), timeout.Token);
        }
        catch (Exception ex) when (ex is HttpException or HttpRequestException or OperationCanceledException or TimeoutException)
        {
            // Nothing more can be done with this token; the caller has logged the original failure.
        }
    }

    /// <summary>Per-request options: cancellable, and never retried after a timeout (a retried post could double).</summary>
    private static RequestOptions Options(CancellationToken cancellationToken) => new() { CancelToken = cancellationToken };
}
