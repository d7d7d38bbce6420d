using System.Collections.Concurrent;
using System.Text;
using Compliance.Knowledge.Indexing;

namespace Compliance.Knowledge.Search;

/// <summary>
/// BM25 computed over a handful of candidate passages alone (LeSeR's lexical re-ranking): document frequencies,
/// IDF and the average length come from the candidates, not from the index. Every candidate gets a real lexical
/// score this way, including one the vector list found and the index's BM25 list did not reach (which weighted fusion
/// otherwise scores at the BM25 list's floor). Terms are the question's <see cref="QueryTerms"/> reduced by a light
/// English suffix stemmer, applied identically to passages, so it does not depend on either backend's tokenizer.
/// </summary>
public static class CandidateBm25
{
    /// <summary>BM25's term-frequency saturation and length normalisation (the usual values, as FTS5 uses).</summary>
    public const double K1 = 1.2;

    /// <summary>BM25's length normalisation.</summary>
    public const double B = 0.75;

    // Chunks are immutable under their id (a new version gets new ids), so their term counts can be kept. Past this
    // many chunks the cache starts again rather than grow.
    private const int MaxCachedChunks = 50_000;

    private static readonly ConcurrentDictionary<string, ChunkTerms> Cache = new(StringComparer.Ordinal);

    /// <summary>The BM25 score of each candidate for <paramref name="query"/>, in the candidates' order; all 0 when the query has no terms.</summary>
    public static double[] Score(string query, IReadOnlyList<ChunkRecord> candidates)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        var scores = new double[candidates.Count];
        var terms = QueryTerms.Extract(query).Select(Stem).Distinct(StringComparer.Ordinal).ToList();
        if (terms.Count == 0 || candidates.Count == 0)
        {
            return scores;
        }
        var documents = candidates.Select(TermsOf).ToList();
        var averageLength = Math.Max(documents.Average(d => d.Length), 1);
        foreach (var term in terms)
        {
            var containing = documents.Count(d => d.Counts.ContainsKey(term));
            if (containing == 0)
            {
                continue;
            }
            // Lucene's BM25 IDF: never negative, so a term in most candidates still counts a little.
            var idf = Math.Log(1 + ((documents.Count - containing + 0.5) / (containing + 0.5)));
            for (var i = 0; i < documents.Count; i++)
            {
                if (documents[i].Counts.TryGetValue(term, out var tf))
                {
                    var norm = K1 * (1 - B + (B * documents[i].Length / averageLength));
                    scores[i] += idf * tf * (K1 + 1) / (tf + norm);
                }
            }
        }
        return scores;
    }

    /// <summary>
    /// A light English stemmer (plural and common verb endings), enough to match "gifts" with "gift" and "trading"
    /// with "trade" on both sides. It only has to be consistent, not linguistically right.
    /// </summary>
    public static string Stem(string word)
    {
        ArgumentNullException.ThrowIfNull(word);
        if (word.Length <= 3)
        {
            return word;
        }
        if (word.EndsWith("ies", StringComparison.Ordinal) && word.Length > 4)
        {
            return word[..^3] + "y";
        }
        if (word.EndsWith("sses", StringComparison.Ordinal))
        {
            return word[..^2];
        }
        if (word.EndsWith('s') && !word.EndsWith("ss", StringComparison.Ordinal) && !word.EndsWith("us", StringComparison.Ordinal) && !word.EndsWith("is", StringComparison.Ordinal))
        {
            word = word[..^1];
        }
        if (word.EndsWith("ing", StringComparison.Ordinal) && word.Length >= 6)
        {
            return TrimE(word[..^3]);
        }
        if (word.EndsWith("ed", StringComparison.Ordinal) && word.Length >= 5)
        {
            return TrimE(word[..^2]);
        }
        return TrimE(word);

        // "trade", "trading" and "traded" all end as "trad".
        static string TrimE(string stem) => stem.Length > 3 && stem.EndsWith('e') ? stem[..^1] : stem;
    }

    private static ChunkTerms TermsOf(ChunkRecord chunk)
    {
        if (Cache.TryGetValue(chunk.ChunkId, out var cached))
        {
            return cached;
        }
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        var length = 0;
        foreach (var text in new[] { chunk.Title, chunk.Text })
        {
            foreach (var word in Words(text))
            {
                length++;
                var stem = Stem(word);
                counts[stem] = counts.GetValueOrDefault(stem) + 1;
            }
        }
        var terms = new ChunkTerms(counts, length);
        if (Cache.Count >= MaxCachedChunks)
        {
            Cache.Clear();
        }
        Cache[chunk.ChunkId] = terms;
        return terms;
    }

    /// <summary>Every lower-cased run of letters and digits, stop words included (they count towards the length).</summary>
    private static IEnumerable<string> Words(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            yield break;
        }
        var current = new StringBuilder();
        foreach (var rune in text.EnumerateRunes())
        {
            if (Rune.IsLetterOrDigit(rune))
            {
                current.Append(Rune.ToLowerInvariant(rune).ToString());
                continue;
            }
            if (current.Length > 0)
            {
                yield return current.ToString();
                current.Clear();
            }
        }
        if (current.Length > 0)
        {
            yield return current.ToString();
        }
    }

    private sealed record ChunkTerms(Dictionary<string, int> Counts, int Length);
}
