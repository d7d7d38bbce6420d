namespace Compliance.Knowledge.Embeddings;

/// <summary>Turns text into a normalised embedding vector for the knowledge index.</summary>
public interface ITextEmbedder
{
    /// <summary>Length of every vector this embedder returns.</summary>
    int Dimensions { get; }

    /// <summary>Name recorded beside the index so a model change can be detected.</summary>
    string ModelName { get; }

    Task<float[]> EmbedAsync(string text, CancellationToken cancellationToken);

    Task<float[][]> EmbedBatchAsync(IReadOnlyList<string> texts, CancellationToken cancellationToken);
}
