using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Compliance.Bot.Api;
using Compliance.Bot.Interactions;
using Compliance.Bot.Rendering;
using Discord;
using Discord.WebSocket;

namespace Compliance.Bot.Admin;

/// <summary>
/// <c>/stats</c> and <c>/health</c> for server managers. Discord hides them from members without MANAGE_GUILD
/// (<c>default_member_permissions</c>), the bot checks the invoker's permissions again (a server can override
/// the default), and for /stats the API checks its own role for the Discord user (403 otherwise).
/// </summary>
public sealed class AdminCommands(ComplianceApiClient api)
{
    public async Task StatsAsync(InteractionResponder responder, CancellationToken cancellationToken)
    {
        if (!await AllowedAsync(responder, cancellationToken))
        {
            return;
        }
        await responder.DeferAsync(ephemeral: true, cancellationToken);
        var userId = responder.Interaction.User.Id.ToString(CultureInfo.InvariantCulture);
        var result = await api.GetStatsAsync(userId, cancellationToken);
        if (!result.Succeeded)
        {
            await responder.FailPrivatelyAsync(result.Failure!.UserMessage, cancellationToken);
            return;
        }
        await responder.FinishAsync(new BotMessage(null, [FiguresEmbed("Compliance assistant usage", Summary(result.Value!), null)]), cancellationToken);
    }

    private static string Percent(double share) => string.Create(CultureInfo.InvariantCulture, $"{share * 100:0}%");

    /// <summary>The few figures a Discord embed can carry, from the API's per-day statistics.</summary>
    internal static JsonObject Summary(Compliance.Contracts.Admin.StatsResponse stats)
    {
        var questions = stats.Days.Sum(d => d.Questions);
        double Rate(Func<Compliance.Contracts.Admin.DailyStats, double> rate) =>
            questions == 0 ? 0 : stats.Days.Sum(d => rate(d) * d.Questions) / questions;
        var figures = new JsonObject
        {
            [$"Questions {stats.From:MMM d}–{stats.To:MMM d}"] = questions,
            ["Answered"] = Percent(Rate(d => d.AnsweredRate)),
            ["Uncertain"] = Percent(Rate(d => d.UncertainRate)),
            ["Refused"] = Percent(Rate(d => d.RefusedRate)),
        };
        if (stats.MostCitedDocuments.Count > 0)
        {
            figures["Most cited"] = stats.MostCitedDocuments[0].Title;
        }
        if (stats.CoverageGaps.Count > 0)
        {
            figures["Biggest coverage gap"] = string.Join(", ", stats.CoverageGaps[0].Terms);
        }
        return figures;
    }

    public async Task HealthAsync(InteractionResponder responder, CancellationToken cancellationToken)
    {
        if (!await AllowedAsync(responder, cancellationToken))
        {
            return;
        }
        await responder.DeferAsync(ephemeral: true, cancellationToken);
        var result = await api.GetHealthAsync(cancellationToken);
        if (!result.Succeeded)
        {
            await responder.FailPrivatelyAsync(result.Failure!.UserMessage, cancellationToken);
            return;
        }
        var report = result.Value!;
        var status = (report["status"] as JsonValue)?.ToString() ?? "Unknown";
        var checks = report["checks"] as JsonObject ?? [];
        await responder.FinishAsync(new BotMessage(null, [FiguresEmbed($"Compliance service: {status}", checks, status == "Healthy" ? 0x2E7D32u : 0xC62828u)]), cancellationToken);
    }

    /// <summary>
    /// MANAGE_GUILD or ADMINISTRATOR, computed by Discord.Net from the member's roles in the cached guild: a server
    /// can grant the commands to others than the default, so the bot checks again.
    /// </summary>
    internal static async Task<bool> AllowedAsync(InteractionResponder responder, CancellationToken cancellationToken)
    {
        if (responder.Interaction.User is not SocketGuildUser member)
        {
            await responder.ReplyAsync("This command works only in a server.", ephemeral: true, null, cancellationToken);
            return false;
        }
        if (!member.GuildPermissions.ManageGuild && !member.GuildPermissions.Administrator)
        {
            await responder.ReplyAsync("Only server managers can use this command.", ephemeral: true, null, cancellationToken);
            return false;
        }
        return true;
    }

    /// <summary>Top-level numbers and strings of an API object as embed fields, within Discord's limits.</summary>
    private static Embed FiguresEmbed(string title, JsonObject figures, uint? color)
    {
        var embed = new EmbedBuilder().WithTitle(MessageSplitter.Truncate(title, DiscordLimits.EmbedTitle));
        if (color is { } rgb)
        {
            embed.WithColor(new Color(rgb));
        }
        foreach (var (key, value) in figures.Where(p => p.Value is JsonValue).Take(DiscordLimits.EmbedFields))
        {
            embed.AddField(MessageSplitter.Truncate(Label(key), DiscordLimits.EmbedFieldName), MessageSplitter.Truncate(Value(value!), 200), inline: true);
        }
        if (embed.Fields.Count == 0)
        {
            embed.WithDescription("No figures reported.");
        }
        return embed.Build();
    }

    private static string Label(string key)
    {
        if (key.Contains(' ', StringComparison.Ordinal))
        {
            return key; // already words (the stats summary's labels)
        }
        // camelCase or snake_case keys read as words: "questionsToday" → "Questions today".
        var words = new System.Text.StringBuilder();
        foreach (var c in key.Replace('_', ' '))
        {
            if (char.IsUpper(c) && words.Length > 0)
            {
                words.Append(' ');
            }
            words.Append(char.ToLowerInvariant(c));
        }
        var text = words.ToString().Trim();
        return text.Length == 0 ? "?" : char.ToUpperInvariant(text[0]) + text[1..];
    }

    private static string Value(JsonNode value) => value.GetValueKind() switch
    {
        JsonValueKind.String => value.GetValue<string>() is { Length: > 0 } s ? s : "—",
        JsonValueKind.Null => "—",
        _ => value.ToJsonString(),
    };
}
