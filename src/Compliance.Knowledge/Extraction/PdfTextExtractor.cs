using System.Diagnostics;
using System.Globalization;
using UglyToad.PdfPig;
using UglyToad.PdfPig.Content;
using UglyToad.PdfPig.Core;
using UglyToad.PdfPig.DocumentLayoutAnalysis;
using UglyToad.PdfPig.DocumentLayoutAnalysis.PageSegmenter;
using UglyToad.PdfPig.DocumentLayoutAnalysis.ReadingOrderDetector;
using UglyToad.PdfPig.DocumentLayoutAnalysis.WordExtractor;
using UglyToad.PdfPig.Exceptions;

namespace Compliance.Knowledge.Extraction;

/// <summary>
/// PDF through PdfPig, in process, one page at a time: letters → words (nearest neighbour) → blocks (Docstrum) →
/// reading order (unsupervised, column-wise), so a two-column page reads column by column. Lines keep their breaks;
/// a word hyphenated across a line break is joined again (PdfPig keeps the hyphen). Pages keep their numbers.
/// Extraction stops at the first page that takes the text past <see cref="ExtractionOptions.MaxCharacters"/>, and a
/// PDF with more than <see cref="ExtractionOptions.MaxPages"/> pages is refused before any page is read.
/// </summary>
internal sealed class PdfTextExtractor(ExtractionOptions options)
{
    // Enough of PdfPig's complaint to explain a failure, not enough to flood a log or a problem response.
    private const int MaxReasonChars = 300;

    // Two blocks whose edges are within this many points count as aligned (PdfPig's default is 5). The order in
    // which the file draws its text is not consulted: some generators draw a two-column page row by row, and with
    // it the detector put the right column's heading before the left column's body.
    private static readonly UnsupervisedReadingOrderDetector ReadingOrder =
        new(5, UnsupervisedReadingOrderDetector.SpatialReasoningRules.ColumnWise, useRenderingOrder: false);

    public Task<ExtractedDocument> ExtractAsync(ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        try
        {
            using var pdf = PdfDocument.Open(content, new ParsingOptions { UseLenientParsing = true, SkipMissingFonts = true });
            var pageCount = pdf.NumberOfPages;
            if (pageCount > options.MaxPages)
            {
                throw DocumentExtractionException.LimitExceeded(DocumentLimit.Pages,
                    $"The PDF has {pageCount:N0} pages, more than the limit of {options.MaxPages:N0} pages per document.");
            }

            var builder = new ExtractedTextBuilder();
            for (var number = 1; number <= pageCount; number++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (stopwatch.Elapsed > options.PdfTimeout)
                {
                    throw new DocumentExtractionException(ExtractionFailure.Corrupt,
                        $"Reading the PDF took longer than {options.PdfTimeout.TotalSeconds:0} s (stopped at page {number} of {pageCount}); it is too complex or damaged.");
                }

                var page = pdf.GetPage(number);
                // A page whose letters alone pass the budget is refused before the costly layout analysis.
                if (builder.Length + page.Letters.Count > options.MaxCharacters)
                {
                    throw CharactersExceeded(number, pageCount);
                }

                builder.BeginPage(number);
                PlainTextExtractor.AppendParagraphs(builder, PageText(page), cancellationToken);
                if (builder.Length > options.MaxCharacters)
                {
                    throw CharactersExceeded(number, pageCount);
                }
            }

            return Task.FromResult(Finish(builder.Build(DocumentKind.Pdf, "application/pdf", title: null), pageCount));
        }
        catch (PdfDocumentEncryptedException)
        {
            throw new DocumentExtractionException(ExtractionFailure.Corrupt,
                "The PDF is encrypted with a password, so its text cannot be read. Upload an unprotected copy.");
        }
        catch (Exception ex) when (ex is not (DocumentExtractionException or OperationCanceledException or OutOfMemoryException))
        {
            // PdfPig reports a truncated or malformed file as PdfDocumentFormatException, and some damage only as
            // whatever its parser tripped over: every one of them is the document's fault, not the server's.
            throw new DocumentExtractionException(ExtractionFailure.Corrupt,
                $"The PDF could not be read; it may be damaged or incomplete ({Reason(ex)}).", ex);
        }
    }

    private DocumentExtractionException CharactersExceeded(int page, int pageCount) =>
        DocumentExtractionException.LimitExceeded(DocumentLimit.Characters,
            $"The PDF's text passes the limit of {options.MaxCharacters:N0} characters per document (stopped at page {page:N0} of {pageCount:N0}).");

