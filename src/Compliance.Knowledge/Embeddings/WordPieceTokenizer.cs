namespace Compliance.Knowledge.Embeddings;

/// <summary>
/// BERT WordPiece tokenizer, exactly as Hugging Face <c>tokenizers</c> (and Transformers.js, which the tests compare
/// against) does it for gte-small: special tokens split out of the raw text, <c>BertNormalizer</c> (clean text,
/// space around CJK ideographs, lowercase, strip accents), <c>BertPreTokenizer</c> (split on whitespace and
/// punctuation), greedy longest-match WordPiece with <c>##</c> continuations, then <c>[CLS]</c> … <c>[SEP]</c>.
/// Immutable after construction and safe to share between threads.
/// </summary>
public sealed class WordPieceTokenizer
{
    /// <summary>gte-small's (and BERT's) maximum sequence length, special tokens included.</summary>
    public const int DefaultMaxLength = 512;

    private readonly WordPieceVocabulary _vocabulary;
    private readonly SpecialTokenMatcher _specialTokens;
    private readonly TokenizerSettings _settings;

    private WordPieceTokenizer(IReadOnlyList<string> tokensInIdOrder, TokenizerSettings settings, SpecialTokenNames names)
    {
        settings.Validate();
        _settings = settings;
        _vocabulary = new WordPieceVocabulary(tokensInIdOrder);
        ClsId = RequireId(names.Cls);
        SepId = RequireId(names.Sep);
        PadId = RequireId(names.Pad);
        UnknownId = RequireId(names.Unknown);
        var specials = new List<KeyValuePair<string, int>>();
        foreach (var token in names.SplitFromText)
        {
            if (_vocabulary.TryGetId(token, out var id))
            {
                specials.Add(new(token, id));
            }
        }

        _specialTokens = new SpecialTokenMatcher(specials);

        int RequireId(string token) => _vocabulary.TryGetId(token, out var id)
            ? id
            : throw new ArgumentException($"The vocabulary has no '{token}' token.", nameof(tokensInIdOrder));
    }

    /// <summary>Number of entries in the vocabulary (30522 for gte-small).</summary>
    public int VocabularySize => _vocabulary.Count;

    /// <summary>The settings this tokenizer normalizes with.</summary>
    public TokenizerSettings Settings => _settings;

    public int ClsId { get; }

    public int SepId { get; }

    public int PadId { get; }

    public int UnknownId { get; }

    /// <summary>
    /// Loads the tokenizer files of a Hugging Face model folder: the vocabulary from <c>vocab.txt</c>, else from
    /// <c>tokenizer.json</c>'s <c>model.vocab</c>; settings and special tokens from <c>tokenizer.json</c> when present.
    /// </summary>
    /// <exception cref="DirectoryNotFoundException">The directory does not exist.</exception>
    /// <exception cref="FileNotFoundException">Neither vocab.txt nor tokenizer.json is there.</exception>
    /// <exception cref="InvalidDataException">tokenizer.json is malformed or describes another kind of tokenizer.</exception>
    public static WordPieceTokenizer FromDirectory(string directory)
    {
        var files = TokenizerFiles.Read(directory);
        return new WordPieceTokenizer(files.TokensInIdOrder, files.Settings, files.SpecialTokens);
    }

    /// <summary>Builds a tokenizer from a vocabulary given in id order (the lines of a vocab.txt).</summary>
    /// <exception cref="ArgumentException">The vocabulary lacks [CLS], [SEP], [PAD] or [UNK].</exception>
    public static WordPieceTokenizer FromVocabulary(IEnumerable<string> tokensInIdOrder, TokenizerSettings? settings = null)
    {
        ArgumentNullException.ThrowIfNull(tokensInIdOrder);
        return new WordPieceTokenizer(tokensInIdOrder.ToList(), settings ?? TokenizerSettings.Default, SpecialTokenNames.Bert);
    }

