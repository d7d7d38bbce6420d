namespace Compliance.Knowledge.Indexing;

/// <summary>Checks a chunk before any backend stores it, with a message naming the chunk and the field.</summary>
public static class ChunkValidation
{
    public static void Validate(ChunkRecord chunk, int dimensions)
    {
        ArgumentNullException.ThrowIfNull(chunk);
        if (string.IsNullOrWhiteSpace(chunk.ChunkId))
        {
            throw new ArgumentException($"A chunk of document {chunk.DocumentId} has an empty ChunkId.", nameof(chunk));
        }
        if (string.IsNullOrWhiteSpace(chunk.TenantId))
        {
            throw new ArgumentException($"Chunk {chunk.ChunkId} has an empty TenantId; use Tenants.Global for chunks every tenant sees.", nameof(chunk));
        }
        if (IsPadded(chunk.TenantId))
        {
            throw new ArgumentException($"Chunk {chunk.ChunkId} has the TenantId '{chunk.TenantId}' with surrounding whitespace.", nameof(chunk));
        }
        if (chunk.Status is not (ChunkStatus.Active or ChunkStatus.Disabled))
        {
            throw new ArgumentException($"Chunk {chunk.ChunkId} has status '{chunk.Status}'; expected '{ChunkStatus.Active}' or '{ChunkStatus.Disabled}'.", nameof(chunk));
        }
        if (chunk.Text is null || chunk.Title is null || chunk.Tags is null)
        {
            throw new ArgumentException($"Chunk {chunk.ChunkId} is missing its text, title or tags.", nameof(chunk));
        }
        foreach (var tag in chunk.Tags)
        {
            // A comma separates TAG values in RediSearch, so a tag holding one would silently split in two.
            // RediSearch also trims TAG values when indexing, so " hr" would match a filter "hr" there and not here.
            if (string.IsNullOrWhiteSpace(tag) || tag.Contains(',', StringComparison.Ordinal) || IsPadded(tag))
            {
                throw new ArgumentException(
                    $"Chunk {chunk.ChunkId} has the tag '{tag}'; tags must be non-empty, contain no comma and not start or end with whitespace.", nameof(chunk));
            }
        }
        if (chunk.Embedding is { } embedding && embedding.Length != dimensions)
        {
            throw new ArgumentException(
                $"Chunk {chunk.ChunkId} has a {embedding.Length}-dimensional embedding; this index holds {dimensions}-dimensional vectors.", nameof(chunk));
        }
    }

    private static bool IsPadded(string value) => char.IsWhiteSpace(value[0]) || char.IsWhiteSpace(value[^1]);
}
