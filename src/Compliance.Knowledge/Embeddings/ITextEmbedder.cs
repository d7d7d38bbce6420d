namespace Compliance.Knowledge.Embeddings;

/// <summary>Turns text into unit-length vectors whose dot product is their cosine similarity.</summary>
public interface ITextEmbedder
{
    /// <summary>Length of every vector this embedder returns (384 for gte-small).</summary>
    int Dimensions { get; }

    /// <summary>Name of the model, for logs and for recording which model embedded an index.</summary>
    string ModelName { get; }

    /// <summary>Embeds one text. Null is an <see cref="ArgumentNullException"/>; empty text embeds as [CLS][SEP].</summary>
    Task<float[]> EmbedAsync(string text, CancellationToken cancellationToken);

    /// <summary>Embeds many texts; the result has one vector per text, in the order given.</summary>
    Task<float[][]> EmbedBatchAsync(IReadOnlyList<string> texts, CancellationToken cancellationToken);
}