    private static ExtractedDocument Finish(ExtractedDocument document, int pageCount)
    {
        if (string.IsNullOrWhiteSpace(document.Text))
        {
            throw new DocumentExtractionException(
                ExtractionFailure.NoExtractableText,
                $"The PDF has {pageCount} page(s) but no extractable text: it is probably a scan or images only. Run OCR on it and upload the result.");
        }

        var text = document.Text.AsSpan();
        var lineEnd = text.IndexOf('\n');
        return document with { Title = (lineEnd < 0 ? text : text[..lineEnd]).Trim().ToString() };
    }

    /// <summary>One page as text: blocks in reading order separated by blank lines, lines by line breaks.</summary>
    internal static string PageText(Page page)
    {
        var words = NearestNeighbourWordExtractor.Instance.GetWords(page.Letters).ToList();
        if (words.Count == 0)
        {
            return string.Empty;
        }

        var blocks = ReadingOrder.Get(DocstrumBoundingBoxes.Instance.GetBlocks(words)).OrderBy(b => b.ReadingOrder);
        var paragraphs = new List<List<string>>();
        foreach (var block in blocks)
        {
            var lines = block.TextLines.Select(l => l.Text).Where(l => !string.IsNullOrWhiteSpace(l)).ToList();
            if (lines.Count == 0)
            {
                continue;
            }

            // A word hyphenated at the bottom of a column continues at the top of the next block: one paragraph.
            if (paragraphs.Count > 0 && Hyphenation.EndsHyphenated(paragraphs[^1][^1]) && Hyphenation.StartsLowercase(lines[0]))
            {
                paragraphs[^1].AddRange(lines);
            }
            else
            {
                paragraphs.Add(lines);
            }
        }

        return string.Join("\n\n", paragraphs.Select(p => string.Join('\n', Hyphenation.JoinLines(p))));
    }

    private static string Reason(Exception exception)
    {
        var reason = ExtractedTextBuilder.CollapseWhitespace(exception.Message);
        if (reason.Length == 0)
        {
            reason = exception.GetType().Name;
        }

        return reason.Length > MaxReasonChars ? reason[..MaxReasonChars] + "…" : reason;
    }
}

/// <summary>
/// Joins words a PDF hyphenated at a line break: "compli-" + "ance applies" → "compliance" + "applies". Only when
/// a letter precedes the hyphen and the next line starts with a lower-case letter, so "Anti-" + "Money" and
/// "2020-" + "2021" keep their hyphens. A word that really has a hyphen at that spot ("e-" + "mail") loses it: the
/// common case wins, as in every PDF-to-text tool that de-hyphenates.
/// </summary>
public static class Hyphenation
{
    public static bool EndsHyphenated(string line)
    {
        var trimmed = line.AsSpan().TrimEnd();
        return trimmed.Length >= 2 && IsHyphen(trimmed[^1]) && char.IsLetter(trimmed[^2]);
    }

    public static bool StartsLowercase(string line)
    {
        var trimmed = line.AsSpan().TrimStart();
        return trimmed.Length > 0 && char.GetUnicodeCategory(trimmed[0]) == UnicodeCategory.LowercaseLetter;
    }

    /// <summary>The lines with each hyphenated line end joined to the first word of the line after it.</summary>
    public static List<string> JoinLines(IReadOnlyList<string> lines)
    {
        var joined = new List<string>(lines.Count);
        string? carried = null;
        foreach (var raw in lines)
        {
            var line = raw.Trim();
            if (carried is not null)
            {
                if (StartsLowercase(line))
                {
                    // The word is completed on the line it started on; the rest of this line stays its own line.
                    var space = line.IndexOf(' ', StringComparison.Ordinal);
                    carried = carried.TrimEnd()[..^1] + (space < 0 ? line : line[..space]);
                    line = space < 0 ? string.Empty : line[(space + 1)..].TrimStart();
                    if (line.Length == 0 && EndsHyphenated(carried))
                    {
                        continue;
                    }
                }

                joined.Add(carried);
                carried = null;
                if (line.Length == 0)
                {
                    continue;
                }
            }

            if (EndsHyphenated(line))
            {
                carried = line;
            }
            else
            {
                joined.Add(line);
            }
        }

        if (carried is not null)
        {
            joined.Add(carried);
        }

        return joined;
    }

    private static bool IsHyphen(char c) => c is '-' or '\u00AD' or '\u2010';
}
