using System.Text;
using System.Text.RegularExpressions;

namespace Compliance.Knowledge.Extraction;

/// <summary>The line-level Markdown patterns the sniffer and the Markdown extractor share.</summary>
internal static partial class MarkdownSyntax
{
    // Only the start of a large file is looked at when sniffing.
    private const int SniffChars = 64 * 1024;

    private static readonly System.Buffers.SearchValues<char> InlineMarkers = System.Buffers.SearchValues.Create("*_`[]<~\\!");

    /// <summary>
    /// Markdown when the text has an ATX heading (<c># Title</c>), a setext heading (a line underlined with
    /// <c>===</c>/<c>---</c>) or a code fence; or at least two list items together with inline Markdown (emphasis,
    /// links, code spans). Lists alone stay plain text: both keep list lines, and plain text keeps the numbered
    /// heading rule that "1. Purpose" style documents need.
    /// </summary>
    public static bool LooksLikeMarkdown(string text)
    {
        var sample = text.Length > SniffChars ? text[..SniffChars] : text;
        var listItems = 0;
        var previousWasText = false;
        foreach (var line in sample.AsSpan().EnumerateLines())
        {
            if (AtxHeading().IsMatch(line) || Fence().IsMatch(line))
            {
                return true;
            }

            if (previousWasText && SetextUnderline().IsMatch(line) && line.Trim().Length >= 3)
            {
                return true;
            }

            if (ListItem().IsMatch(line))
            {
                listItems++;
            }

            previousWasText = !line.IsWhiteSpace() && !ListItem().IsMatch(line);
        }

        return listItems >= 2 && InlineMarkup().IsMatch(sample);
    }

    /// <summary>Removes inline markup lightly: emphasis markers, link and image syntax, code-span backticks, tags.</summary>
    public static string StripInline(string line)
    {
        if (line.AsSpan().IndexOfAny(InlineMarkers) < 0)
        {
            return line;
        }

        // Escaped characters are parked in the private use area so the patterns below leave them alone.
        var text = Escaped().Replace(line, m => ((char)(0xE000 + m.Groups[1].Value[0])).ToString());
        text = CodeSpan().Replace(text, "$2");
        text = Image().Replace(text, "$1");
        text = Link().Replace(text, "$1");
        text = ReferenceLink().Replace(text, "$1");
        text = AutoLink().Replace(text, "$1");
        text = InlineTag().Replace(text, string.Empty);
        text = Strong().Replace(text, "$2");
        text = StarEmphasis().Replace(text, "$1");
        text = UnderscoreEmphasis().Replace(text, "$1");
        text = Strikethrough().Replace(text, "$1");
        if (text.AsSpan().IndexOfAnyInRange('\uE000', '\uE07F') < 0)
        {
            return text;
        }

        var restored = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            restored.Append(c is >= '\uE000' and <= '\uE07F' ? (char)(c - 0xE000) : c);
        }

        return restored.ToString();
    }

    [GeneratedRegex(@"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")]
    public static partial Regex AtxHeading();

    [GeneratedRegex(@"^ {0,3}(`{3,}|~{3,})")]
    public static partial Regex Fence();

    [GeneratedRegex(@"^ {0,3}(=+|-+)[ \t]*$")]
    public static partial Regex SetextUnderline();

    [GeneratedRegex(@"^ {0,3}(?:(?:\*[ \t]*){3,}|(?:-[ \t]*){3,}|(?:_[ \t]*){3,})$")]
    public static partial Regex ThematicBreak();

    [GeneratedRegex(@"^[ \t]*(?:[-*+]|\d{1,9}[.)])[ \t]+\S")]
    public static partial Regex ListItem();

    [GeneratedRegex(@"^ {0,3}\|?[ \t]*:?-{3,}:?[ \t]*(?:\|[ \t]*:?-{3,}:?[ \t]*)+\|?[ \t]*$|^ {0,3}\|[ \t]*:?-{3,}:?[ \t]*\|[ \t]*$")]
    public static partial Regex TableDelimiterRow();

    [GeneratedRegex(@"^ {0,3}\[[^\]]+\]:[ \t]*\S+")]
    public static partial Regex LinkReferenceDefinition();

    [GeneratedRegex(@"^ {0,3}>[ \t]?")]
    public static partial Regex BlockQuoteMarker();

    [GeneratedRegex(@"\*\*\S|__\S|\[[^\]]+\]\([^)]+\)|`[^`]+`")]
    private static partial Regex InlineMarkup();

    [GeneratedRegex(@"\\([\\`*_{}\[\]()#+\-.!|>~<])")]
    private static partial Regex Escaped();

    [GeneratedRegex(@"(`+)(.+?)\1")]
    private static partial Regex CodeSpan();

    [GeneratedRegex(@"!\[([^\]]*)\]\([^)]*\)")]
    private static partial Regex Image();

    [GeneratedRegex(@"\[([^\]]+)\]\([^)]*\)")]
    private static partial Regex Link();

    [GeneratedRegex(@"\[([^\]]+)\]\[[^\]]*\]")]
    private static partial Regex ReferenceLink();

    [GeneratedRegex(@"<((?:https?|mailto):[^>\s]+)>")]
    private static partial Regex AutoLink();

    [GeneratedRegex(@"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>")]
    private static partial Regex InlineTag();

    [GeneratedRegex(@"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")]
    private static partial Regex Strong();

    [GeneratedRegex(@"(?<![\w*])\*(?=\S)(.+?)(?<=\S)\*(?![\w*])")]
    private static partial Regex StarEmphasis();

    [GeneratedRegex(@"(?<![\w_])_(?=\S)(.+?)(?<=\S)_(?![\w_])")]
    private static partial Regex UnderscoreEmphasis();

    [GeneratedRegex(@"~~(?=\S)(.+?)(?<=\S)~~")]
    private static partial Regex Strikethrough();
}
