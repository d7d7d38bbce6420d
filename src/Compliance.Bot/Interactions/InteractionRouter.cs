using System.Diagnostics;
using Compliance.ServiceDefaults.Telemetry;
using Discord;
using Discord.Interactions;
using Discord.Net;
using Discord.WebSocket;
using Microsoft.Extensions.Logging;

namespace Compliance.Bot.Interactions;

/// <summary>
/// Runs each interaction through Discord.Net's <see cref="InteractionService"/> (the feature modules) inside its own
/// activity (so the API calls carry a W3C <c>traceparent</c>) and log scope (interaction id, type and command; never
/// the token or any text), and makes sure every path ends: an exception becomes a private apology, a deferral
/// left open gets a fallback edit.
/// </summary>
public sealed class InteractionRouter(
    DiscordSocketClient client,
    InteractionService interactions,
    IServiceProvider services,
    TimeProvider time,
    ILogger<InteractionRouter> logger)
{
    private const string Apology = "Sorry, something went wrong on my side. Please try again in a moment.";

    public async Task HandleAsync(SocketInteraction interaction, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(interaction);
        var name = Describe(interaction);
        using var activity = StartActivity(name);
        activity?.SetTag("discord.interaction.id", interaction.Id);
        activity?.SetTag("discord.interaction.name", Kind(name));
        using var scope = logger.BeginScope(new Dictionary<string, object>
        {
            ["InteractionId"] = interaction.Id,
            ["InteractionType"] = interaction.Type.ToString(),
            ["Command"] = Kind(name),
        });

        var responder = new InteractionResponder(interaction, time);
        var started = Stopwatch.GetTimestamp();
        try
        {
            if (interaction.User is null)
            {
                logger.LogWarning("Ignoring an interaction without a user");
                return;
            }
            var result = await interactions.ExecuteCommandAsync(new BotInteractionContext(client, interaction, responder, cancellationToken), services);
            if (!result.IsSuccess && !responder.Acknowledged && interaction is SocketAutocompleteInteraction)
            {
                // Autocomplete takes only choices: none, rather than a message Discord would refuse.
                await responder.SuggestAsync([], cancellationToken);
            }
            else if (!result.IsSuccess && !responder.Acknowledged)
            {
                await responder.ReplyAsync(Explain(interaction, result), ephemeral: true, null, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            logger.LogInformation("Interaction cut short by shutdown");
            await responder.EnsureFinishedAsync("The assistant is restarting. Please ask again in a minute.");
        }
        catch (HttpException ex) when (ex.DiscordCode == DiscordErrorCode.UnknownInteraction)
        {
            // Too late for the 3-second deadline: Discord already showed the user a failure.
            logger.LogWarning("Discord no longer knows this interaction (acknowledged too late)");
        }
        catch (Exception ex) when (ex is HttpException or HttpRequestException or InvalidOperationException or ArgumentException or TimeoutException or System.Text.Json.JsonException)
        {
            logger.LogError(ex, "Interaction failed");
            activity?.SetStatus(ActivityStatusCode.Error);
            try
            {
                await responder.FailPrivatelyAsync(Apology, CancellationToken.None);
            }
            catch (Exception inner) when (inner is HttpException or HttpRequestException or InvalidOperationException or TimeoutException)
            {
                logger.LogWarning("Could not tell the user about the failure: {Error}", inner.GetType().Name);
            }
        }
        finally
        {
            await responder.EnsureFinishedAsync(Apology);
            logger.LogInformation("Interaction handled in {ElapsedMs} ms", (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
    }

    /// <summary>What the user sees when no module could take the interaction.</summary>
    private static string Explain(SocketInteraction interaction, IResult result) => result.Error switch
    {
        InteractionCommandError.UnknownCommand when interaction is SocketSlashCommand => "I don't know that command any more; it may have been removed.",
        InteractionCommandError.UnknownCommand => "That control is no longer active.",
        InteractionCommandError.UnmetPrecondition => result.ErrorReason,
        _ => "Please check the command's options and try again.",
    };

    /// <summary>The command name, or the custom id for components and modals.</summary>
    private static string Describe(SocketInteraction interaction) => interaction switch
    {
        SocketSlashCommand command => command.Data.Name,
        SocketMessageComponent component => component.Data.CustomId,
        SocketModal modal => modal.Data.CustomId,
        SocketAutocompleteInteraction autocomplete => autocomplete.Data.CommandName,
        SocketMessageCommand message => message.Data.Name,
        _ => "?",
    };

    /// <summary>The command or custom id without the ids it carries (for logs and traces).</summary>
    private static string Kind(string name) => string.Join(':', name.Split(':').Take(2).Where(p => !p.All(char.IsAsciiHexDigit) || p.Length < 8));

    /// <summary>An activity even without a listener, so HttpClient still sends the trace context.</summary>
    private static Activity? StartActivity(string name)
    {
        var activity = ComplianceDiagnostics.ActivitySource.StartActivity("discord.interaction", ActivityKind.Consumer);
        if (activity is null)
        {
            activity = new Activity("discord.interaction");
            activity.SetIdFormat(ActivityIdFormat.W3C);
            activity.Start();
        }
        activity.DisplayName = "discord " + Kind(name);
        return activity;
    }
}
