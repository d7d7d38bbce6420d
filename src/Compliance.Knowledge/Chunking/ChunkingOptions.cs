namespace Compliance.Knowledge.Chunking;

/// <summary>Sizes for <see cref="DocumentChunker"/>, in tokens of the embedding model's tokenizer. Checked by <see cref="Validate"/>.</summary>
public sealed class ChunkingOptions
{
    /// <summary>
    /// Largest chunk in tokens as the embedder sees it, [CLS] and [SEP] included (env <c>CHUNK_SIZE</c>, default 512),
    /// so a chunk's own <see cref="TextChunk.TokenCount"/> is at most <c>ChunkSize - 2</c> and it embeds untruncated.
    /// </summary>
    public int ChunkSize { get; set; } = 512;

    /// <summary>Tokens that neighbouring chunks of one section share (env <c>CHUNK_OVERLAP</c>, default 50).</summary>
    public int ChunkOverlap { get; set; } = 50;

    /// <summary>The embedding model's maximum sequence length (512 for gte-small); <see cref="ChunkSize"/> may not exceed it.</summary>
    public int ModelMaxTokens { get; set; } = 512;

    /// <summary>
    /// A section whose body (below its heading) has fewer tokens than this is merged into the section that follows
    /// when that one is its subsection (default 48). See <see cref="DocumentChunker"/> for why only then.
    /// </summary>
    public int MergeSectionsBelowTokens { get; set; } = 48;

    /// <summary>Tokens a chunk's text may hold: <see cref="ChunkSize"/> less [CLS] and [SEP].</summary>
    public int MaxTextTokens => ChunkSize - 2;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first setting that is out of range.</summary>
    public void Validate()
    {
        if (ModelMaxTokens < 16)
        {
            throw new ArgumentOutOfRangeException(nameof(ModelMaxTokens), ModelMaxTokens, "ModelMaxTokens must be at least 16.");
        }

        if (ChunkSize < 16 || ChunkSize > ModelMaxTokens)
        {
            throw new ArgumentOutOfRangeException(nameof(ChunkSize), ChunkSize, $"ChunkSize must be between 16 and the model's maximum of {ModelMaxTokens} tokens.");
        }

        if (ChunkOverlap < 0 || ChunkOverlap > MaxTextTokens / 2)
        {
            throw new ArgumentOutOfRangeException(nameof(ChunkOverlap), ChunkOverlap, $"ChunkOverlap must be between 0 and half a chunk ({MaxTextTokens / 2} tokens).");
        }

        if (MergeSectionsBelowTokens < 0 || MergeSectionsBelowTokens >= MaxTextTokens)
        {
            throw new ArgumentOutOfRangeException(nameof(MergeSectionsBelowTokens), MergeSectionsBelowTokens, "MergeSectionsBelowTokens must be between 0 and the chunk size.");
        }
    }
}
