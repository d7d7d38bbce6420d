namespace Compliance.Knowledge.Chunking;

/// <summary>
/// A passage cut from a document: about CHUNK_SIZE tokens, breaking at a heading, then a paragraph, then a
/// sentence, then a word. <see cref="SectionPath"/> reads like "5 Trading › 5.2 Blackout periods".
/// </summary>
public sealed record TextChunk(
    int Ordinal,
    string Text,
    string? SectionPath,
    int? PageStart,
    int? PageEnd,
    int CharStart,
    int CharEnd,
    int TokenCount);
