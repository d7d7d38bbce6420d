using System.Text;
using System.Text.RegularExpressions;
using Compliance.Contracts.Questions;

namespace Compliance.Api.Answers;

/// <summary>The answer after its citations were checked.</summary>
public sealed record CheckedAnswer(string Text, IReadOnlyList<Citation> Citations, IReadOnlyList<int> DroppedNumbers)
{
    /// <summary>True when at least one real source supports the answer.</summary>
    public bool IsSupported => Citations.Count > 0;
}

/// <summary>
/// Every <c>[n]</c>, <c>[n, m]</c> and <c>[n][m]</c> in an answer must name a source that was given. Numbers that
/// were not given are removed from the text (a reader must never follow a citation to nothing); markers inside code
/// spans or blocks are text, not citations. What remains maps to the citations shown under the answer.
/// </summary>
public static partial class CitationCheck
{
    public static CheckedAnswer Check(string answer, IReadOnlyList<Citation> sources)
    {
        ArgumentNullException.ThrowIfNull(answer);
        ArgumentNullException.ThrowIfNull(sources);
        var byNumber = sources.ToDictionary(s => s.Number);
        var cited = new SortedSet<int>();
        var dropped = new SortedSet<int>();
        var output = new StringBuilder(answer.Length);

        foreach (var (segment, isCode) in SplitCode(answer))
        {
            if (isCode)
            {
                output.Append(segment);
                continue;
            }
            output.Append(Marker().Replace(segment, match =>
            {
                var kept = new List<int>();
                foreach (var part in match.Groups[1].Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                {
                    if (int.TryParse(part, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) && byNumber.ContainsKey(n))
                    {
                        kept.Add(n);
                        cited.Add(n);
                    }
                    else
                    {
                        dropped.Add(int.TryParse(part, out var bad) ? bad : -1);
                    }
                }
                return kept.Count == 0 ? string.Empty : "[" + string.Join("][", kept) + "]";
            }));
        }

        var text = DoubleSpace().Replace(output.ToString(), " ").Replace(" .", ".", StringComparison.Ordinal).Trim();
        return new CheckedAnswer(text, cited.Select(n => byNumber[n]).ToList(), dropped.ToList());
    }

    /// <summary>Splits text into runs inside and outside Markdown code (fenced blocks and inline spans).</summary>
    private static IEnumerable<(string Segment, bool IsCode)> SplitCode(string text)
    {
        var position = 0;
        foreach (Match code in CodePattern().Matches(text))
        {
            if (code.Index > position)
            {
                yield return (text[position..code.Index], false);
            }
            yield return (code.Value, true);
            position = code.Index + code.Length;
        }
        if (position < text.Length)
        {
            yield return (text[position..], false);
        }
    }

    // [3], [1, 2], [1,2,3]; also tolerates "[ 4 ]". Ranges and words are not citations.
    [GeneratedRegex(@"\[\s*(\d{1,3}(?:\s*,\s*\d{1,3})*)\s*\]", RegexOptions.CultureInvariant)]
    private static partial Regex Marker();

    [GeneratedRegex(@"```[\s\S]*?(?:```|$)|`[^`\n]*`", RegexOptions.CultureInvariant)]
    private static partial Regex CodePattern();

    [GeneratedRegex(@"[ \t]{2,}", RegexOptions.CultureInvariant)]
    private static partial Regex DoubleSpace();
}
