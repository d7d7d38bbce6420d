using System.Globalization;
using System.Text;

namespace Compliance.Knowledge.Embeddings;

// STUB (onnx branch only): the tokenizer helper's WordPieceTokenizer replaces this file when its branch lands on
// main. Same public surface; a plain BertTokenizer (clean text, CJK spacing, lowercase, strip accents, punctuation
// split, greedy WordPiece) good enough for the embedder's own tests.

/// <summary>BERT WordPiece tokenizer for gte-small (stub until the tokenizer branch merges).</summary>
public sealed class WordPieceTokenizer
{
    private const int MaxWordChars = 100;
    private readonly Dictionary<string, int> _vocab;
    private readonly int _unkId;

    private WordPieceTokenizer(Dictionary<string, int> vocab)
    {
        _vocab = vocab;
        ClsId = vocab["[CLS]"];
        SepId = vocab["[SEP]"];
        PadId = vocab["[PAD]"];
        _unkId = vocab["[UNK]"];
    }

    public int ClsId { get; }

    public int SepId { get; }

    public int PadId { get; }

    public static WordPieceTokenizer FromDirectory(string directory)
    {
        var path = Path.Combine(directory, "vocab.txt");
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Tokenizer vocabulary {path} does not exist.", path);
        }

        var vocab = new Dictionary<string, int>(StringComparer.Ordinal);
        var id = 0;
        foreach (var line in File.ReadLines(path))
        {
            vocab.TryAdd(line, id++);
        }

        return new WordPieceTokenizer(vocab);
    }

    public EncodedText Encode(string text, int maxLength = 512)
    {
        ArgumentNullException.ThrowIfNull(text);
        var ids = new List<int> { ClsId };
        foreach (var word in BasicTokens(text))
        {
            AppendWordPieces(word, ids);
        }

        ids.Add(SepId);
        var untruncated = ids.Count;
        if (untruncated <= maxLength)
        {
            return new EncodedText([.. ids], false, untruncated);
        }

        var kept = ids.GetRange(0, maxLength - 1);
        kept.Add(SepId);
        return new EncodedText([.. kept], true, untruncated);
    }

    public int CountTokens(ReadOnlySpan<char> text) => Encode(text.ToString(), int.MaxValue).Ids.Length - 2;

    private void AppendWordPieces(string word, List<int> ids)
    {
        if (word.EnumerateRunes().Count() > MaxWordChars)
        {
            ids.Add(_unkId);
            return;
        }

        var start = 0;
        var pieces = new List<int>();
        while (start < word.Length)
        {
            var end = word.Length;
            var found = -1;
            while (start < end)
            {
                var candidate = (start > 0 ? "##" : string.Empty) + word[start..end];
                if (_vocab.TryGetValue(candidate, out var pieceId))
                {
                    found = pieceId;
                    break;
                }

                end--;
                if (end > start && char.IsLowSurrogate(word[end]))
                {
                    end--;
                }
            }

            if (found < 0)
            {
                ids.Add(_unkId);
                return;
            }

            pieces.Add(found);
            start = end;
        }

        ids.AddRange(pieces);
    }

    private static IEnumerable<string> BasicTokens(string text)
    {
        var cleaned = new StringBuilder(text.Length);
        foreach (var rune in text.EnumerateRunes())
        {
            var cp = rune.Value;
            if (cp == 0 || cp == 0xFFFD || IsControl(rune))
            {
                continue;
            }

            if (IsWhitespace(rune))
            {
                cleaned.Append(' ');
            }
            else if (IsCjk(cp))
            {
                cleaned.Append(' ').Append(rune.ToString()).Append(' ');
            }
            else
            {
                cleaned.Append(rune.ToString());
            }
        }

        var normalized = cleaned.ToString().ToLowerInvariant().Normalize(NormalizationForm.FormD);
        var current = new StringBuilder();
        foreach (var rune in normalized.EnumerateRunes())
        {
            if (Rune.GetUnicodeCategory(rune) == UnicodeCategory.NonSpacingMark)
            {
                continue;
            }

            if (rune.Value == ' ')
            {
                if (current.Length > 0)
                {
                    yield return current.ToString();
                    current.Clear();
                }
            }
            else if (IsPunctuation(rune))
            {
                if (current.Length > 0)
                {
                    yield return current.ToString();
                    current.Clear();
                }

                yield return rune.ToString();
            }
            else
            {
                current.Append(rune.ToString());
            }
        }

        if (current.Length > 0)
        {
            yield return current.ToString();
        }
    }

    private static bool IsWhitespace(Rune r) => r.Value is ' ' or '\t' or '\n' or '\r' || Rune.GetUnicodeCategory(r) == UnicodeCategory.SpaceSeparator;

    private static bool IsControl(Rune r) =>
        r.Value is not ('\t' or '\n' or '\r') && Rune.GetUnicodeCategory(r) is UnicodeCategory.Control or UnicodeCategory.Format;

    private static bool IsPunctuation(Rune r)
    {
        var cp = r.Value;
        if (cp is >= 33 and <= 47 or >= 58 and <= 64 or >= 91 and <= 96 or >= 123 and <= 126)
        {
            return true;
        }

        return Rune.GetUnicodeCategory(r) is UnicodeCategory.ConnectorPunctuation or UnicodeCategory.DashPunctuation
            or UnicodeCategory.OpenPunctuation or UnicodeCategory.ClosePunctuation or UnicodeCategory.InitialQuotePunctuation
            or UnicodeCategory.FinalQuotePunctuation or UnicodeCategory.OtherPunctuation;
    }

    private static bool IsCjk(int cp) =>
        cp is >= 0x4E00 and <= 0x9FFF or >= 0x3400 and <= 0x4DBF or >= 0x20000 and <= 0x2A6DF or >= 0x2A700 and <= 0x2B73F
            or >= 0x2B740 and <= 0x2B81F or >= 0x2B820 and <= 0x2CEAF or >= 0xF900 and <= 0xFAFF or >= 0x2F800 and <= 0x2FA1F;
}

/// <summary>Token ids including [CLS] and [SEP]; whether truncation happened and the length before it.</summary>
public sealed record EncodedText(int[] Ids, bool Truncated, int UntruncatedLength);
