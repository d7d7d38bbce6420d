using System.Net;
using System.Text;

namespace Compliance.Knowledge.Extraction;

/// <summary>
/// HTML through a small, forgiving tokenizer (no HTML package is available here): text and <c>h1</c>–<c>h6</c>
/// headings; <c>script</c>, <c>style</c>, <c>noscript</c>, <c>template</c> and comments dropped; entities decoded;
/// block elements end paragraphs, <c>br</c> and list items and table rows end lines, table cells are joined by
/// " | ". Unclosed and misnested tags are tolerated: a new block or heading simply ends the open one. The title is
/// the first <c>h1</c>, else <c>&lt;title&gt;</c>.
/// </summary>
internal static class HtmlTextExtractor
{
    private static readonly HashSet<string> DroppedElements = new(StringComparer.OrdinalIgnoreCase)
    {
        "script", "style", "noscript", "template", "svg", "math", "iframe", "object", "canvas", "select",
    };

    private static readonly HashSet<string> BlockElements = new(StringComparer.OrdinalIgnoreCase)
    {
        "address", "article", "aside", "blockquote", "body", "caption", "dd", "details", "dialog", "div", "dl", "dt",
        "fieldset", "figcaption", "figure", "footer", "form", "head", "header", "hr", "html", "legend", "main", "nav",
        "ol", "p", "pre", "section", "summary", "table", "tbody", "tfoot", "thead", "ul",
    };

