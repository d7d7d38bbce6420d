using System.Globalization;
using System.Text;
using Compliance.Bot.Rendering;
using Compliance.Contracts.Questions;
using Discord;

namespace Compliance.Bot.Ask;

/// <summary>One Discord message of a rendered answer.</summary>
public sealed record AnswerPart(string Content, IReadOnlyList<Embed>? Embeds, MessageComponent? Components);

/// <summary>
/// Turns an API answer into Discord messages within Discord's limits: the text (with its <c>[n]</c> citations)
/// split on paragraph or sentence boundaries into parts of at most 2,000 code points, and on the last part an
/// embed of the sources (title, section, page, version), a footer (time taken, uncertainty warning, short query id)
/// and the feedback buttons.
/// </summary>
public static class AnswerRenderer
{
    /// <summary>Sources listed in the embed; more would crowd the answer.</summary>
    public const int MaxSources = 10;

    private const uint EmbedColorAnswered = 0x2E7D32u;
    private const uint EmbedColorUncertain = 0xF9A825u;

    /// <summary>What a streaming edit shows: the text so far, cut to fit one message.</summary>
    public static string StreamingPreview(string text)
    {
        var preview = text.Length == 0 ? "…" : text + " ▌";
        return MessageSplitter.Truncate(preview, DiscordLimits.ContentCodePoints);
    }

    /// <summary>The final messages for <paramref name="response"/>, answered to <paramref name="askerId"/>.</summary>
    public static IReadOnlyList<AnswerPart> Render(QueryResponse response, string askerId, TimeSpan elapsed)
    {
        ArgumentNullException.ThrowIfNull(response);
        var text = string.IsNullOrWhiteSpace(response.Answer) ? "I couldn't produce an answer to that." : response.Answer.Trim();
        var parts = MessageSplitter.Split(text, DiscordLimits.ContentCodePoints);
        var embed = SourcesEmbed(response, elapsed);
        var buttons = FeedbackButtons.Row(response.QueryId, askerId);
        return [.. parts.Select((content, i) => i == parts.Count - 1
            ? new AnswerPart(content, [embed], buttons)
            : new AnswerPart(content, null, null))];
    }

    /// <summary>True when the user should be warned that the answer may not be reliable.</summary>
    public static bool IsUncertain(QueryResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        return response.Warning is not null || response.Status is QueryStatuses.Uncertain or QueryStatuses.Refused;
    }

    private static Embed SourcesEmbed(QueryResponse response, TimeSpan elapsed)
    {
        // Cited sources when the answer cites any; otherwise the closest passages the API found, labelled as such.
        var cited = response.Citations.Count > 0;
        var sources = (cited ? response.Citations : response.Sources).OrderBy(c => c.Number).Take(MaxSources).ToList();
        var embed = new EmbedBuilder()
            .WithTitle(cited ? "Sources" : sources.Count > 0 ? "Closest passages (not cited)" : "No sources")
            .WithColor(new Color(IsUncertain(response) ? EmbedColorUncertain : EmbedColorAnswered))
            .WithFooter(MessageSplitter.Truncate(Footer(response, elapsed), 500));
        if (sources.Count == 0)
        {
            embed.WithDescription("No policy passage supported an answer.");
        }
        foreach (var c in sources)
        {
            embed.AddField(MessageSplitter.Truncate($"[{c.Number}] {OneLine(c.Title)}", DiscordLimits.EmbedFieldName), MessageSplitter.Truncate(Location(c), 200));
        }
        return embed.Build();
    }

    private static string Location(Citation citation)
    {
        var bits = new List<string>();
        if (!string.IsNullOrWhiteSpace(citation.Section))
        {
            bits.Add("§ " + OneLine(citation.Section));
        }
        if (citation.Page is { } page)
        {
            bits.Add("p. " + page.ToString(CultureInfo.InvariantCulture));
        }
        bits.Add("v" + citation.Version.ToString(CultureInfo.InvariantCulture));
        if (citation.EffectiveDate is { } effective)
        {
            bits.Add("effective " + effective.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        }
        return string.Join(" · ", bits);
    }

    private static string Footer(QueryResponse response, TimeSpan elapsed)
    {
        var footer = new StringBuilder();
        footer.Append(CultureInfo.InvariantCulture, $"⏱ {elapsed.TotalSeconds:0.0} s");
        if (IsUncertain(response))
        {
            var warning = response.Warning ?? (response.Status == QueryStatuses.Refused
                ? "The policies don't cover this; ask the compliance team."
                : "This answer may be incomplete; check it with the compliance team.");
            footer.Append(" · ⚠ ").Append(OneLine(warning));
        }
        if (response.Mode == AnswerModes.RetrievalOnly)
        {
            footer.Append(" · quoted passages, not a generated answer");
        }
        footer.Append(" · query ").Append(ShortId(response.QueryId));
        return footer.ToString();
    }

    /// <summary>The first 8 hex digits of a query id: enough to find it in the admin views.</summary>
    public static string ShortId(Guid queryId) => queryId.ToString("N")[..8];

    private static string OneLine(string text) => text.ReplaceLineEndings(" ").Trim();
}
