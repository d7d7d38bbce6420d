using System.Globalization;
using Compliance.Bot.Rendering;
using Compliance.Contracts.Feedback;
using Discord;

namespace Compliance.Bot.Feedback;

/// <summary>
/// The autocomplete choices of <c>/feedback answer</c>: one per recent answer, named by its question and when it was
/// asked (plain text: Discord renders no markdown or timestamps in choices), valued by its query id. At most 25
/// choices with names of at most 100 code points, as Discord requires.
/// </summary>
public static class AnswerChoices
{
    /// <summary>Choices for <paramref name="history"/> (newest first) whose question contains <paramref name="typed"/>.</summary>
    public static IReadOnlyList<AutocompleteResult> For(IReadOnlyList<HistoryItem> history, string? typed)
    {
        ArgumentNullException.ThrowIfNull(history);
        var filter = typed?.Trim() ?? "";
        return [.. history
            // An erased question can no longer be recognised (nor rated).
            .Where(h => h.Question is not null)
            .Where(h => filter.Length == 0
                || h.Question!.Contains(filter, StringComparison.OrdinalIgnoreCase)
                || h.QueryId.ToString("N").StartsWith(filter, StringComparison.OrdinalIgnoreCase)
                || (Guid.TryParse(filter, out var id) && id == h.QueryId))
            .Take(DiscordLimits.AutocompleteChoices)
            .Select(h => new AutocompleteResult(Name(h), h.QueryId.ToString("D")))];
    }

    /// <summary>“question” · Dec 7, 14:02 UTC, the question shortened so the whole fits in 100 code points.</summary>
    public static string Name(HistoryItem item)
    {
        ArgumentNullException.ThrowIfNull(item);
        var when = " · " + item.AskedAt.ToUniversalTime().ToString("MMM d, HH:mm", CultureInfo.InvariantCulture) + " UTC";
        return Quote(item.Question, DiscordLimits.ChoiceName - when.Length) + when;
    }

    /// <summary>A question on one line in quotes, at most <paramref name="max"/> code points in all.</summary>
    public static string Quote(string? question, int max) =>
        "“" + MessageSplitter.Truncate((question ?? "(erased)").ReplaceLineEndings(" ").Trim(), max - 2) + "”";
}
