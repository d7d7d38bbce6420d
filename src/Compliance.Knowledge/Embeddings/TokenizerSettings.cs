namespace Compliance.Knowledge.Embeddings;

/// <summary>
/// How <see cref="WordPieceTokenizer"/> normalizes and splits text: the <c>BertNormalizer</c> and <c>WordPiece</c>
/// settings of a Hugging Face <c>tokenizer.json</c>. The defaults are gte-small's.
/// </summary>
/// <param name="LowerCase">Lowercase the text (full Unicode lowercasing, including the Greek final sigma).</param>
/// <param name="StripAccents">
/// After lowercasing, decompose the text (NFD) and drop non-spacing marks, so "Café" and "cafe" tokenize alike.
/// tokenizer.json's <c>"strip_accents": null</c> means "same as lowercase".
/// </param>
/// <param name="HandleChineseChars">Put spaces around CJK ideographs so that each becomes a word of its own.</param>
/// <param name="MaxInputCharsPerWord">A word longer than this many code points becomes <c>[UNK]</c>.</param>
public sealed record TokenizerSettings(
    bool LowerCase = true,
    bool StripAccents = true,
    bool HandleChineseChars = true,
    int MaxInputCharsPerWord = 100)
{
    /// <summary>gte-small's settings (and those of every uncased BERT).</summary>
    public static TokenizerSettings Default { get; } = new();

    internal void Validate()
    {
        if (MaxInputCharsPerWord < 1)
        {
            throw new ArgumentOutOfRangeException(
                nameof(MaxInputCharsPerWord), MaxInputCharsPerWord, "A word must be allowed at least one character.");
        }
    }
}
