using System.Buffers;
using System.Globalization;

namespace Compliance.Knowledge.Embeddings;

/// <summary>
/// The character classes of Transformers.js' <c>BertNormalizer</c> and <c>BertPreTokenizer</c>, by code point.
/// Categories come from .NET, corrected by <see cref="UnicodeTables.Overrides"/> where .NET knows an older Unicode.
/// </summary>
internal static class BertCharacters
{
    /// <summary>ASCII that can be part of a chunk without any normalization but lowercasing: '!' to '~'.</summary>
    public static readonly SearchValues<char> AsciiVisible = SearchValues.Create(
        Enumerable.Range(0x21, 0x7E - 0x21 + 1).Select(c => (char)c).ToArray());

    /// <summary>HF's ASCII punctuation: 33-47, 58-64, 91-96, 123-126 (symbols such as $ + &lt; count as punctuation).</summary>
    public static readonly SearchValues<char> AsciiPunctuation = SearchValues.Create("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~");

    public static UnicodeCategory Category(int codePoint) =>
        codePoint >= 0x130 && UnicodeTables.Overrides.TryGetValue(codePoint, out var entry)
            ? entry.Category
            : CharUnicodeInfo.GetUnicodeCategory(codePoint);

    /// <summary>Dropped by clean_text: NUL, U+FFFD and every Cc/Cf/Co/Cs character except tab, LF and CR.</summary>
    public static bool IsDropped(int codePoint)
    {
        if (codePoint is 0 or 0xFFFD)
        {
            return true;
        }

        if (codePoint is '\t' or '\n' or '\r')
        {
            return false;
        }

        return Category(codePoint) is UnicodeCategory.Control or UnicodeCategory.Format
            or UnicodeCategory.PrivateUse or UnicodeCategory.Surrogate;
    }

    /// <summary>JavaScript's <c>\s</c>: what clean_text turns into a space and the pre-tokenizer splits on.</summary>
    public static bool IsWhitespace(int codePoint) => codePoint switch
    {
        >= 0x09 and <= 0x0D or 0x20 or 0xA0 or 0x1680 or >= 0x2000 and <= 0x200A
            or 0x2028 or 0x2029 or 0x202F or 0x205F or 0x3000 or 0xFEFF => true,
        _ => false,
    };

    /// <summary>HF's punctuation: the ASCII ranges above plus every Unicode P* category.</summary>
    public static bool IsPunctuation(int codePoint)
    {
        if (codePoint < 0x80)
        {
            return AsciiPunctuation.Contains((char)codePoint);
        }

        return Category(codePoint) is UnicodeCategory.ConnectorPunctuation or UnicodeCategory.DashPunctuation
            or UnicodeCategory.OpenPunctuation or UnicodeCategory.ClosePunctuation
            or UnicodeCategory.InitialQuotePunctuation or UnicodeCategory.FinalQuotePunctuation
            or UnicodeCategory.OtherPunctuation;
    }

    public static bool IsNonSpacingMark(int codePoint) =>
        codePoint >= 0x300 && Category(codePoint) == UnicodeCategory.NonSpacingMark;

    /// <summary>
    /// The CJK ranges of HF's <c>_is_chinese_char</c>. Transformers.js tests them per UTF-16 unit, so only the BMP
    /// ranges ever match (supplementary ideographs stay inside words); callers pass single chars for that reason.
    /// </summary>
    public static bool IsChineseCharacter(char c) =>
        c is >= '\u4E00' and <= '\u9FFF' or >= '\u3400' and <= '\u4DBF' or >= '\uF900' and <= '\uFAFF';

    public static bool IsCased(int codePoint) => InRanges(UnicodeTables.CasedRanges, codePoint);

    public static bool IsCaseIgnorable(int codePoint) => InRanges(UnicodeTables.CaseIgnorableRanges, codePoint);

    /// <summary>Reads the code point at <paramref name="index"/>; a lone surrogate is returned as itself.</summary>
    public static int CodePointAt(ReadOnlySpan<char> text, int index, out int length)
    {
        var c = text[index];
        if (char.IsHighSurrogate(c) && index + 1 < text.Length && char.IsLowSurrogate(text[index + 1]))
        {
            length = 2;
            return char.ConvertToUtf32(c, text[index + 1]);
        }

        length = 1;
        return c;
    }

    /// <summary>Reads the code point that ends just before <paramref name="end"/>.</summary>
    public static int CodePointBefore(ReadOnlySpan<char> text, int end, out int length)
    {
        var c = text[end - 1];
        if (char.IsLowSurrogate(c) && end >= 2 && char.IsHighSurrogate(text[end - 2]))
        {
            length = 2;
            return char.ConvertToUtf32(text[end - 2], c);
        }

        length = 1;
        return c;
    }

    private static bool InRanges(ReadOnlySpan<int> ranges, int codePoint)
    {
        // Binary search over [first, last] pairs.
        int low = 0, high = (ranges.Length / 2) - 1;
        while (low <= high)
        {
            var middle = (low + high) >>> 1;
            if (codePoint < ranges[2 * middle])
            {
                high = middle - 1;
            }
            else if (codePoint > ranges[(2 * middle) + 1])
            {
                low = middle + 1;
            }
            else
            {
                return true;
            }
        }

        return false;
    }
}
