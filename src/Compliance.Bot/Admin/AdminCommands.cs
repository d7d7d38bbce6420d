using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Compliance.Bot.Api;
using Compliance.Bot.Interactions;
using Compliance.Discord.Limits;
using Compliance.Discord.Models;

namespace Compliance.Bot.Admin;

/// <summary>
/// <c>/stats</c> and <c>/health</c> for server managers. Discord hides them from members without MANAGE_GUILD
/// (<c>default_member_permissions</c>), the bot checks the invoker's permissions again (a server can override
/// the default), and for /stats the API checks its own role for the Discord user (403 otherwise).
/// </summary>
public sealed class AdminCommands(ComplianceApiClient api)
{
    private const ulong Administrator = 1UL << 3;
    private const ulong ManageGuild = 1UL << 5;

    public async Task StatsAsync(InteractionResponder responder, CancellationToken cancellationToken)
    {
        if (!await AllowedAsync(responder, cancellationToken))
        {
            return;
        }
        await responder.DeferAsync(ephemeral: true, cancellationToken);
        var userId = responder.Interaction.InvokingUser!.Id.ToString(CultureInfo.InvariantCulture);
        var result = await api.GetStatsAsync(userId, cancellationToken);
        if (!result.Succeeded)
        {
            await responder.FailPrivatelyAsync(result.Failure!.UserMessage, cancellationToken);
            return;
        }
        await responder.FinishAsync(new WebhookMessage { Embeds = [FiguresEmbed("Compliance assistant usage", Summary(result.Value!), null)] }, cancellationToken);
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
        await responder.FinishAsync(new WebhookMessage
        {
            Embeds = [FiguresEmbed($"Compliance service: {status}", checks, status == "Healthy" ? 0x2E7D32 : 0xC62828)],
        }, cancellationToken);
    }

    private static async Task<bool> AllowedAsync(InteractionResponder responder, CancellationToken cancellationToken)
    {
        var member = responder.Interaction.Member;
        if (member is null)
        {
            await responder.ReplyAsync("This command works only in a server.", ephemeral: true, null, cancellationToken);
            return false;
        }
        if ((member.PermissionBits & (Administrator | ManageGuild)) == 0)
        {
            await responder.ReplyAsync("Only server managers can use this command.", ephemeral: true, null, cancellationToken);
            return false;
        }
        return true;
    }

    /// <summary>Top-level numbers and strings of an API object as embed fields, within Discord's limits.</summary>
    private static Embed FiguresEmbed(string title, JsonObject figures, int? color)
    {
        var fields = figures
            .Where(p => p.Value is JsonValue)
            .Take(DiscordLimits.EmbedFields)
            .Select(p => new EmbedField(
                MessageSplitter.Truncate(Label(p.Key), DiscordLimits.EmbedFieldName),
                MessageSplitter.Truncate(Value(p.Value!), 200)) { Inline = true })
            .ToList();
        return new Embed
        {
            Title = MessageSplitter.Truncate(title, DiscordLimits.EmbedTitle),
            Description = fields.Count == 0 ? "No figures reported." : null,
            Fields = fields.Count == 0 ? null : fields,
            Color = color,
        };
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