    /// <summary>
    /// <c>[CLS]</c> tokens <c>[SEP]</c>, truncated to <paramref name="maxLength"/> ids (specials included) by dropping
    /// word pieces from the end. Never null; <c>""</c> gives <c>[CLS][SEP]</c>.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxLength"/> leaves no room for [CLS] and [SEP].</exception>
    public EncodedText Encode(string text, int maxLength = DefaultMaxLength)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLength, 2);
        var ids = new TokenIdList(EstimateTokens(text.Length));
        try
        {
            Tokenize(text, ref ids);
            var kept = Math.Min(ids.Count, maxLength - 2);
            var result = new int[kept + 2];
            result[0] = ClsId;
            ids.Ids[..kept].CopyTo(result.AsSpan(1));
            result[^1] = SepId;
            return new EncodedText(result, kept < ids.Count, ids.Count + 2);
        }
        finally
        {
            ids.Dispose();
        }
    }

    /// <summary>Token ids without <c>[CLS]</c>/<c>[SEP]</c> and without truncation.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is null.</exception>
    public int[] EncodeWithoutSpecialTokens(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var ids = new TokenIdList(EstimateTokens(text.Length));
        try
        {
            Tokenize(text, ref ids);
            return ids.Ids.ToArray();
        }
        finally
        {
            ids.Dispose();
        }
    }

    /// <summary>
    /// Number of word-piece tokens in <paramref name="text"/>, without specials and without truncation. Allocates
    /// nothing for ASCII text (scratch space comes from the shared array pool).
    /// </summary>
    public int CountTokens(ReadOnlySpan<char> text)
    {
        var counter = default(TokenCounter);
        Tokenize(text, ref counter);
        return counter.Count;
    }

    // English prose averages roughly one token per five characters.
    private static int EstimateTokens(int length) => Math.Min(length / 4, 4096) + 8;

    private void Tokenize<TSink>(ReadOnlySpan<char> text, ref TSink sink)
        where TSink : struct, ITokenSink
    {
        var scratch = default(Scratch);
        try
        {
            // Special tokens are found in the raw text before any normalization, as Transformers.js' added-token
            // splitter does, so "[SEP]" typed by a user is the separator token (and "[sep]" is not).
            while (!text.IsEmpty)
            {
                var next = _specialTokens.FindNext(text, out var length, out var id);
                if (next < 0)
                {
                    TokenizeSection(text, ref sink, ref scratch);
                    break;
                }

                TokenizeSection(text[..next], ref sink, ref scratch);
                sink.Add(id);
                text = text[(next + length)..];
            }
        }
        finally
        {
            scratch.Dispose();
        }
    }

    /// <summary>
    /// Walks a section chunk by chunk. A chunk is a run without whitespace (clean_text turns whitespace into spaces
    /// and the pre-tokenizer splits there); a CJK ideograph is a chunk of its own. Normalization never looks past a
    /// chunk's ends, so handling chunks one at a time gives the same result as normalizing the whole section.
    /// </summary>
    private void TokenizeSection<TSink>(ReadOnlySpan<char> section, ref TSink sink, scoped ref Scratch scratch)
        where TSink : struct, ITokenSink
    {
        var i = 0;
        while (i < section.Length)
        {
            var start = i;
            var offset = section[i..].IndexOfAnyExcept(BertCharacters.AsciiVisible);
            if (offset < 0)
            {
                TokenizeAsciiChunk(section[start..], ref sink, ref scratch);
                return;
            }

            i += offset;
            if (section[i] is ' ' or '\t' or '\n' or '\r')
            {
                // The common case: plain ASCII up to a space.
                if (i > start)
                {
                    TokenizeAsciiChunk(section[start..i], ref sink, ref scratch);
                }

                i++;
                continue;
            }

            // Something else (a control or non-ASCII character): find the chunk's end code point by code point.
            var ascii = true;
            var hasDropped = false;
            var chineseCharacter = false;
            while (i < section.Length)
            {
                var codePoint = BertCharacters.CodePointAt(section, i, out var length);
                if (codePoint < 0x80 && BertCharacters.AsciiVisible.Contains((char)codePoint))
                {
                    i++;
                    continue;
                }

                if (BertCharacters.IsDropped(codePoint))
                {
                    hasDropped = true;
                }
                else if (BertCharacters.IsWhitespace(codePoint))
                {
                    break;
                }
                else if (_settings.HandleChineseChars && length == 1 && BertCharacters.IsChineseCharacter((char)codePoint))
                {
                    chineseCharacter = true;
                    break;
                }
                else
                {
                    ascii &= codePoint < 0x80;
                }

                i += length;
            }

            TokenizeChunk(section[start..i], ascii, hasDropped, ref sink, ref scratch);
            if (i < section.Length)
            {
                // Skip the whitespace, or tokenize the ideograph as a one-character chunk.
                if (chineseCharacter)
                {
                    TokenizeChunk(section.Slice(i, 1), ascii: false, hasDropped: false, ref sink, ref scratch);
                }

                i++;
            }
        }
    }

    private void TokenizeChunk<TSink>(ReadOnlySpan<char> chunk, bool ascii, bool hasDropped, ref TSink sink, scoped ref Scratch scratch)
        where TSink : struct, ITokenSink
    {
        if (hasDropped)
        {
            chunk = BertNormalizer.RemoveDropped(chunk, ref scratch.Normalizer);
        }

        if (chunk.IsEmpty)
        {
            return;
        }

        if (ascii)
        {
            TokenizeAsciiChunk(chunk, ref sink, ref scratch);
            return;
        }

        var normalized = BertNormalizer.Normalize(chunk, _settings, ref scratch.Normalizer);
        SplitAndEncode(normalized, ref sink, ref scratch);
    }

    /// <summary>The fast path: printable ASCII only, so normalizing is at most lowercasing.</summary>
    private void TokenizeAsciiChunk<TSink>(ReadOnlySpan<char> chunk, ref TSink sink, scoped ref Scratch scratch)
        where TSink : struct, ITokenSink
    {
        if (_settings.LowerCase && chunk.ContainsAnyInRange('A', 'Z'))
        {
            var lowered = scratch.Ascii.Get(chunk.Length)[..chunk.Length];
            System.Text.Ascii.ToLower(chunk, lowered, out _);
            chunk = lowered;
        }

        while (!chunk.IsEmpty)
        {
            var punctuation = chunk.IndexOfAny(BertCharacters.AsciiPunctuation);
            if (punctuation < 0)
            {
                EncodeWord(chunk, ref sink, ref scratch);
                return;
            }

            if (punctuation > 0)
            {
                EncodeWord(chunk[..punctuation], ref sink, ref scratch);
            }

            EncodeWord(chunk.Slice(punctuation, 1), ref sink, ref scratch);
            chunk = chunk[(punctuation + 1)..];
        }
    }

    /// <summary>BertPreTokenizer over normalized text: words end at whitespace; each punctuation mark is a word.</summary>
    private void SplitAndEncode<TSink>(ReadOnlySpan<char> text, ref TSink sink, scoped ref Scratch scratch)
        where TSink : struct, ITokenSink
    {
        var wordStart = 0;
        for (var i = 0; i < text.Length;)
        {
            var codePoint = BertCharacters.CodePointAt(text, i, out var length);
            var whitespace = BertCharacters.IsWhitespace(codePoint);
            if (whitespace || BertCharacters.IsPunctuation(codePoint))
            {
                if (i > wordStart)
                {
                    EncodeWord(text[wordStart..i], ref sink, ref scratch);
                }

                if (!whitespace)
                {
                    EncodeWord(text.Slice(i, length), ref sink, ref scratch);
                }

                wordStart = i + length;
            }

            i += length;
        }

        if (wordStart < text.Length)
        {
            EncodeWord(text[wordStart..], ref sink, ref scratch);
        }
    }

    private void EncodeWord<TSink>(ReadOnlySpan<char> word, ref TSink sink, scoped ref Scratch scratch)
        where TSink : struct, ITokenSink
    {
        // The limit counts code points; a word can only exceed it in code points if it does in chars.
        if (word.Length > _settings.MaxInputCharsPerWord && CountCodePoints(word) > _settings.MaxInputCharsPerWord)
        {
            sink.Add(UnknownId);
            return;
        }

        var pieces = scratch.Pieces.Get(word.Length);
        var count = _vocabulary.Split(word, pieces);
        if (count < 0)
        {
            sink.Add(UnknownId);
        }
        else
        {
            sink.AddRange(pieces[..count]);
        }
    }

    private static int CountCodePoints(ReadOnlySpan<char> text)
    {
        var count = text.Length;
        for (var i = 1; i < text.Length; i++)
        {
            if (char.IsLowSurrogate(text[i]) && char.IsHighSurrogate(text[i - 1]))
            {
                count--;
            }
        }

        return count;
    }

    /// <summary>Per-call scratch space, rented lazily from the shared pools.</summary>
    private struct Scratch : IDisposable
    {
        public PooledBuffer<char> Ascii;
        public PooledBuffer<int> Pieces;
        public BertNormalizer.Buffers Normalizer;

        public void Dispose()
        {
            Ascii.Dispose();
            Pieces.Dispose();
            Normalizer.Dispose();
        }
    }
}