    public static ExtractedDocument Extract(string html, CancellationToken cancellationToken)
    {
        var state = new HtmlState(new ExtractedTextBuilder());
        var position = 0;
        var steps = 0;
        while (position < html.Length)
        {
            if ((++steps & 0xFFF) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            var open = html.IndexOf('<', position);
            if (open < 0)
            {
                state.Text(html.AsSpan(position));
                break;
            }

            state.Text(html.AsSpan(position, open - position));
            position = ReadMarkup(html, open, state);
        }

        state.EndBlock();
        return state.Builder.Build(DocumentKind.Html, "text/html", state.FirstH1 ?? state.DocumentTitle);
    }

    /// <summary>Handles the markup at <paramref name="open"/> (a '&lt;') and returns where text resumes.</summary>
    private static int ReadMarkup(string html, int open, HtmlState state)
    {
        if (string.CompareOrdinal(html, open, "<!--", 0, 4) == 0)
        {
            var end = html.IndexOf("-->", open + 4, StringComparison.Ordinal);
            return end < 0 ? html.Length : end + 3;
        }

        var next = open + 1 < html.Length ? html[open + 1] : '\0';
        if (next is '!' or '?')
        {
            var end = html.IndexOf('>', open);
            return end < 0 ? html.Length : end + 1;
        }

        var closing = next == '/';
        var nameStart = closing ? open + 2 : open + 1;
        if (nameStart >= html.Length || !char.IsAsciiLetter(html[nameStart]))
        {
            // "a < b" is text, not a tag.
            state.Text("<");
            return open + 1;
        }

        var nameEnd = nameStart;
        while (nameEnd < html.Length && (char.IsAsciiLetterOrDigit(html[nameEnd]) || html[nameEnd] is '-' or ':'))
        {
            nameEnd++;
        }

        var name = html[nameStart..nameEnd].ToLowerInvariant();
        var tagEnd = FindTagEnd(html, nameEnd);
        if (closing)
        {
            state.EndTag(name);
            return tagEnd;
        }

        if (DroppedElements.Contains(name) || name is "title" or "textarea")
        {
            // Raw-text elements: everything up to the matching end tag is content, never markup.
            var close = html.IndexOf("</" + name, tagEnd, StringComparison.OrdinalIgnoreCase);
            var contentEnd = close < 0 ? html.Length : close;
            if (name == "title")
            {
                state.DocumentTitle ??= ExtractedTextBuilder.CollapseWhitespace(WebUtility.HtmlDecode(html[tagEnd..contentEnd]));
            }
            else if (name == "textarea")
            {
                state.Text(html.AsSpan(tagEnd, contentEnd - tagEnd));
            }

            return close < 0 ? html.Length : FindTagEnd(html, close + 2);
        }

        state.StartTag(name);
        return tagEnd;
    }

    /// <summary>Index just past the '>' ending a tag, skipping quoted attribute values.</summary>
    private static int FindTagEnd(string html, int index)
    {
        char? quote = null;
        for (var i = index; i < html.Length; i++)
        {
            var c = html[i];
            if (quote is not null)
            {
                if (c == quote)
                {
                    quote = null;
                }
            }
            else if (c is '"' or '\'')
            {
                quote = c;
            }
            else if (c == '>')
            {
                return i + 1;
            }
        }

        return html.Length;
    }

    private sealed class HtmlState(ExtractedTextBuilder builder)
    {
        private readonly StringBuilder _block = new();
        private int _headingLevel;
        private int _preDepth;
        private bool _cellOpen;

        public ExtractedTextBuilder Builder { get; } = builder;

        public string? DocumentTitle { get; set; }

        public string? FirstH1 { get; private set; }

        public void Text(ReadOnlySpan<char> raw)
        {
            if (raw.IsEmpty)
            {
                return;
            }

            var decoded = raw.Contains('&') ? WebUtility.HtmlDecode(raw.ToString()) : raw.ToString();
            if (_preDepth > 0)
            {
                _block.Append(decoded);
                return;
            }

            // HTML collapses whitespace runs (line breaks included) to one space outside <pre>.
            foreach (var c in decoded)
            {
                if (char.IsWhiteSpace(c) && c != '\u00A0')
                {
                    if (_block.Length > 0 && _block[^1] is not (' ' or '\n'))
                    {
                        _block.Append(' ');
                    }
                }
                else
                {
                    _block.Append(c);
                }
            }
        }

        public void StartTag(string name)
        {
            if (IsHeading(name, out var level))
            {
                EndBlock();
                _headingLevel = level;
                return;
            }

            switch (name)
            {
                case "br":
                    LineBreak();
                    return;
                case "li":
                    LineBreak();
                    _block.Append("- ");
                    return;
                case "tr":
                    LineBreak();
                    _cellOpen = false;
                    return;
                case "td" or "th":
                    if (_cellOpen)
                    {
                        TrimTrailingSpace();
                        _block.Append(" | ");
                    }

                    _cellOpen = true;
                    return;
                case "pre":
                    EndBlock();
                    _preDepth++;
                    return;
            }

            if (BlockElements.Contains(name))
            {
                EndBlock();
            }
        }

        public void EndTag(string name)
        {
            if (IsHeading(name, out _) || name == "pre" || BlockElements.Contains(name))
            {
                EndBlock();
                if (name == "pre" && _preDepth > 0)
                {
                    _preDepth--;
                }
            }
            else if (name is "li" or "tr")
            {
                LineBreak();
            }
        }

        /// <summary>Ends the open paragraph or heading (misnested markup included) and hands it to the builder.</summary>
        public void EndBlock()
        {
            var text = _block.ToString();
            _block.Clear();
            _cellOpen = false;
            if (_headingLevel > 0)
            {
                var level = _headingLevel;
                _headingLevel = 0;
                var before = Builder.Headings.Count;
                Builder.AppendHeading(level, text);
                if (level == 1 && FirstH1 is null && Builder.Headings.Count > before)
                {
                    FirstH1 = Builder.Headings[^1].Text;
                }

                return;
            }

            if (!string.IsNullOrWhiteSpace(text))
            {
                Builder.AppendBlock(text);
            }
        }

        private void LineBreak()
        {
            if (_headingLevel > 0)
            {
                _block.Append(' ');
                return;
            }

            TrimTrailingSpace();
            if (_block.Length > 0 && _block[^1] != '\n')
            {
                _block.Append('\n');
            }
        }

        private void TrimTrailingSpace()
        {
            while (_block.Length > 0 && _block[^1] == ' ')
            {
                _block.Length--;
            }
        }

        private static bool IsHeading(string name, out int level)
        {
            level = name.Length == 2 && name[0] == 'h' && name[1] is >= '1' and <= '6' ? name[1] - '0' : 0;
            return level > 0;
        }
    }
}
