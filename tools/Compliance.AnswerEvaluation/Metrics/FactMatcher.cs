using System.Text.RegularExpressions;

namespace Compliance.AnswerEvaluation.Metrics;

/// <summary>
/// Decides whether an answer states a fact: both are normalised, then the fact must appear in the answer.
/// Normalising ignores case, whitespace and Markdown emphasis, unifies dashes and quotes, and writes numbers one way
/// ("five" → "5", "1,000" → "1000", "100 dollars" / "USD 100" → "$100", "120-day" → "120 day", "per cent" → "%"),
/// so a model that paraphrases a figure is not marked as missing it.
/// </summary>
internal static partial class FactMatcher
{
    private static readonly Dictionary<string, string> NumberWords = new(StringComparer.Ordinal)
    {
        ["zero"] = "0", ["one"] = "1", ["two"] = "2", ["three"] = "3", ["four"] = "4", ["five"] = "5", ["six"] = "6",
        ["seven"] = "7", ["eight"] = "8", ["nine"] = "9", ["ten"] = "10", ["eleven"] = "11", ["twelve"] = "12",
        ["thirteen"] = "13", ["fourteen"] = "14", ["fifteen"] = "15", ["sixteen"] = "16", ["seventeen"] = "17",
        ["eighteen"] = "18", ["nineteen"] = "19", ["twenty"] = "20", ["thirty"] = "30", ["forty"] = "40",
        ["fifty"] = "50", ["sixty"] = "60", ["seventy"] = "70", ["eighty"] = "80", ["ninety"] = "90",
    };

    public static bool Contains(string? answer, string fact) =>
        !string.IsNullOrWhiteSpace(answer) && Occurs(Normalize(answer), Normalize(fact));

    /// <summary>The facts of <paramref name="facts"/> that <paramref name="answer"/> does not state.</summary>
    public static IReadOnlyList<string> Missing(string? answer, IEnumerable<string> facts)
    {
        var normalized = string.IsNullOrWhiteSpace(answer) ? string.Empty : Normalize(answer);
        return [.. facts.Where(f => !Occurs(normalized, Normalize(f)))];
    }

    /// <summary>
    /// Whole-word occurrence: "$100" is not in "$1000", nor "5 business days" in "15 business days". A letter or
    /// digit at either end of the fact must not continue into a letter or digit of the answer.
    /// </summary>
    private static bool Occurs(string text, string fact)
    {
        if (fact.Length == 0)
        {
            return true;
        }

        for (var at = text.IndexOf(fact, StringComparison.Ordinal); at >= 0; at = text.IndexOf(fact, at + 1, StringComparison.Ordinal))
        {
            var end = at + fact.Length;
            var startsClean = !char.IsLetterOrDigit(fact[0]) || at == 0 || !char.IsLetterOrDigit(text[at - 1]);
            var endsClean = !char.IsLetterOrDigit(fact[^1]) || end == text.Length || !char.IsLetterOrDigit(text[end]);
            if (startsClean && endsClean)
            {
                return true;
            }
        }

        return false;
    }

    public static string Normalize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var value = text.ToLowerInvariant()
            .Replace('\u2013', '-').Replace('\u2014', '-').Replace('\u2011', '-').Replace('\u2212', '-')
            .Replace('\u2018', '\'').Replace('\u2019', '\'').Replace('\u201C', '"').Replace('\u201D', '"')
            .Replace('\u00A0', ' ');
        value = Emphasis().Replace(value, string.Empty);
        value = NumberWord().Replace(value, m => NumberWords[m.Value]);
        value = ThousandsSeparator().Replace(value, string.Empty);
        value = DollarsAfter().Replace(value, m => "$" + m.Groups["n"].Value);
        value = DollarsBefore().Replace(value, m => "$" + m.Groups["n"].Value);
        value = Percent().Replace(value, "%");
        value = HyphenatedUnit().Replace(value, m => m.Groups["n"].Value + " " + m.Groups["unit"].Value);
        return Whitespace().Replace(value, " ").Trim();
    }

    [GeneratedRegex(@"[*_`]")]
    private static partial Regex Emphasis();

    [GeneratedRegex(@"\b(zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)\b")]
    private static partial Regex NumberWord();

    [GeneratedRegex(@"(?<=\d),(?=\d{3}(?!\d))")]
    private static partial Regex ThousandsSeparator();

    [GeneratedRegex(@"(?<n>\d+(?:\.\d+)?)\s*(?:us\s*)?(?:dollars?|usd)\b")]
    private static partial Regex DollarsAfter();

    [GeneratedRegex(@"\b(?:usd|us\$)\s*(?<n>\d)")]
    private static partial Regex DollarsBefore();

    [GeneratedRegex(@"\s*(?:per\s?cent|percent)\b")]
    private static partial Regex Percent();

    [GeneratedRegex(@"(?<n>\d)-(?<unit>(?:calendar|business|trading)?\s?(?:day|week|month|year|hour|minute)s?)\b")]
    private static partial Regex HyphenatedUnit();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
