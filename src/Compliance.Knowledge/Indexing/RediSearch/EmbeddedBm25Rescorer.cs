using System.Collections.Concurrent;
using System.Globalization;
using Compliance.Knowledge.Indexing.Embedded;

namespace Compliance.Knowledge.Indexing.RediSearch;

/// <summary>
/// Re-ranks the chunks a RediSearch text query returned with the embedded index's BM25 (FTS5's <c>bm25()</c>
/// arithmetic: k1 1.2, b 0.75, IDF log((N - n + 0.5) / (n + 0.5)) floored at 1e-6, title occurrences weighted,
/// length over title and text), over the terms FTS5's own porter tokenizer makes of the question and of each chunk.
/// RediSearch's <c>BM25STD</c> differs in IDF (log(1 + ...)), length normalisation (b 0.5, its own token count) and
/// stemmer (Snowball), and ranked ObliQA below the embedded index (recall@10 0.717 against 0.775); the chunks come
/// back with their title and text anyway, so the client scores them as the embedded index would. Only the order of
/// what RediSearch found changes, never which chunks match.
/// </summary>
public sealed class EmbeddedBm25Rescorer : IDisposable
{
    private const double K1 = 1.2;
    private const double B = 0.75;
    private const double FloorIdf = 1e-6;

    // Tokenised chunks, by chunk id and title: a chunk id names one version of one document's passage, so its text
    // never changes (the length check guards the rest). Tokenising 100-200 returned chunks through FTS5 cost ~23 ms of
    // CPU per search under one lock, which doubled hybrid latency and capped throughput; questions keep finding the
    // same passages, so nearly every search now tokenises nothing. Bounded: emptied when it outgrows the cap.
    public const int CachedChunksCap = 50_000;
    private readonly ConcurrentDictionary<(string ChunkId, string Title), (int TextLength, TokenizedRow Row)> _tokenizedChunks = new();
    private readonly Fts5Tokenizer _tokenizer = new();

    /// <summary>Chunks tokenised since start (for tests: a repeated search must not tokenise again).</summary>
    public long ChunksTokenized => Interlocked.Read(ref _chunksTokenized);

    private long _chunksTokenized;

    /// <param name="searchTerms">The question's search-form terms.</param>
    /// <param name="counts">Chunks of the index each search term matches (RediSearch's count, used as the term's document frequency).</param>
    /// <param name="rows">Chunks in the index.</param>
    /// <param name="averageLength">Average chunk length in tokens (title and text).</param>
    /// <param name="titleWeight">Weight of a title occurrence against a text one.</param>
    /// <param name="found">RediSearch's ranking.</param>
    public IReadOnlyList<RankedChunk> Rescore(IReadOnlyList<string> searchTerms, IReadOnlyList<long> counts, long rows, double averageLength,
        double titleWeight, IReadOnlyList<RankedChunk> found)
    {
        if (found.Count == 0 || rows <= 0 || averageLength <= 0)
        {
            return found;
        }
        var scores = Scores(searchTerms, counts, rows, averageLength, titleWeight, Tokenize(found));
        // Stable: equal scores keep RediSearch's order.
        return [.. Order(scores).Select((row, i) => found[row] with { Rank = i + 1, Score = scores[row] })];
    }

    /// <summary>The BM25 score of each tokenised chunk, in their order (see <see cref="Rescore"/> for the arguments).</summary>
    internal double[] Scores(IReadOnlyList<string> searchTerms, IReadOnlyList<long> counts, long rows, double averageLength,
        double titleWeight, IReadOnlyList<TokenizedRow> tokenized)
    {
        // Each search term's FTS5 terms (its porter stem), with the term's count as their document frequency.
        var idf = new Dictionary<string, double>(StringComparer.Ordinal);
        for (var i = 0; i < searchTerms.Count; i++)
        {
            var n = (double)Math.Min(Math.Max(counts[i], 0), rows);
            var weight = Math.Max(Math.Log((rows - n + 0.5) / (n + 0.5)), FloorIdf);
            foreach (var term in _tokenizer.TokenizeWord(searchTerms[i]))
            {
                idf.TryAdd(term, weight);
            }
        }
        var scores = new double[tokenized.Count];
        for (var row = 0; row < tokenized.Count; row++)
        {
            var score = 0.0;
            var length = tokenized[row].TokenCount;
            foreach (var (term, termIdf) in idf)
            {
                if (tokenized[row].Terms.TryGetValue(term, out var inRow))
                {
                    var frequency = (inRow.Title * titleWeight) + inRow.Text;
                    score += termIdf * (frequency * (K1 + 1.0) / (frequency + (K1 * (1 - B + (B * length / averageLength)))));
                }
            }
            scores[row] = score;
        }
        return scores;
    }

