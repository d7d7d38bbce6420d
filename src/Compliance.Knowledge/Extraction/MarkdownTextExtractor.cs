namespace Compliance.Knowledge.Extraction;

/// <summary>
/// Markdown: ATX (<c>#</c>) and setext (<c>===</c>/<c>---</c> underline) headings become headings with their
/// levels; fenced code is kept as text and never yields headings; list items and table rows stay as lines (table
/// delimiter rows go); emphasis, link and code-span markers are stripped lightly; thematic breaks, HTML comments
/// and link reference definitions are dropped. The title is the first level-1 heading.
/// </summary>
internal static class MarkdownTextExtractor
{
    public static ExtractedDocument Extract(string text, CancellationToken cancellationToken)
    {
        var builder = new ExtractedTextBuilder();
        var paragraph = new List<string>();
        var code = new List<string>();
        string? fence = null;
        var inComment = false;
        string? title = null;
        var count = 0;

        foreach (var span in text.AsSpan().EnumerateLines())
        {
            if ((++count & 0xFFF) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            var line = span.ToString();
            if (fence is not null)
            {
                if (IsClosingFence(line, fence))
                {
                    builder.AppendBlock(string.Join('\n', code));
                    code.Clear();
                    fence = null;
                }
                else
                {
                    code.Add(line);
                }

                continue;
            }

            if (inComment || line.TrimStart().StartsWith("<!--", StringComparison.Ordinal))
            {
                inComment = !line.Contains("-->", StringComparison.Ordinal);
                continue;
            }

            var opening = MarkdownSyntax.Fence().Match(line);
            if (opening.Success)
            {
                FlushParagraph();
                fence = opening.Groups[1].Value;
                continue;
            }

            if (string.IsNullOrWhiteSpace(line))
            {
                FlushParagraph();
                continue;
            }

            var atx = MarkdownSyntax.AtxHeading().Match(line);
            if (atx.Success)
            {
                FlushParagraph();
                AddHeading(atx.Groups[1].Length, atx.Groups[2].Value);
                continue;
            }

            // "Text\n---" is a setext heading; "- item\n---" or a table row followed by dashes is not.
            if (paragraph.Count > 0 && MarkdownSyntax.SetextUnderline().IsMatch(line) && !StartsStructure(paragraph[0]))
            {
                var level = line.TrimStart()[0] == '=' ? 1 : 2;
                AddHeading(level, string.Join(' ', paragraph));
                paragraph.Clear();
                continue;
            }

            if (MarkdownSyntax.ThematicBreak().IsMatch(line))
            {
                FlushParagraph();
                continue;
            }

            if (MarkdownSyntax.TableDelimiterRow().IsMatch(line) || (paragraph.Count == 0 && MarkdownSyntax.LinkReferenceDefinition().IsMatch(line)))
            {
                continue;
            }

            var content = line;
            while (MarkdownSyntax.BlockQuoteMarker().Match(content) is { Success: true } quote)
            {
                content = content[quote.Length..];
            }

            paragraph.Add(MarkdownSyntax.StripInline(content));
        }

        FlushParagraph();
        if (code.Count > 0)
        {
            // An unclosed fence runs to the end of the document, as in CommonMark.
            builder.AppendBlock(string.Join('\n', code));
        }

        return builder.Build(DocumentKind.Markdown, "text/markdown", title);

        void FlushParagraph()
        {
            if (paragraph.Count > 0)
            {
                builder.AppendBlock(string.Join('\n', paragraph));
                paragraph.Clear();
            }
        }

        void AddHeading(int level, string raw)
        {
            var headingText = ExtractedTextBuilder.CollapseWhitespace(MarkdownSyntax.StripInline(raw));
            var before = builder.Headings.Count;
            builder.AppendHeading(level, headingText);
            if (title is null && level == 1 && builder.Headings.Count > before)
            {
                title = builder.Headings[^1].Text;
            }
        }
    }

    private static bool IsClosingFence(string line, string fence)
    {
        var trimmed = line.Trim();
        return trimmed.Length >= fence.Length && trimmed.All(c => c == fence[0]) && line.Length - line.TrimStart().Length <= 3;
    }

    private static bool StartsStructure(string line) =>
        MarkdownSyntax.ListItem().IsMatch(line) || line.TrimStart().StartsWith('|');
}
