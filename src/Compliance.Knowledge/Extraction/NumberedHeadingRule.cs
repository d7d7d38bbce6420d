using System.Text.RegularExpressions;

namespace Compliance.Knowledge.Extraction;

/// <summary>
/// The heading rule for text without markup (plain text and PDF). A line is a heading only when it is obvious:
/// it opens a paragraph (start of text or after a blank line); it is at most 80 characters and 12 words; it starts
/// with a section number ("5", "5.2", "5.2.1", optionally with a trailing dot, first part at most two digits) or
/// with "Section/Article/Chapter/Part N", followed by a capitalised title; and it does not end like a sentence or a
/// lead-in (<c>. , ; :</c>). The level is the count of number parts ("5.2" is level 2); "Article 3" is level 1.
/// </summary>
internal static partial class NumberedHeadingRule
{
    private const int MaxLength = 80;
    private const int MaxWords = 12;

    public static bool TryMatch(string line, out int level, out string heading)
    {
        heading = line.Trim();
        level = 0;
        if (heading.Length is < 3 or > MaxLength || heading[^1] is '.' or ',' or ';' or ':')
        {
            return false;
        }

        if (heading.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length > MaxWords)
        {
            return false;
        }

        var numbered = Numbered().Match(heading);
        if (numbered.Success)
        {
            level = numbered.Groups[1].Value.Count(c => c == '.') + 1;
            return true;
        }

        if (Named().IsMatch(heading))
        {
            level = 1;
            return true;
        }

        return false;
    }

    [GeneratedRegex(@"^(\d{1,2}(?:\.\d{1,3}){0,5})\.?[ \t]+\p{Lu}")]
    private static partial Regex Numbered();

    [GeneratedRegex(@"^(?:Section|Article|Chapter|Part)[ \t]+(?:\d{1,3}|[IVXLC]{1,6})\b", RegexOptions.IgnoreCase)]
    private static partial Regex Named();
}
