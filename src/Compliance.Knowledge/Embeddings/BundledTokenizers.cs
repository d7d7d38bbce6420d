namespace Compliance.Knowledge.Embeddings;

/// <summary>Tokenizers shipped inside the library, for counting tokens when no model directory is present.</summary>
public static class BundledTokenizers
{
    private static readonly Lazy<WordPieceTokenizer> GteSmallTokenizer = new(() =>
    {
        using var stream = typeof(BundledTokenizers).Assembly.GetManifestResourceStream("Compliance.Knowledge.gte-small-vocab.txt")
            ?? throw new InvalidOperationException("The bundled gte-small vocabulary is missing from the assembly.");
        using var reader = new StreamReader(stream);
        var tokens = new List<string>(30522);
        while (reader.ReadLine() is { } line)
        {
            tokens.Add(line);
        }
        // gte-small is BERT-uncased: the default settings (lower-case, strip accents, CJK spacing) are its settings.
        return WordPieceTokenizer.FromVocabulary(tokens, TokenizerSettings.Default);
    });

    /// <summary>gte-small's tokenizer (identical ids to the model directory's files).</summary>
    public static WordPieceTokenizer GteSmall => GteSmallTokenizer.Value;
}
