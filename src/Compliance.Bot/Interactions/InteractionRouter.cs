using System.Diagnostics;
using Compliance.Bot.Account;
using Compliance.Bot.Admin;
using Compliance.Bot.Ask;
using Compliance.Bot.Commands;
using Compliance.Discord.Models;
using Compliance.Discord.Rest;
using Compliance.ServiceDefaults.Telemetry;
using Microsoft.Extensions.Logging;

namespace Compliance.Bot.Interactions;

/// <summary>
/// Sends each interaction to its handler inside its own activity (so the API calls carry a W3C
/// <c>traceparent</c>) and log scope (interaction id, type and command; never the token or any text), and makes
/// sure every path ends: an exception becomes a private apology, a deferral left open gets a fallback edit.
/// </summary>
public sealed class InteractionRouter(
    DiscordRestClient rest,
    AskHandler ask,
    FeedbackInteractions feedback,
    AccountCommands account,
    AdminCommands admin,
    TimeProvider time,
    ILogger<InteractionRouter> logger)
{
    private const string Apology = "Sorry, something went wrong on my side. Please try again in a moment.";

    public async Task HandleAsync(Interaction interaction, CancellationToken cancellationToken)
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

        var responder = new InteractionResponder(rest, interaction, time);
        var started = Stopwatch.GetTimestamp();
        try
        {
            if (interaction.InvokingUser is null)
            {
                logger.LogWarning("Ignoring an interaction without a user");
                return;
            }
            await RouteAsync(responder, name, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            logger.LogInformation("Interaction cut short by shutdown");
            await responder.EnsureFinishedAsync("The assistant is restarting. Please ask again in a minute.");
        }
        catch (DiscordApiException ex) when (ex.IsUnknownInteraction)
        {
            // Too late for the 3-second deadline: Discord already showed the user a failure.
            logger.LogWarning("Discord no longer knows this interaction (acknowledged too late)");
        }
        catch (Exception ex) when (ex is DiscordApiException or HttpRequestException or Discord.Limits.MessageLimitException or InvalidOperationException or System.Text.Json.JsonException)
        {
            logger.LogError(ex, "Interaction failed");
            activity?.SetStatus(ActivityStatusCode.Error);
            try
            {
                await responder.FailPrivatelyAsync(Apology, CancellationToken.None);
            }
            catch (Exception inner) when (inner is DiscordApiException or HttpRequestException)
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

    private Task RouteAsync(InteractionResponder responder, string name, CancellationToken cancellationToken)
    {
        var interaction = responder.Interaction;
        return interaction.Type switch
        {
            InteractionType.ApplicationCommand => name switch
            {
                CommandDefinitions.Ask => ask.HandleAsync(responder, cancellationToken),
                CommandDefinitions.Feedback => account.FeedbackAsync(responder, cancellationToken),
                CommandDefinitions.History => account.HistoryAsync(responder, cancellationToken),
                CommandDefinitions.Forget => AccountCommands.ForgetAsync(responder, cancellationToken),
                CommandDefinitions.Reset => account.ResetAsync(responder, cancellationToken),
                CommandDefinitions.Settings => account.SettingsAsync(responder, cancellationToken),
                CommandDefinitions.Stats => admin.StatsAsync(responder, cancellationToken),
                CommandDefinitions.Health => admin.HealthAsync(responder, cancellationToken),
                _ => responder.ReplyAsync("I don't know that command any more; it may have been removed.", ephemeral: true, null, cancellationToken),
            },
            InteractionType.MessageComponent when name.StartsWith(FeedbackButtons.Prefix, StringComparison.Ordinal) =>
                feedback.HandleButtonAsync(responder, cancellationToken),
            InteractionType.MessageComponent when name.StartsWith("forget:", StringComparison.Ordinal) =>
                account.ForgetButtonAsync(responder, cancellationToken),
            InteractionType.ModalSubmit when name.StartsWith(FeedbackButtons.ReportModalPrefix, StringComparison.Ordinal) =>
                feedback.HandleReportAsync(responder, cancellationToken),
            InteractionType.ApplicationCommandAutocomplete => Task.CompletedTask,
            _ => responder.ReplyAsync("That control is no longer active.", ephemeral: true, null, cancellationToken),
        };
    }

    /// <summary>The command name, or the custom id's kind (without its ids) for components and modals.</summary>
    private static string Describe(Interaction interaction) => interaction.Type switch
    {
        InteractionType.ApplicationCommand or InteractionType.ApplicationCommandAutocomplete => interaction.Data?.Name ?? "?",
        _ => interaction.Data?.CustomId ?? "?",
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
