namespace Compliance.Knowledge.Embeddings;

/// <summary>
/// Turns text into vectors compared by cosine similarity (unit length when the model's recipe normalises, as every
/// shipped model's does). Queries and passages are separate calls because retrieval models embed them differently:
/// arctic-embed-xs, for one, prefixes queries with an instruction and passages with nothing.
/// </summary>
public interface ITextEmbedder
{
    /// <summary>Length of every vector this embedder returns (384 for gte-small).</summary>
    int Dimensions { get; }

    /// <summary>Name of the model, for logs and for recording which model embedded an index.</summary>
    string ModelName { get; }

    /// <summary>
    /// Embeds a search query (a question), with the model's query prefix if it has one. Null is an
    /// <see cref="ArgumentNullException"/>; empty text embeds like any other (as just the prefix, or [CLS][SEP]).
    /// </summary>
    Task<float[]> EmbedQueryAsync(string query, CancellationToken cancellationToken);

    /// <summary>
    /// Embeds passages (document chunks) to be searched, with the model's passage prefix if it has one; the result has
    /// one vector per passage, in the order given.
    /// </summary>
    Task<float[][]> EmbedPassagesAsync(IReadOnlyList<string> passages, CancellationToken cancellationToken);
}
