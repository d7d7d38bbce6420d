using System.Globalization;
using System.IO.Compression;
using System.Text;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Wordprocessing;

namespace Compliance.Testing.Documents;

/// <summary>Documents made in the test, for shapes a committed fixture would be too big or too opaque for.</summary>
public static class GeneratedDocuments
{
    /// <summary>
    /// A "decompression-style" PDF: <paramref name="pages"/> pages that all draw the same compressed content
    /// stream of <paramref name="linesPerPage"/> lines of ~80 characters. The file stays small (one stream, ~60
    /// bytes per page object) while its text grows with every page, the shape that once took the API to 1.4 GB.
    /// </summary>
    public static byte[] SharedContentStreamPdf(int pages, int linesPerPage = 50)
    {
        var content = new StringBuilder("BT /F1 10 Tf 12 TL 40 760 Td\n");
        for (var line = 0; line < linesPerPage; line++)
        {
            content.Append(CultureInfo.InvariantCulture,
                $"(Line {line:D2}: employees report every gift above the threshold to the compliance office.) Tj T*\n");
        }

        content.Append("ET");
        byte[] compressed;
        using (var buffer = new MemoryStream())
        {
            using (var zlib = new ZLibStream(buffer, CompressionLevel.Optimal, leaveOpen: true))
            {
                zlib.Write(Encoding.ASCII.GetBytes(content.ToString()));
            }

            compressed = buffer.ToArray();
        }

        // 1 catalog, 2 page tree, 3 font, 4 the shared content stream, 5.. the pages.
        var objects = new List<byte[]>
        {
            Ascii("<< /Type /Catalog /Pages 2 0 R >>"),
            Ascii("<< /Type /Pages /Kids [" + string.Join(' ', Enumerable.Range(5, pages).Select(n => $"{n} 0 R")) + $"] /Count {pages} /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> >>"),
            Ascii("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"),
            Ascii($"<< /Length {compressed.Length} /Filter /FlateDecode >>\nstream\n").Concat(compressed).Concat(Ascii("\nendstream")).ToArray(),
        };
        // Media box and resources are inherited from the page tree, as PDF allows: each page is ~50 bytes.
        var page = Ascii("<< /Type /Page /Parent 2 0 R /Contents 4 0 R >>");
        objects.AddRange(Enumerable.Repeat(page, pages));
        return Pdf(objects);
    }

    /// <summary>
    /// A Word document made with the Open XML SDK: each paragraph has a style id (null for Normal) and text. The
    /// styles part defines Title and Heading1-3 as Word does (name "heading N", outline level N-1), plus
    /// "PolicyClause", a custom style based on Heading2 with no outline level of its own.
    /// </summary>
    public static byte[] Docx(params (string? Style, string Text)[] paragraphs)
    {
        using var buffer = new MemoryStream();
        using (var word = WordprocessingDocument.Create(buffer, WordprocessingDocumentType.Document))
        {
            var main = word.AddMainDocumentPart();
            var styles = main.AddNewPart<StyleDefinitionsPart>();
            styles.Styles = new Styles(
                ParagraphStyle("Normal", "Normal", basedOn: null, outlineLevel: null),
                ParagraphStyle("Title", "Title", "Normal", outlineLevel: null),
                ParagraphStyle("Heading1", "heading 1", "Normal", outlineLevel: 0),
                ParagraphStyle("Heading2", "heading 2", "Normal", outlineLevel: 1),
                ParagraphStyle("Heading3", "heading 3", "Normal", outlineLevel: 2),
                ParagraphStyle("PolicyClause", "Policy Clause", "Heading2", outlineLevel: null));
            var body = new Body();
            foreach (var (style, text) in paragraphs)
            {
                var paragraph = new Paragraph();
                if (style is not null)
                {
                    paragraph.ParagraphProperties = new ParagraphProperties(new ParagraphStyleId { Val = style });
                }

                paragraph.Append(new Run(new Text(text) { Space = SpaceProcessingModeValues.Preserve }));
                body.Append(paragraph);
            }

            main.Document = new Document(body);
        }

        return buffer.ToArray();
    }

    private static Style ParagraphStyle(string id, string name, string? basedOn, int? outlineLevel)
    {
        var style = new Style(new StyleName { Val = name }) { Type = StyleValues.Paragraph, StyleId = id };
        if (basedOn is not null)
        {
            style.Append(new BasedOn { Val = basedOn });
        }

        if (outlineLevel is { } level)
        {
            style.Append(new StyleParagraphProperties(new OutlineLevel { Val = level }));
        }

        return style;
    }

    private static byte[] Pdf(List<byte[]> objects)
    {
        using var output = new MemoryStream();
        output.Write(Ascii("%PDF-1.4\n"));
        var offsets = new long[objects.Count];
        for (var i = 0; i < objects.Count; i++)
        {
            offsets[i] = output.Position;
            output.Write(Ascii($"{i + 1} 0 obj\n"));
            output.Write(objects[i]);
            output.Write(Ascii("\nendobj\n"));
        }

        var xref = output.Position;
        var table = new StringBuilder($"xref\n0 {objects.Count + 1}\n0000000000 65535 f \n");
        foreach (var offset in offsets)
        {
            table.Append(CultureInfo.InvariantCulture, $"{offset:D10} 00000 n \n");
        }

        table.Append(CultureInfo.InvariantCulture, $"trailer\n<< /Size {objects.Count + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n");
        output.Write(Ascii(table.ToString()));
        return output.ToArray();
    }

    private static byte[] Ascii(string text) => Encoding.ASCII.GetBytes(text);
}
