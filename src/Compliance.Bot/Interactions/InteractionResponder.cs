using Compliance.Discord.Models;
using Compliance.Discord.Rest;

namespace Compliance.Bot.Interactions;

/// <summary>
/// Answers one interaction and remembers how far it got, so whatever happens the user is never left with
/// "thinking…": <see cref="EnsureFinishedAsync"/> ends every path with an edit while the token still lives.
/// Every message it sends pings nobody (<see cref="AllowedMentions.None"/>).
/// </summary>
public sealed class InteractionResponder(DiscordRestClient rest, Interaction interaction, TimeProvider time)
{
    /// <summary>Discord's interaction tokens work for 15 minutes; keep a margin for the last request.</summary>
    private static readonly TimeSpan TokenLife = TimeSpan.FromMinutes(14.5);

    private readonly DateTimeOffset _receivedAt = time.GetUtcNow();
    private ulong? _privateFollowupId;
    private bool _deferredUpdate;

    public Interaction Interaction => interaction;

    /// <summary>A callback was accepted (deferral, reply, modal or update).</summary>
    public bool Acknowledged { get; private set; }

    /// <summary>A deferral is showing "thinking…" (or a placeholder) and still needs its final edit.</summary>
    public bool AwaitingFinalEdit { get; private set; }

    /// <summary>Whether the response is private (fixed at the deferral).</summary>
    public bool Ephemeral { get; private set; }

    /// <summary>Set when the public deferral was replaced by a private followup (see <see cref="SwitchToPrivateAsync"/>).</summary>
    public bool MovedToPrivateFollowup => _privateFollowupId is not null;

    /// <summary>Time since the dispatch arrived.</summary>
    public TimeSpan Elapsed => time.GetUtcNow() - _receivedAt;

    private bool TokenAlive => Elapsed < TokenLife;

    /// <summary>Type 5: "thinking…", private when <paramref name="ephemeral"/>.</summary>
    public async Task DeferAsync(bool ephemeral, CancellationToken cancellationToken)
    {
        await rest.CreateInteractionResponseAsync(interaction.Id, interaction.Token, InteractionResponse.Defer(ephemeral), cancellationToken);
        Acknowledged = true;
        AwaitingFinalEdit = true;
        Ephemeral = ephemeral;
    }

    /// <summary>Type 6 (components): acknowledge now, edit the component's message later.</summary>
    public async Task DeferUpdateAsync(CancellationToken cancellationToken)
    {
        await rest.CreateInteractionResponseAsync(interaction.Id, interaction.Token, InteractionResponse.DeferUpdate(), cancellationToken);
        Acknowledged = true;
        // Nothing shows "thinking…" after a type 6, and a fallback must not overwrite the component's message.
        _deferredUpdate = true;
    }

    /// <summary>Type 4: an immediate reply.</summary>
    public async Task ReplyAsync(string content, bool ephemeral, IReadOnlyList<MessageComponent>? components, CancellationToken cancellationToken)
    {
        await rest.CreateInteractionResponseAsync(interaction.Id, interaction.Token, InteractionResponse.Reply(new InteractionCallbackData
        {
            Content = content,
            Flags = ephemeral ? MessageFlags.Ephemeral : null,
            Components = components,
            AllowedMentions = AllowedMentions.None,
        }), cancellationToken);
        Acknowledged = true;
        Ephemeral = ephemeral;
    }

    /// <summary>Type 9: open a modal.</summary>
    public async Task OpenModalAsync(string customId, string title, MessageComponent[] components, CancellationToken cancellationToken)
    {
        await rest.CreateInteractionResponseAsync(interaction.Id, interaction.Token, InteractionResponse.Modal(customId, title, components), cancellationToken);
        Acknowledged = true;
    }

    /// <summary>Edits the response in place (streaming edits); mentions are always suppressed.</summary>
    public async Task<Message> EditAsync(WebhookMessage message, CancellationToken cancellationToken)
    {
        message = message with { AllowedMentions = AllowedMentions.None };
        if (_privateFollowupId is { } followup)
        {
            return await rest.EditFollowupMessageAsync(interaction.ApplicationId, interaction.Token, followup, message, cancellationToken);
        }
        return await rest.EditOriginalResponseAsync(interaction.ApplicationId, interaction.Token, message, cancellationToken);
    }

    /// <summary>The last edit: after it, nothing is "thinking…" any more.</summary>
    public async Task<Message> FinishAsync(WebhookMessage message, CancellationToken cancellationToken)
    {
        var sent = await EditAsync(message, cancellationToken);
        AwaitingFinalEdit = false;
        return sent;
    }

    /// <summary>A further message after the response (long answers); private when the response is.</summary>
    public Task<Message> FollowupAsync(WebhookMessage message, CancellationToken cancellationToken) =>
        rest.CreateFollowupMessageAsync(interaction.ApplicationId, interaction.Token, message with
        {
            AllowedMentions = AllowedMentions.None,
            Flags = Ephemeral ? MessageFlags.Ephemeral : null,
        }, cancellationToken);

    /// <summary>
    /// Ends a public deferral privately: deletes the public "thinking…" message and continues in a private
    /// followup with <paramref name="first"/>; later edits go to that followup. Used for errors (which only
    /// concern the asker) and when the user's stored preference turns out to be "private".
    /// </summary>
    public async Task SwitchToPrivateAsync(WebhookMessage first, CancellationToken cancellationToken)
    {
        if (Ephemeral || _privateFollowupId is not null)
        {
            await EditAsync(first, cancellationToken);
            return;
        }
        await rest.DeleteOriginalResponseAsync(interaction.ApplicationId, interaction.Token, cancellationToken);
        Ephemeral = true;
        var followup = await rest.CreateFollowupMessageAsync(interaction.ApplicationId, interaction.Token, first with
        {
            AllowedMentions = AllowedMentions.None,
            Flags = MessageFlags.Ephemeral,
        }, cancellationToken);
        _privateFollowupId = followup.Id;
    }

    /// <summary>Shows a failure to the user only: privately, ending the "thinking…" state.</summary>
    public async Task FailPrivatelyAsync(string message, CancellationToken cancellationToken)
    {
        var body = new WebhookMessage { Content = message, Embeds = [], Components = [] };
        if (!Acknowledged)
        {
            await ReplyAsync(message, ephemeral: true, components: null, cancellationToken);
        }
        else if (Ephemeral || _privateFollowupId is not null)
        {
            await FinishAsync(body, cancellationToken);
        }
        else if (_deferredUpdate)
        {
            // After a type 6 the original is the component's own message: leave it and tell the clicker privately.
            await rest.CreateFollowupMessageAsync(interaction.ApplicationId, interaction.Token, body with
            {
                Embeds = null,
                Components = null,
                AllowedMentions = AllowedMentions.None,
                Flags = MessageFlags.Ephemeral,
            }, cancellationToken);
            AwaitingFinalEdit = false;
        }
        else
        {
            try
            {
                await SwitchToPrivateAsync(body, cancellationToken);
                AwaitingFinalEdit = false;
            }
            catch (DiscordApiException)
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
            await FinishAsync(new WebhookMessage { Content = fallback, Components = [] }, timeout.Token);
        }
        catch (Exception ex) when (ex is DiscordApiException or HttpRequestException or OperationCanceledException)
        {
            // Nothing more can be done with this token; the caller has logged the original failure.
        }
    }
}
