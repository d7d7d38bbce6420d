using System.Collections.Concurrent;
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
        var tokenized = Tokenize(found);
        var scored = new (RankedChunk Found, double Score)[found.Count];
        for (var row = 0; row < found.Count; row++)
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
            scored[row] = (found[row], score);
        }
        // Stable: equal scores keep RediSearch's order.
        return scored
            .Select((entry, i) => (entry.Found, entry.Score, Order: i))
            .OrderByDescending(entry => entry.Score).ThenBy(entry => entry.Order)
            .Select((entry, i) => entry.Found with { Rank = i + 1, Score = entry.Score })
            .ToList();
    }

    private TokenizedRow[] Tokenize(IReadOnlyList<RankedChunk> found)
    {
        var rows = new TokenizedRow[found.Count];
        var missing = new List<int>();
        for (var i = 0; i < found.Count; i++)
        {
            var chunk = found[i].Chunk;
            if (_tokenizedChunks.TryGetValue((chunk.ChunkId, chunk.Title), out var cached) && cached.TextLength == chunk.Text.Length)
            {
                rows[i] = cached.Row;
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
        var fresh = _tokenizer.TokenizeRows([.. missing.Select(i => (found[i].Chunk.Title, found[i].Chunk.Text))]);
        Interlocked.Add(ref _chunksTokenized, missing.Count);
        if (_tokenizedChunks.Count + missing.Count > CachedChunksCap)
        {
            _tokenizedChunks.Clear();
        }
        for (var j = 0; j < missing.Count; j++)
        {
            var chunk = found[missing[j]].Chunk;
            rows[missing[j]] = fresh[j];
            _tokenizedChunks[(chunk.ChunkId, chunk.Title)] = (chunk.Text.Length, fresh[j]);
        }
        return rows;
    }

    public void Dispose() => _tokenizer.Dispose();
}
