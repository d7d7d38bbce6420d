
namespace Compliance.Knowledge.Chunking;

/// <summary>Packs one section's segments into chunks of at most the segmenter's limit, with overlap.</summary>
internal sealed class SectionPacker(string text, List<TextSegment> segments, TextSegmenter segmenter, int overlap)
{
    private readonly int _limit = segmenter.MaxTokens;

    /// <summary>Calls <paramref name="emit"/> with (start, end, tokens) for each chunk, in order.</summary>
    public void Pack(Action<int, int, int> emit)
    {
        var count = segments.Count;
        var first = 0;
        var carryStart = -1;
        var carryTokens = 0;
        while (first < count)
        {
            var total = carryTokens;
            var next = first;
            while (next < count && total + segments[next].Tokens <= _limit)
            {
                total += segments[next].Tokens;
                next++;
            }

            if (next == first)
            {
                // The overlap and the next segment do not fit together: the segment wins.
                carryStart = -1;
                carryTokens = 0;
                continue;
            }

            var cut = next < count ? ChooseCut(first, next, carryTokens) : next;
            var start = carryStart >= 0 ? carryStart : segments[first].Start;
            var tokens = segmenter.Count(text, start, segments[cut - 1].End);
            // Sums are exact between whole words; a carry or character pieces can join differently, so prove it.
            while (tokens > _limit)
            {
                if (cut - 1 > first)
                {
                    cut--;
                }
                else
                {
                    start = segments[first].Start;
                }

                tokens = segmenter.Count(text, start, segments[cut - 1].End);
            }

            emit(start, segments[cut - 1].End, tokens);
            if (cut >= count)
            {
                break;
            }

            (carryStart, carryTokens) = Overlap(start, first, cut);
            first = cut;
        }
    }

    /// <summary>
    /// Where to end a chunk holding segments [first, next): after the strongest break that leaves it at least half
    /// full, the latest such break on ties; the fullest cut when none does.
    /// </summary>
    private int ChooseCut(int first, int next, int carryTokens)
    {
        var minimum = _limit / 2;
        var best = -1;
        var bestStrength = BreakStrength.Character;
        var filled = carryTokens;
        for (var i = first; i < next; i++)
        {
            filled += segments[i].Tokens;
            if (filled >= minimum && (best < 0 || segments[i].BreakAfter >= bestStrength))
            {
                best = i + 1;
                bestStrength = segments[i].BreakAfter;
            }
        }

        return best < 0 ? next : best;
    }

    /// <summary>The start of the chunk's last ~<c>overlap</c> tokens: whole trailing segments, then trailing words.</summary>
    private (int Start, int Tokens) Overlap(int chunkStart, int first, int cut)
    {
        if (overlap == 0)
        {
            return (-1, 0);
        }

        var tokens = 0;
        var start = -1;
        for (var i = cut - 1; i >= first; i--)
        {
            var segment = segments[i];
            if (tokens + segment.Tokens <= overlap)
            {
                tokens += segment.Tokens;
                start = segment.Start;
                continue;
            }

            // Part of this segment: walk its words back from the end while they fit.
            var wordEnd = segment.End;
            while (wordEnd > segment.Start)
            {
                var wordStart = wordEnd;
                while (wordStart > segment.Start && !char.IsWhiteSpace(text[wordStart - 1]))
                {
                    wordStart--;
                }

                var wordTokens = segmenter.Count(text, wordStart, wordEnd);
                if (tokens + wordTokens > overlap)
                {
                    break;
                }

                tokens += wordTokens;
                start = wordStart;
                wordEnd = wordStart;
                while (wordEnd > segment.Start && char.IsWhiteSpace(text[wordEnd - 1]))
                {
                    wordEnd--;
                }
            }

            break;
        }

        return start > chunkStart ? (start, tokens) : (-1, 0);
    }
}
