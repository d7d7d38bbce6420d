using Compliance.Knowledge.Embeddings;
using Compliance.Knowledge.Extraction;

namespace Compliance.Knowledge.Chunking;

/// <summary>
/// Cuts an <see cref="ExtractedDocument"/> into <see cref="TextChunk"/>s that embed without truncation.
/// <list type="bullet">
/// <item>Sections first: a chunk never spans two headings' sections, and carries the heading path
/// ("5 Trading › 5.2 Blackout periods"). A document whose only level-1 heading is its title leaves the title out of
/// paths (it is the document's title, carried separately).</item>
/// <item>Inside a section, chunks are filled greedily with sentences (and lines) and end after the strongest break
/// that keeps the chunk at least half full: paragraph, then sentence, then line; a sentence longer than a chunk is
/// cut between words, a word longer than a chunk between characters.</item>
/// <item>Neighbouring chunks of one section share about <see cref="ChunkingOptions.ChunkOverlap"/> tokens: the next
/// chunk starts with the last whole sentences (or, failing that, the last words) of the previous one.</item>
/// <item>Merging: a section whose body is under <see cref="ChunkingOptions.MergeSectionsBelowTokens"/> is joined to
/// the next section only when that is its subsection, and the chunk takes the subsection's path, which still names
/// the parent ("5 Trading › 5.1 Scope" for "5 Trading"'s one-line intro plus 5.1), so a citation stays true. Sibling
/// sections are never merged: "5.2" must not be cited for text of "5.1". A heading with no body and no subsection
/// yields no chunk.</item>
/// </list>
/// Token counts come from <see cref="WordPieceTokenizer.CountTokens"/>, once per sentence (per word only for
/// over-long sentences), summed; each chunk is re-counted once to prove the limit. Deterministic and thread-safe.
/// </summary>
public sealed class DocumentChunker
{
    /// <summary>Joins the headings of a section path.</summary>
    public const string PathSeparator = " › ";

    private readonly WordPieceTokenizer _tokenizer;
    private readonly ChunkingOptions _options;

    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public DocumentChunker(WordPieceTokenizer tokenizer, ChunkingOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        _tokenizer = tokenizer;
        _options = options ?? new ChunkingOptions();
        _options.Validate();
    }

    /// <summary>The settings in use.</summary>
    public ChunkingOptions Options => _options;

    public IReadOnlyList<TextChunk> Chunk(ExtractedDocument document, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(document);
        var text = document.Text;
        var segmenter = new TextSegmenter(_tokenizer, _options.MaxTextTokens);
        var chunks = new List<TextChunk>();
        var segments = new List<TextSegment>();
        var pages = document.Pages.OrderBy(p => p.CharOffset).ThenBy(p => p.Number).ToArray();

        foreach (var section in Sections(document, segmenter))
        {
            cancellationToken.ThrowIfCancellationRequested();
            segments.Clear();
            segmenter.Segment(text, section.Start, section.End, segments);
            new SectionPacker(text, segments, segmenter, _options.ChunkOverlap).Pack((start, end, tokens) =>
                chunks.Add(new TextChunk(chunks.Count, text[start..end], section.Path, PageAt(pages, start), PageAt(pages, end - 1), start, end, tokens)));
        }

        return chunks;
    }

    /// <summary>The page holding <paramref name="offset"/>: the last page starting at or before it (empty pages give way).</summary>
    private static int? PageAt(DocumentPage[] pages, int offset)
    {
        if (pages.Length == 0)
        {
            return null;
        }

        int low = 0, high = pages.Length - 1, found = 0;
        while (low <= high)
        {
            var middle = (low + high) / 2;
            if (pages[middle].CharOffset <= offset)
            {
                found = middle;
                low = middle + 1;
            }
            else
            {
                high = middle - 1;
            }
        }

        return pages[found].Number;
    }

    private IEnumerable<Section> Sections(ExtractedDocument document, TextSegmenter segmenter)
    {
        var text = document.Text;
        var headings = document.Headings.Where(h => h.CharOffset >= 0 && h.CharOffset < text.Length).OrderBy(h => h.CharOffset).ToArray();
        if (headings.Length == 0)
        {
            yield return new Section(0, text.Length, null);
            yield break;
        }

        if (headings[0].CharOffset > 0)
        {
            yield return new Section(0, headings[0].CharOffset, null);
        }

        // The title heading names the document, not a section: leave it out of paths when it is the only H1.
        var titleIndex = headings[0].Level == 1 && headings.Count(h => h.Level == 1) == 1 ? 0 : -1;
        var stack = new List<DocumentHeading>();
        int? mergedStart = null;
        var mergedBodyTokens = 0;
        for (var i = 0; i < headings.Length; i++)
        {
            var heading = headings[i];
            stack.RemoveAll(h => h.Level >= heading.Level);
            stack.Add(heading);
            var start = mergedStart ?? heading.CharOffset;
            var end = i + 1 < headings.Length ? headings[i + 1].CharOffset : text.Length;
            var bodyStart = Math.Min(end, heading.CharOffset + heading.Text.Length);
            var bodyTokens = SmallBodyTokens(text, bodyStart, end, segmenter);
            var nextIsSubsection = i + 1 < headings.Length && headings[i + 1].Level > heading.Level;
            if (nextIsSubsection && bodyTokens < _options.MergeSectionsBelowTokens)
            {
                mergedStart = start;
                mergedBodyTokens += bodyTokens;
                continue;
            }

            // Headings with no text under them (and none above them merged in) make no chunk of their own.
            var hasBody = bodyTokens > 0 || mergedBodyTokens > 0;
            mergedStart = null;
            mergedBodyTokens = 0;
            if (!hasBody)
            {
                continue;
            }

            var path = string.Join(PathSeparator, stack.Where(h => titleIndex < 0 || !ReferenceEquals(h, headings[titleIndex])).Select(h => h.Text));
            yield return new Section(start, end, path.Length == 0 ? null : path);
        }
    }

    /// <summary>Tokens of a section body when it could be small; a long body is not counted (it is never merged).</summary>
    private int SmallBodyTokens(string text, int start, int end, TextSegmenter segmenter)
    {
        (start, end) = TextSegmenter.Trim(text, start, end);
        if (start >= end)
        {
            return 0;
        }

        // WordPiece gives at most about one token per character, and rarely fewer than one per 16.
        return end - start > _options.MergeSectionsBelowTokens * 16 ? int.MaxValue : segmenter.Count(text, start, end);
    }

    private readonly record struct Section(int Start, int End, string? Path);
}
