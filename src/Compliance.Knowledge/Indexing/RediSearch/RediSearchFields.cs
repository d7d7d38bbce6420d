using System.Globalization;
using System.Runtime.InteropServices;
using NRedisStack.Search;
using StackExchange.Redis;

namespace Compliance.Knowledge.Indexing.RediSearch;

/// <summary>How a chunk is laid out as a Redis hash, and back.</summary>
public static class RediSearchFields
{
    public const string ChunkId = "chunk_id";
    public const string Document = "document";
    public const string Version = "version";
    public const string Tenant = "tenant";
    public const string Status = "status";
    public const string Tags = "tags";
    public const string Title = "title";
    public const string Text = "text";
    public const string Section = "section";
    public const string PageStart = "page_start";
    public const string PageEnd = "page_end";
    public const string Ordinal = "ordinal";
    public const string CharStart = "char_start";
    public const string CharEnd = "char_end";
    public const string Effective = "effective";
    public const string Vector = "vec";

    /// <summary>The title's search form (<see cref="RediSearchSearchForm"/>): indexed, never returned.</summary>
    public const string TitleTerms = "title_terms";

    /// <summary>The text's search form: indexed, never returned. <see cref="Text"/> keeps the original, unindexed.</summary>
    public const string TextTerms = "text_terms";

    /// <summary>Name given to the KNN distance in queries.</summary>
    public const string Distance = "dist";

    /// <summary>
    /// The text's length in UTF-16 chars, stored unindexed beside it, so a candidate search can tell the BM25
    /// re-ranking's token cache which version of a chunk it holds without sending the text (hashes written before it
    /// existed have none; their text is then fetched for the re-ranking).
    /// </summary>
    public const string TextLength = "text_length";

    /// <summary>
    /// The chunk's FTS5 porter terms with their title and text counts, computed once at write time and stored
    /// unindexed, so the BM25 re-ranking of a new question reads them instead of tokenising every unseen passage
    /// (~15 ms of client CPU per new question at 100k chunks). Hashes written before it existed are tokenised from their text.
    /// </summary>
    public const string Bm25Terms = "bm25_terms";

    /// <summary>Every stored field except the vector: what searches ask to get back.</summary>
    public static IReadOnlyList<string> Returned { get; } =
        [ChunkId, Document, Version, Tenant, Status, Tags, Title, Text, Section, PageStart, PageEnd, Ordinal, CharStart, CharEnd, Effective];

    /// <summary>What a text candidate search asks back: the id and document for fusion, the title and text length that key the re-ranking's token cache.</summary>
    public static IReadOnlyList<string> TextCandidate { get; } = [ChunkId, Document, Title, TextLength];

    /// <summary>What a KNN candidate search asks back: the id and document for fusion, and the distance.</summary>
    public static IReadOnlyList<string> VectorCandidate { get; } = [ChunkId, Document, Distance];

    public static string DocumentTag(Guid documentId) => documentId.ToString("N");

    /// <summary>Little-endian float32 bytes, the layout <c>VECTOR ... TYPE FLOAT32</c> expects.</summary>
    public static byte[] VectorBytes(ReadOnlySpan<float> vector)
    {
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("RediSearch vectors are little-endian float32; this machine is big-endian.");
        }
        return MemoryMarshal.AsBytes(vector).ToArray();
    }

    public static HashEntry[] ToHash(ChunkRecord chunk) => ToHash(chunk, null);

    /// <summary>The hash of a chunk, with its stored BM25 terms when given (<see cref="Bm25Terms"/>).</summary>
    public static HashEntry[] ToHash(ChunkRecord chunk, string? bm25Terms)
    {
        ArgumentNullException.ThrowIfNull(chunk);
        var entries = new List<HashEntry>
        {
            new(ChunkId, chunk.ChunkId),
            new(Document, DocumentTag(chunk.DocumentId)),
            new(Version, chunk.DocumentVersion),
            new(Tenant, chunk.TenantId),
            new(Status, chunk.Status),
            new(Tags, string.Join(",", chunk.Tags)),
            new(Title, chunk.Title),
            new(Text, chunk.Text),
            new(TitleTerms, RediSearchSearchForm.Of(chunk.Title)),
            new(TextTerms, RediSearchSearchForm.Of(chunk.Text)),
            new(TextLength, chunk.Text.Length),
            new(Ordinal, chunk.Ordinal),
            new(CharStart, chunk.CharStart),
            new(CharEnd, chunk.CharEnd),
        };
        if (chunk.SectionPath is not null)
        {
            entries.Add(new(Section, chunk.SectionPath));
        }
        if (chunk.PageStart is { } start)
        {
            entries.Add(new(PageStart, start));
        }
        if (chunk.PageEnd is { } end)
        {
            entries.Add(new(PageEnd, end));
        }
        if (chunk.EffectiveDate is { } date)
        {
            // yyyymmdd as a number, so a NUMERIC range can ask "effective before".
            entries.Add(new(Effective, (date.Year * 10000) + (date.Month * 100) + date.Day));
        }
        if (chunk.Embedding is { } embedding)
        {
            entries.Add(new(Vector, VectorBytes(embedding)));
        }
        if (bm25Terms is not null)
        {
            entries.Add(new(Bm25Terms, bm25Terms));
        }
        return [.. entries];
    }

    /// <summary>Rebuilds a chunk (without its embedding) from a document an FT.SEARCH returned.</summary>
    public static ChunkRecord FromDocument(Document document)
    {
        ArgumentNullException.ThrowIfNull(document);
        return FromFields(document.GetProperties().ToDictionary(p => p.Key, p => (string?)p.Value, StringComparer.Ordinal));
    }

    /// <summary>Rebuilds a chunk (without its embedding) from the fields a search returned.</summary>
    public static ChunkRecord FromFields(IReadOnlyDictionary<string, string?> fields)
    {
        ArgumentNullException.ThrowIfNull(fields);
        string Required(string name) => fields.TryGetValue(name, out var value) && value is not null
            ? value
            : throw new FormatException($"A RediSearch result has no '{name}' field; the hash was not written by this index.");
        int? Optional(string name) => fields.TryGetValue(name, out var value) && !string.IsNullOrEmpty(value)
            ? int.Parse(value, CultureInfo.InvariantCulture)
            : null;
        int Number(string name) => int.Parse(Required(name), CultureInfo.InvariantCulture);

        var tags = fields.GetValueOrDefault(Tags);
        DateOnly? effective = Optional(Effective) is { } yyyymmdd ? new DateOnly(yyyymmdd / 10000, yyyymmdd / 100 % 100, yyyymmdd % 100) : null;
        return new ChunkRecord(
            ChunkId: Required(ChunkId),
            DocumentId: Guid.ParseExact(Required(Document), "N"),
            DocumentVersion: Number(Version),
            TenantId: Required(Tenant),
            Title: fields.GetValueOrDefault(Title) ?? "",
            SectionPath: fields.GetValueOrDefault(Section) is { Length: > 0 } section ? section : null,
            PageStart: Optional(PageStart),
            PageEnd: Optional(PageEnd),
            Ordinal: Number(Ordinal),
            CharStart: Number(CharStart),
            CharEnd: Number(CharEnd),
            Text: fields.GetValueOrDefault(Text) ?? "",
            Tags: string.IsNullOrEmpty(tags) ? [] : tags.Split(','),
            EffectiveDate: effective,
            Status: Required(Status),
            Embedding: null);
    }
}
