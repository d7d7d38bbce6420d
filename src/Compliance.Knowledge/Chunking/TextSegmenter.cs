using System.Globalization;
using Compliance.Knowledge.Embeddings;

namespace Compliance.Knowledge.Chunking;

/// <summary>How strong a break follows a segment: chunks prefer to end after the strongest one available.</summary>
internal enum BreakStrength
{
    Character = 0,
    Word = 1,
    Line = 2,
    Sentence = 3,
    Paragraph = 4,
}

/// <summary>A span of the document text (no surrounding whitespace) with its token count, counted once.</summary>
internal readonly record struct TextSegment(int Start, int End, int Tokens, BreakStrength BreakAfter);

/// <summary>
/// Cuts a section into sentence- and line-sized segments, each counted once with the tokenizer; a segment over
/// the limit is cut into words, and a word over the limit into pieces of characters. Because WordPiece splits at
/// whitespace, the token count of text made of whole segments is the sum of theirs.
/// </summary>
internal sealed class TextSegmenter(WordPieceTokenizer tokenizer, int maxTokens)
{
    private static readonly HashSet<string> Abbreviations = new(StringComparer.OrdinalIgnoreCase)
    {
        "e.g", "i.e", "etc", "vs", "cf", "mr", "mrs", "ms", "dr", "prof", "no", "nos", "inc", "ltd", "co", "corp",
        "st", "art", "arts", "sec", "para", "approx", "fig", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep",
        "sept", "oct", "nov", "dec", "u.s", "u.k", "p", "pp", "ca", "al", "min", "max",
    };

    public int MaxTokens => maxTokens;

    public void Segment(string text, int start, int end, List<TextSegment> output)
    {
        var position = start;
        while (position < end)
        {
            var paragraphEnd = text.IndexOf("\n\n", position, end - position, StringComparison.Ordinal);
            if (paragraphEnd < 0)
            {
                paragraphEnd = end;
            }

            var before = output.Count;
            SegmentParagraph(text, position, paragraphEnd, output);
            if (output.Count > before)
            {
                output[^1] = output[^1] with { BreakAfter = BreakStrength.Paragraph };
            }

            position = paragraphEnd + 2;
        }
    }

    /// <summary>Tokens of the text, counted directly.</summary>
    public int Count(string text, int start, int end) => tokenizer.CountTokens(text.AsSpan(start, end - start));

    private void SegmentParagraph(string text, int start, int end, List<TextSegment> output)
    {
        var segmentStart = start;
        for (var i = start; i < end; i++)
        {
            var c = text[i];
            if (c == '\n')
            {
                AddSentence(text, segmentStart, i, BreakStrength.Line, output);
                segmentStart = i + 1;
            }
            else if (c is '。' or '！' or '？' or '；')
            {
                // CJK sentence ends need no following space.
                AddSentence(text, segmentStart, i + 1, BreakStrength.Sentence, output);
                segmentStart = i + 1;
            }
            else if (c is '.' or '!' or '?' && IsSentenceEnd(text, start, i, end, out var after))
            {
                AddSentence(text, segmentStart, after, BreakStrength.Sentence, output);
                segmentStart = after;
                i = after - 1;
            }
        }

        AddSentence(text, segmentStart, end, BreakStrength.Sentence, output);
    }

    /// <summary>
    /// '.', '!' or '?' (and any closing quotes or brackets) followed by whitespace, unless the word before a '.' is
    /// a known abbreviation or a single letter ("e.g.", "No.", "J. Smith").
    /// </summary>
    private static bool IsSentenceEnd(string text, int paragraphStart, int index, int end, out int after)
    {
        after = index + 1;
        while (after < end && text[after] is ')' or ']' or '"' or '\'' or '\u2019' or '\u201D' or '\u00BB')
        {
            after++;
        }

        if (after < end && !char.IsWhiteSpace(text[after]))
        {
            return false;
        }

        if (text[index] != '.')
        {
            return true;
        }

        var wordStart = index;
        while (wordStart > paragraphStart && !char.IsWhiteSpace(text[wordStart - 1]) && text[wordStart - 1] != '(')
        {
            wordStart--;
        }

        var word = text.AsSpan(wordStart, index - wordStart);
        return !(word.Length == 1 && char.IsLetter(word[0])) && !Abbreviations.Contains(word.ToString());
    }

    private void AddSentence(string text, int start, int end, BreakStrength breakAfter, List<TextSegment> output)
    {
        (start, end) = Trim(text, start, end);
        if (start >= end)
        {
            return;
        }

        var tokens = Count(text, start, end);
        if (tokens <= maxTokens)
        {
            output.Add(new TextSegment(start, end, tokens, breakAfter));
            return;
        }

        // Too long for one chunk: fall back to words, and the last word keeps the sentence's break.
        var first = output.Count;
        var position = start;
        while (position < end)
        {
            var wordEnd = position;
            while (wordEnd < end && !char.IsWhiteSpace(text[wordEnd]))
            {
                wordEnd++;
            }

            AddWord(text, position, wordEnd, output);
            position = wordEnd;
            while (position < end && char.IsWhiteSpace(text[position]))
            {
                position++;
            }
        }

        if (output.Count > first)
        {
            output[^1] = output[^1] with { BreakAfter = breakAfter };
        }
    }

    private void AddWord(string text, int start, int end, List<TextSegment> output)
    {
        var tokens = Count(text, start, end);
        if (tokens <= maxTokens)
        {
            output.Add(new TextSegment(start, end, tokens, BreakStrength.Word));
            return;
        }

        // A giant "word" (CJK without spaces, a long identifier): pieces of characters. WordPiece yields at most about
        // one token per character, so a piece of maxTokens characters nearly always fits; halve it when it does not.
        var position = start;
        while (position < end)
        {
            var size = Math.Min(maxTokens, end - position);
            while (true)
            {
                var pieceEnd = SafeEnd(text, position, position + size, end);
                var pieceTokens = Count(text, position, pieceEnd);
                if (pieceTokens <= maxTokens || size == 1)
                {
                    output.Add(new TextSegment(position, pieceEnd, pieceTokens, BreakStrength.Character));
                    position = pieceEnd;
                    break;
                }

                size = Math.Max(1, size / 2);
            }
        }
    }

    /// <summary>Moves a cut forward so it never splits a surrogate pair or separates a combining mark from its base.</summary>
    private static int SafeEnd(string text, int start, int proposed, int end)
    {
        var cut = Math.Min(proposed, end);
        while (cut < end && cut > start && (char.IsLowSurrogate(text[cut]) || IsCombining(text[cut])))
        {
            cut++;
        }

        return cut;
    }

    private static bool IsCombining(char c) => CharUnicodeInfo.GetUnicodeCategory(c) is
        UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark;

    public static (int Start, int End) Trim(string text, int start, int end)
    {
        while (start < end && char.IsWhiteSpace(text[start]))
        {
            start++;
        }

        while (end > start && char.IsWhiteSpace(text[end - 1]))
        {
            end--;
        }

        return (start, end);
    }
}
