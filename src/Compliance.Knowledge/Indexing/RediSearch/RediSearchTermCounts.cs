using System.Collections.Concurrent;

namespace Compliance.Knowledge.Indexing.RediSearch;

/// <summary>
/// How many chunks each query term matches, and how many chunks the index holds, remembered for a few minutes:
/// the text search leaves out of its OR the terms that match over half the index (<see cref="QueryTerms.IsCommon"/>),
/// whose posting lists are the longest to walk and whose weight in BM25 is the smallest. RediSearch keeps no
/// per-term count a client can read, so each is asked once (a <c>LIMIT 0 0</c> search of the term) and reused.
/// A count that is minutes old changes which terms are searched only around the half-way mark, never the filter.
/// </summary>
internal sealed class RediSearchTermCounts(TimeProvider time)
{
    /// <summary>How long a count is reused. Counts move slowly: a corpus grows by documents, not by the minute.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(5);

    // Bounds memory against a stream of distinct words: past this many, the counts start again.
    private const int Capacity = 100_000;

    private readonly ConcurrentDictionary<string, (long Count, DateTimeOffset Taken)> _terms = new(StringComparer.Ordinal);
    private (long Count, double AverageLength, DateTimeOffset Taken)? _rows;

    public long? Rows => _rows is { } rows && Fresh(rows.Taken) ? rows.Count : null;

    /// <summary>The average chunk length in tokens estimated with <see cref="Rows"/> (0 when the module did not say).</summary>
    public double AverageLength => _rows?.AverageLength ?? 0;

    public void SetRows(long rows, double averageLength) => _rows = (rows, averageLength, time.GetUtcNow());

    public bool TryGet(string term, out long count)
    {
        if (_terms.TryGetValue(term, out var entry) && Fresh(entry.Taken))
        {
            count = entry.Count;
            return true;
        }
        count = 0;
        return false;
    }

    public void Set(string term, long count)
    {
        if (_terms.Count >= Capacity)
        {
            _terms.Clear();
        }
        _terms[term] = (count, time.GetUtcNow());
    }

    /// <summary>Forgets every count (after writes in tests, or when the index is dropped).</summary>
    public void Clear()
    {
        _terms.Clear();
        _rows = null;
    }

    private bool Fresh(DateTimeOffset taken) => time.GetUtcNow() - taken < Lifetime;
}
