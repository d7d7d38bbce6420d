namespace Compliance.Knowledge.Embeddings;

/// <summary>
/// The vocabulary of a WordPiece model and its greedy longest-match-first split of one word.
/// Lookups take spans, so splitting a word allocates nothing.
/// </summary>
internal sealed class WordPieceVocabulary
{
    private const string ContinuationPrefix = "##";

    // Continuation pieces are kept without their "##" so that a piece in the middle of a word is looked up as a
    // plain slice of that word instead of being copied behind a prefix.
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _wordStarts;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _continuations;
    private readonly int _longestWordStart;
    private readonly int _longestContinuation;

    public WordPieceVocabulary(IReadOnlyList<string> tokensInIdOrder)
    {
        var wordStarts = new Dictionary<string, int>(tokensInIdOrder.Count, StringComparer.Ordinal);
        var continuations = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var id = 0; id < tokensInIdOrder.Count; id++)
        {
            var token = tokensInIdOrder[id];
            // A repeated line in vocab.txt keeps its last id, as Hugging Face's load_vocab does.
            wordStarts[token] = id;
            _longestWordStart = Math.Max(_longestWordStart, token.Length);
            if (token.Length > ContinuationPrefix.Length && token.StartsWith(ContinuationPrefix, StringComparison.Ordinal))
            {
                continuations[token[ContinuationPrefix.Length..]] = id;
                _longestContinuation = Math.Max(_longestContinuation, token.Length - ContinuationPrefix.Length);
            }
        }

        Count = tokensInIdOrder.Count;
        _wordStarts = wordStarts.GetAlternateLookup<ReadOnlySpan<char>>();
        _continuations = continuations.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public int Count { get; }

    public bool TryGetId(ReadOnlySpan<char> token, out int id) => _wordStarts.TryGetValue(token, out id);

    /// <summary>
    /// Splits <paramref name="word"/> into the longest vocabulary pieces from the left, writing their ids to
    /// <paramref name="pieces"/> (which must hold <c>word.Length</c> ids). Returns the number of pieces, or -1 when
    /// some remainder matches nothing (the whole word is then <c>[UNK]</c>).
    /// </summary>
    public int Split(ReadOnlySpan<char> word, Span<int> pieces)
    {
        var count = 0;
        var start = 0;
        while (start < word.Length)
        {
            var lookup = start == 0 ? _wordStarts : _continuations;
            // Nothing longer than the longest vocabulary entry can match, so long words do not cost quadratic time.
            var end = Math.Min(word.Length, start + (start == 0 ? _longestWordStart : _longestContinuation));
            var found = false;
            var id = 0;
            for (; end > start; end--)
            {
                // Transformers.js cuts words by code point; never try a piece that ends inside a surrogate pair.
                if (end < word.Length && char.IsLowSurrogate(word[end]) && char.IsHighSurrogate(word[end - 1]))
                {
                    continue;
                }

                if (lookup.TryGetValue(word[start..end], out id))
                {
                    found = true;
                    break;
                }
            }

            if (!found)
            {
                return -1;
            }

            pieces[count++] = id;
            start = end;
        }

        return count;
    }
}
