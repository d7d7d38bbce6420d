namespace Compliance.Knowledge.Extraction;

/// <summary>
/// Plain text (and each page of a PDF): paragraphs kept as they are, headings found by
/// <see cref="NumberedHeadingRule"/> only.
/// </summary>
internal static class PlainTextExtractor
{
    public static ExtractedDocument Extract(string text, CancellationToken cancellationToken)
    {
        var builder = new ExtractedTextBuilder();
        AppendParagraphs(builder, text, cancellationToken);
        return builder.Build(DocumentKind.PlainText, "text/plain", title: null);
    }

    /// <summary>Appends text paragraph by paragraph, lifting a paragraph's first line out when it is a heading.</summary>
    public static void AppendParagraphs(ExtractedTextBuilder builder, string text, CancellationToken cancellationToken)
    {
        var paragraph = new List<string>();
        var count = 0;
        foreach (var line in text.AsSpan().EnumerateLines())
        {
            if ((++count & 0xFFF) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            if (line.IsWhiteSpace())
            {
                Flush();
                continue;
            }

            if (paragraph.Count == 0 && NumberedHeadingRule.TryMatch(line.ToString(), out var level, out var heading))
            {
                builder.AppendHeading(level, heading);
                continue;
            }

            paragraph.Add(line.ToString());
        }

        Flush();

        void Flush()
        {
            if (paragraph.Count > 0)
            {
                builder.AppendBlock(string.Join('\n', paragraph));
                paragraph.Clear();
            }
        }
    }
}
