namespace Compliance.Knowledge.Embeddings;

/// <summary>The embedding model could not be used; the message names the path and what was expected.</summary>
public sealed class EmbeddingModelException : Exception
{
    public EmbeddingModelException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}

/// <summary>An input longer than the model's 512 tokens was cut; carries only lengths, never the text.</summary>
public sealed class TextTruncatedEventArgs(int originalTokens, int keptTokens) : EventArgs
{
    /// <summary>Tokens (with [CLS] and [SEP]) the text had.</summary>
    public int OriginalTokens { get; } = originalTokens;

    /// <summary>Tokens embedded.</summary>
    public int KeptTokens { get; } = keptTokens;
}
