using System.Globalization;
using System.Text;

namespace Compliance.Knowledge.Extraction;

/// <summary>
/// Accumulates the normalised text of a document block by block and records where headings and pages start, so
/// every offset points into the final text. Normalisation: Unicode NFC; <c>\r\n</c> and <c>\r</c> become
/// <c>\n</c>; control characters other than <c>\n</c> and <c>\t</c> are dropped (a form feed is a line break);
/// no-break spaces become spaces; trailing spaces are trimmed; blocks are separated by exactly one blank line and
/// runs of blank lines inside a block collapse to one.
/// </summary>
internal sealed class ExtractedTextBuilder
{
    private readonly StringBuilder _text = new();
    private readonly List<DocumentHeading> _headings = [];
    private readonly List<DocumentPage> _pages = [];
    private readonly List<int> _pendingPages = [];
    private readonly StringBuilder _line = new();

    public int Length => _text.Length;

    public IReadOnlyList<DocumentHeading> Headings => _headings;

    /// <summary>A page starts with the next block appended (an empty page shares its offset with the next one).</summary>
    public void BeginPage(int number) => _pendingPages.Add(number);

    /// <summary>Appends a heading as its own block; whitespace inside it collapses to single spaces.</summary>
    public void AppendHeading(int level, string text)
    {
        var normalized = CollapseWhitespace(Normalize(text));
        if (normalized.Length == 0)
        {
            return;
        }

        StartBlock();
        _headings.Add(new DocumentHeading(level, normalized, _text.Length));
        _text.Append(normalized);
    }

    /// <summary>Appends one or more paragraphs.</summary>
    public void AppendBlock(string text)
    {
        // EnumerateLines also breaks at \f, NEL, U+2028 and U+2029, so a form feed becomes a line break here.
        var normalized = Normalize(text);
        var wroteLine = false;
        var blankPending = false;
        foreach (var rawLine in normalized.AsSpan().EnumerateLines())
        {
            var line = CleanLine(rawLine);
            if (line.Length == 0)
            {
                blankPending = wroteLine;
                continue;
            }

            if (!wroteLine)
            {
                StartBlock();
                wroteLine = true;
            }
            else
            {
                _text.Append(blankPending ? "\n\n" : "\n");
            }

            blankPending = false;
            _text.Append(line);
        }
    }

    public ExtractedDocument Build(DocumentKind kind, string contentType, string? title)
    {
        FlushPendingPages();
        return new ExtractedDocument(kind, contentType, _text.ToString(), title, _headings.ToArray(), _pages.ToArray());
    }

    /// <summary>NFC, with lone surrogates (which NFC rejects) replaced by U+FFFD first.</summary>
    internal static string Normalize(string text)
    {
        try
        {
            return text.IsNormalized(NormalizationForm.FormC) ? text : text.Normalize(NormalizationForm.FormC);
        }
        catch (ArgumentException)
        {
            var repaired = new StringBuilder(text.Length);
            for (var i = 0; i < text.Length; i++)
            {
                var c = text[i];
                if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
                {
                    repaired.Append(c).Append(text[++i]);
                }
                else
                {
                    repaired.Append(char.IsSurrogate(c) ? '\uFFFD' : c);
                }
            }

            return repaired.ToString().Normalize(NormalizationForm.FormC);
        }
    }

    internal static string CollapseWhitespace(string text)
    {
        var builder = new StringBuilder(text.Length);
        var space = false;
        foreach (var c in text)
        {
            if (char.IsWhiteSpace(c) || IsDropped(c))
            {
                space = builder.Length > 0;
                continue;
            }

            if (space)
            {
                builder.Append(' ');
                space = false;
            }

            builder.Append(c);
        }

        return builder.ToString();
    }

    // Control and format characters that carry nothing readable: C0/C1 controls (tab and line breaks are handled
    // by the caller) and stray byte order marks.
    private static bool IsDropped(char c) =>
        c == '\uFEFF' || (char.GetUnicodeCategory(c) == UnicodeCategory.Control && c is not ('\t' or '\n'));

    private string CleanLine(ReadOnlySpan<char> raw)
    {
        _line.Clear();
        foreach (var ch in raw)
        {
            var c = ch == '\u00A0' ? ' ' : ch;
            if (!IsDropped(c))
            {
                _line.Append(c);
            }
        }

        while (_line.Length > 0 && char.IsWhiteSpace(_line[^1]))
        {
            _line.Length--;
        }

        return _line.ToString();
    }

    private void StartBlock()
    {
        if (_text.Length > 0)
        {
            _text.Append("\n\n");
        }

        FlushPendingPages();
    }

    private void FlushPendingPages()
    {
        foreach (var number in _pendingPages)
        {
            _pages.Add(new DocumentPage(number, _text.Length));
        }

        _pendingPages.Clear();
    }
}
