using System.IO.Compression;
using System.Text;
using System.Xml;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Wordprocessing;

namespace Compliance.Knowledge.Extraction;

/// <summary>
/// Word (.docx) through the Open XML SDK. The body is read paragraph by paragraph with <see cref="OpenXmlReader"/>
/// (never loaded whole, so a document that decompresses to far more than it weighs stops at
/// <see cref="ExtractionOptions.MaxCharacters"/>). A paragraph is a heading when its own outline level, or its
/// style's (following <c>basedOn</c>), says so, or its style is one of Word's "heading N" styles; the level is the
/// outline level + 1. The first "Title"-styled paragraph, else the first heading, is the title. Table cells and list
/// items are lines of their own; deleted revisions are left out (they are <c>w:delText</c>, not <c>w:t</c>).
/// </summary>
internal sealed class DocxTextExtractor(ExtractionOptions options)
{
    public const string ContentType = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

    // Word's outline levels run 0-8; 9 means body text.
    private const int BodyTextLevel = 9;

    public ExtractedDocument Extract(ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        try
        {
            using var stream = ContentSniffer.AsStream(content);
            using var word = WordprocessingDocument.Open(stream, isEditable: false);
            var main = word.MainDocumentPart ?? throw new DocumentExtractionException(ExtractionFailure.Corrupt,
                "The Word document has no main document part; it is damaged.");
            var styles = StyleLevels.Read(main.StyleDefinitionsPart?.Styles);

            var builder = new ExtractedTextBuilder();
            string? title = null;
            using var reader = OpenXmlReader.Create(main);
            var count = 0;
            while (reader.Read())
            {
                if (reader.ElementType != typeof(Paragraph) || !reader.IsStartElement)
                {
                    continue;
                }

                if ((++count & 0xFF) == 0)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                }

                var paragraph = (Paragraph)reader.LoadCurrentElement()!;
                var text = TextOf(paragraph);
                if (string.IsNullOrWhiteSpace(text))
                {
                    continue;
                }

                var styleId = paragraph.ParagraphProperties?.ParagraphStyleId?.Val?.Value;
                if (title is null && styles.IsTitle(styleId))
                {
                    title = ExtractedTextBuilder.CollapseWhitespace(text);
                    builder.AppendBlock(text);
                }
                else if (styles.HeadingLevel(styleId, paragraph.ParagraphProperties?.OutlineLevel?.Val?.Value) is { } level)
                {
                    builder.AppendHeading(level, text);
                }
                else
                {
                    builder.AppendBlock(paragraph.ParagraphProperties?.NumberingProperties is null ? text : "- " + text);
                }

                if (builder.Length > options.MaxCharacters)
                {
                    throw DocumentExtractionException.LimitExceeded(DocumentLimit.Characters,
                        $"The Word document's text passes the limit of {options.MaxCharacters:N0} characters per document.");
                }
            }

            var document = builder.Build(DocumentKind.Docx, ContentType, title);
            return document with { Title = title ?? (document.Headings.Count > 0 ? document.Headings[0].Text : null) };
        }
        catch (Exception ex) when (ex is OpenXmlPackageException or InvalidDataException or XmlException or FileFormatException or InvalidOperationException)
        {
            throw new DocumentExtractionException(ExtractionFailure.Corrupt,
                $"The Word document could not be read; it may be damaged or incomplete ({ExtractedTextBuilder.CollapseWhitespace(ex.Message)}).", ex);
        }
    }

    /// <summary>The visible text of a paragraph: runs' text, tabs and line breaks; field codes and deletions left out.</summary>
    private static string TextOf(Paragraph paragraph)
    {
        var text = new StringBuilder();
        foreach (var element in paragraph.Descendants())
        {
            switch (element)
            {
                case Text t:
                    text.Append(t.Text);
                    break;
                case TabChar:
                    text.Append('\t');
                    break;
                case Break or CarriageReturn:
                    text.Append('\n');
                    break;
                case NoBreakHyphen:
                    text.Append('-');
                    break;
            }
        }

        return text.ToString();
    }

    /// <summary>Outline levels and names of the document's paragraph styles, resolved through <c>basedOn</c>.</summary>
    private sealed class StyleLevels
    {
        private readonly Dictionary<string, Style> _styles = new(StringComparer.Ordinal);

        public static StyleLevels Read(Styles? styles)
        {
            var result = new StyleLevels();
            foreach (var style in styles?.Elements<Style>() ?? [])
            {
                if (style.StyleId?.Value is { } id && (style.Type is null || style.Type.Value == StyleValues.Paragraph))
                {
                    result._styles[id] = style;
                }
            }

            return result;
        }

        public bool IsTitle(string? styleId) =>
            styleId is not null && (styleId.Equals("Title", StringComparison.OrdinalIgnoreCase) ||
                                    (_styles.TryGetValue(styleId, out var style) && string.Equals(style.StyleName?.Val?.Value, "Title", StringComparison.OrdinalIgnoreCase)));

        /// <summary>1-based heading level, or null for body text.</summary>
        public int? HeadingLevel(string? styleId, int? paragraphOutlineLevel)
        {
            if (paragraphOutlineLevel is { } own)
            {
                return own < BodyTextLevel ? own + 1 : null;
            }

            // basedOn chains are short; the bound only guards against a cycle in a hand-made file.
            for (var depth = 0; styleId is not null && depth < 16; depth++)
            {
                if (!_styles.TryGetValue(styleId, out var style))
                {
                    return NamedHeadingLevel(styleId);
                }

                if (style.StyleParagraphProperties?.OutlineLevel?.Val?.Value is { } level)
                {
                    return level < BodyTextLevel ? level + 1 : null;
                }

                if ((NamedHeadingLevel(style.StyleName?.Val?.Value) ?? NamedHeadingLevel(styleId)) is { } named)
                {
                    return named;
                }

                styleId = style.BasedOn?.Val?.Value;
            }

            return null;
        }

        // "heading 1" (Word's built-in style name) or "Heading1" (its style id), up to 9.
        private static int? NamedHeadingLevel(string? name)
        {
            if (name is null || !name.StartsWith("heading", StringComparison.OrdinalIgnoreCase))
            {
                return null;
            }

            var rest = name.AsSpan(7).Trim();
            return rest.Length == 1 && rest[0] is >= '1' and <= '9' ? rest[0] - '0' : null;
        }
    }
}
