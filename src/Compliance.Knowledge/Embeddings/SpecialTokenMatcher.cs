using System.Buffers;

namespace Compliance.Knowledge.Embeddings;

/// <summary>The names of the special tokens and which of them are recognised when they appear in the input text.</summary>
internal sealed record SpecialTokenNames(string Cls, string Sep, string Pad, string Unknown, IReadOnlyList<string> SplitFromText)
{
    public static SpecialTokenNames Bert { get; } =
        new("[CLS]", "[SEP]", "[PAD]", "[UNK]", ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]);
}

/// <summary>
/// Finds special tokens such as <c>[SEP]</c> in raw text: the leftmost occurrence, and the longest token there, as
/// Transformers.js' <c>DictionarySplitter</c> does.
/// </summary>
internal sealed class SpecialTokenMatcher
{
    private readonly KeyValuePair<string, int>[] _tokens;
    private readonly SearchValues<char> _firstCharacters;

    public SpecialTokenMatcher(IEnumerable<KeyValuePair<string, int>> tokens)
    {
        _tokens = tokens.Where(t => t.Key.Length > 0).ToArray();
        _firstCharacters = SearchValues.Create(_tokens.Select(t => t.Key[0]).Distinct().ToArray());
    }

    /// <summary>Index of the next special token in <paramref name="text"/>, or -1.</summary>
    public int FindNext(ReadOnlySpan<char> text, out int length, out int id)
    {
        length = 0;
        id = 0;
        if (_tokens.Length == 0)
        {
            return -1;
        }

        var from = 0;
        while (from < text.Length)
        {
            var offset = text[from..].IndexOfAny(_firstCharacters);
            if (offset < 0)
            {
                return -1;
            }

            var index = from + offset;
            var candidate = text[index..];
            foreach (var (token, tokenId) in _tokens)
            {
                if (token.Length > length && candidate.StartsWith(token, StringComparison.Ordinal))
                {
                    length = token.Length;
                    id = tokenId;
                }
            }

            if (length > 0)
            {
                return index;
            }

            from = index + 1;
        }

        return -1;
    }
}