    /// <summary>Row indexes by descending score; equal scores keep their order.</summary>
    internal static IEnumerable<int> Order(double[] scores) =>
        Enumerable.Range(0, scores.Length).OrderByDescending(i => scores[i]).ThenBy(i => i);

    /// <summary>The cached tokens of this version of a chunk (its id, title and text length), if it was tokenised before.</summary>
    internal bool TryGetTokens(string chunkId, string title, int textLength, out TokenizedRow row)
    {
        if (_tokenizedChunks.TryGetValue((chunkId, title), out var cached) && cached.TextLength == textLength)
        {
            row = cached.Row;
            return true;
        }
        row = null!;
        return false;
    }

    private TokenizedRow[] Tokenize(IReadOnlyList<RankedChunk> found)
    {
        var rows = new TokenizedRow[found.Count];
        var missing = new List<int>();
        for (var i = 0; i < found.Count; i++)
        {
            var chunk = found[i].Chunk;
            if (TryGetTokens(chunk.ChunkId, chunk.Title, chunk.Text.Length, out var cached))
            {
                rows[i] = cached;
            }
            else
            {
                missing.Add(i);
            }
        }
        if (missing.Count == 0)
        {
            return rows;
        }
        var fresh = Tokenize([.. missing.Select(i => (found[i].Chunk.ChunkId, found[i].Chunk.Title, found[i].Chunk.Text))]);
        for (var j = 0; j < missing.Count; j++)
        {
            rows[missing[j]] = fresh[j];
        }
        return rows;
    }

    /// <summary>Keeps tokens read from the index (<see cref="RediSearchFields.Bm25Terms"/>) as if tokenised here.</summary>
    internal void Remember(string chunkId, string title, int textLength, TokenizedRow row)
    {
        if (_tokenizedChunks.Count + 1 > CachedChunksCap)
        {
            _tokenizedChunks.Clear();
        }
        _tokenizedChunks[(chunkId, title)] = (textLength, row);
    }

    /// <summary>
    /// A chunk's terms as stored with it at write time (<see cref="RediSearchFields.Bm25Terms"/>): FTS5's porter terms
    /// of its title and text, each as <c>term titleCount textCount</c>, space-separated. unicode61 splits at every
    /// separator, so a term never holds a space.
    /// </summary>
    internal IReadOnlyList<string> StoredTerms(IReadOnlyList<ChunkRecord> chunks) =>
        [.. _tokenizer.TokenizeRows([.. chunks.Select(c => (c.Title, c.Text))])
            .Select(row => string.Join(' ', row.Terms.Select(t => string.Create(CultureInfo.InvariantCulture, $"{t.Key} {t.Value.Title} {t.Value.Text}"))))];

    /// <summary>Reads <see cref="StoredTerms"/> back; null when the value is not in that form.</summary>
    internal static TokenizedRow? ParseStoredTerms(string? stored)
    {
        if (stored is null)
        {
            return null;
        }
        var parts = stored.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length % 3 != 0)
        {
            return null;
        }
        var counts = new Dictionary<string, (int Title, int Text)>(parts.Length / 3, StringComparer.Ordinal);
        for (var i = 0; i < parts.Length; i += 3)
        {
            if (!int.TryParse(parts[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var title)
                || !int.TryParse(parts[i + 2], NumberStyles.None, CultureInfo.InvariantCulture, out var text))
            {
                return null;
            }
            counts[parts[i]] = (title, text);
        }
        return new TokenizedRow(counts);
    }

    /// <summary>Tokenises these chunks through FTS5 (one call) and keeps their tokens by id, title and text length.</summary>
    internal IReadOnlyList<TokenizedRow> Tokenize(IReadOnlyList<(string ChunkId, string Title, string Text)> chunks)
    {
        var fresh = _tokenizer.TokenizeRows([.. chunks.Select(c => (c.Title, c.Text))]);
        Interlocked.Add(ref _chunksTokenized, chunks.Count);
        if (_tokenizedChunks.Count + chunks.Count > CachedChunksCap)
        {
            _tokenizedChunks.Clear();
        }
        for (var j = 0; j < chunks.Count; j++)
        {
            _tokenizedChunks[(chunks[j].ChunkId, chunks[j].Title)] = (chunks[j].Text.Length, fresh[j]);
        }
        return fresh;
    }

    public void Dispose() => _tokenizer.Dispose();
}
