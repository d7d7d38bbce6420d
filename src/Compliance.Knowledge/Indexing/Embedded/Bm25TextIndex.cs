using System.Buffers;

namespace Compliance.Knowledge.Indexing.Embedded;

/// <summary>
/// An in-memory inverted index over the same terms as the FTS5 table, scoring with FTS5's own <c>bm25()</c>
/// arithmetic (k1 = 1.2, b = 0.75, IDF floored at 1e-6, column weights on the term frequency, length over both
/// columns, statistics over every row of the table) in the same order of operations, so it returns the ranking
/// and the scores <c>bm25()</c> would. Why it exists: FTS5 evaluates <c>bm25()</c> through its extension API for
/// every matching row (~4 µs each), and a long OR-question matches a third of the corpus; summing postings into a
/// score array costs a few nanoseconds per posting.
/// Searches hold a read lock, changes a write lock, like <see cref="VectorMatrix"/>.
/// </summary>
internal sealed class Bm25TextIndex : IDisposable
{
    private const double K1 = 1.2;
    private const double B = 0.75;

    private readonly ReaderWriterLockSlim _lock = new(LockRecursionPolicy.NoRecursion);
    private readonly Dictionary<string, int> _termIds = new(StringComparer.Ordinal);
    private readonly TenantCodes _tenants = new();
    private readonly Dictionary<long, int> _slotByRowId = [];
    private readonly double _titleWeight;
    private readonly double[] _titleWeightSums = new double[64];
    private Postings[] _postings = new Postings[1024];
    private SlotInfo[] _slots = new SlotInfo[1024];
    // Each slot's length in tokens, -1 once dead: the scoring loop reads only this dense array, not SlotInfo.
    private int[] _lengths = new int[1024];
    private int _slotCount;
    private int _liveRows;
    private long _liveTokens;
    private long _livePostings;
    private long _deadPostings;

    public Bm25TextIndex(double titleWeight)
    {
        _titleWeight = titleWeight;
        // FTS5 adds a column's weight once per instance; the table keeps those sums so scores match to the bit.
        for (var n = 1; n < _titleWeightSums.Length; n++)
        {
            _titleWeightSums[n] = _titleWeightSums[n - 1] + titleWeight;
        }
    }

    /// <summary>Approximate bytes held by postings and row metadata (for benchmarks).</summary>
    public long AllocatedBytes
    {
        get
        {
            _lock.EnterReadLock();
            try
            {
                long bytes = (long)_slots.Length * (56 + 4) + (long)_postings.Length * 24;
                for (var i = 0; i < _termIds.Count; i++)
                {
                    bytes += (long)(_postings[i].Slots?.Length ?? 0) * 8 + 64;
                }
                for (var i = 0; i < _slotCount; i++)
                {
                    bytes += (long)(_slots[i].TermIds?.Length ?? 0) * 4;
                }
                return bytes;
            }
            finally { _lock.ExitReadLock(); }
        }
    }

    /// <summary>Adds rows (a row id already present is replaced).</summary>
    public void Upsert(IReadOnlyList<TextRow> rows)
    {
        _lock.EnterWriteLock();
        try
        {
            foreach (var row in rows)
            {
                RemoveRow(row.RowId);
                AddRow(row);
            }
            CompactIfWasteful();
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    public void Remove(IEnumerable<long> rowIds)
    {
        _lock.EnterWriteLock();
        try
        {
            foreach (var rowId in rowIds)
            {
                RemoveRow(rowId);
            }
            CompactIfWasteful();
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    /// <summary>
    /// The best rows for an OR of the given terms (one entry per query phrase, duplicates kept as FTS5 keeps them),
    /// among rows the filter admits: highest score first, ties to the smaller row id, as
    /// <c>ORDER BY bm25(...), rowid</c> orders them.
    /// </summary>
    public IReadOnlyList<TextHit> Search(IReadOnlyList<string> terms, SearchFilter filter, int limit)
    {
        if (limit <= 0 || terms.Count == 0)
        {
            return [];
        }
        var best = new PriorityQueue<TextHit, (double Score, long NegatedRowId)>(limit + 1);
        double[]? scores = null;

        _lock.EnterReadLock();
        try
        {
            if (_liveRows == 0)
            {
                return [];
            }
            var rowFilter = new RowFilter(filter, _tenants);
            bool Admits(int slot)
            {
                ref readonly var row = ref _slots[slot];
                return rowFilter.Admits(row.TenantCode, row.Active, row.DocumentId, row.Tags);
            }

            scores = ArrayPool<double>.Shared.Rent(_slotCount);
            Array.Clear(scores, 0, _slotCount);
            var averageLength = (double)_liveTokens / (double)_liveRows;
            // Terms in over half the rows get FTS5's floor IDF of 1e-6: their postings are the longest and their
            // scores negligible, so they are added last, and only where they can still change the result.
            var floored = new List<int>();
            foreach (var term in terms)
            {
                if (!_termIds.TryGetValue(term, out var termId) || _postings[termId].LiveCount == 0)
                {
                    continue;
                }
                if (Idf(_postings[termId].LiveCount) == FloorIdf)
                {
                    floored.Add(termId);
                    continue;
                }
                AddTermScores(in _postings[termId], averageLength, scores);
            }
            if (floored.Count > 0)
            {
                AddFlooredTermScores(floored, averageLength, scores, limit, Admits);
            }

            for (var slot = 0; slot < _slotCount; slot++)
            {
                var score = scores[slot];
                if (score == 0)
                {
                    continue;
                }
                var priority = (score, -_slots[slot].RowId);
                // Cheap comparison first: most matches never beat the current fiftieth.
                if (best.Count == limit && (!best.TryPeek(out _, out var worst) || Comparer<(double, long)>.Default.Compare(priority, worst) <= 0))
                {
                    continue;
                }
                if (!Admits(slot))
                {
                    continue;
                }
                if (best.Count < limit)
                {
                    best.Enqueue(new TextHit(_slots[slot].RowId, score), priority);
                }
                else
                {
                    best.EnqueueDequeue(new TextHit(_slots[slot].RowId, score), priority);
                }
            }
        }
        finally
        {
            _lock.ExitReadLock();
            if (scores is not null)
            {
                ArrayPool<double>.Shared.Return(scores);
            }
        }

        var hits = new TextHit[best.Count];
        for (var i = hits.Length - 1; i >= 0; i--)
        {
            hits[i] = best.Dequeue();
        }
        return hits;
    }

    public void Dispose() => _lock.Dispose();

    private const double FloorIdf = 1e-6;

    /// <summary>FTS5: idf = log((N - nHit + 0.5) / (nHit + 0.5)), floored at 1e-6 for terms in over half the rows.</summary>
    private double Idf(int rowsWithTerm)
    {
        var idf = Math.Log((_liveRows - rowsWithTerm + 0.5) / (rowsWithTerm + 0.5));
        return idf <= 0.0 ? FloorIdf : idf;
    }

    /// <summary>
    /// Each floored term adds less than 1e-6 × (k1 + 1) to a row. When at least <paramref name="limit"/> admitted
    /// rows already score more than all floored terms together could add, a row matched only by floored terms
    /// cannot make the results, and a matched row whose score plus that bound stays below the current last
    /// result cannot either: only the remaining rows get the floored terms, found by binary search in their
    /// postings instead of by walking postings that cover most of the table. Otherwise every posting is added.
    /// </summary>
    private void AddFlooredTermScores(List<int> floored, double averageLength, double[] scores, int limit, Func<int, bool> admits)
    {
        var bound = floored.Count * FloorIdf * (K1 + 1.0) * 1.01;
        var partial = new PriorityQueue<int, double>(limit + 1);
        for (var slot = 0; slot < _slotCount; slot++)
        {
            var score = scores[slot];
            if (score == 0 || (partial.Count == limit && partial.TryPeek(out _, out var lowest) && score <= lowest) || !admits(slot))
            {
                continue;
            }
            if (partial.Count < limit)
            {
                partial.Enqueue(slot, score);
            }
            else
            {
                partial.EnqueueDequeue(slot, score);
            }
        }
        if (partial.Count < limit || !partial.TryPeek(out _, out var threshold) || threshold <= bound)
        {
            foreach (var termId in floored)
            {
                AddTermScores(in _postings[termId], averageLength, scores);
            }
            return;
        }
        for (var slot = 0; slot < _slotCount; slot++)
        {
            var score = scores[slot];
            if (score == 0)
            {
                continue;
            }
            if (score + bound < threshold)
            {
                // Out of reach; zero it so the final selection skips it without a filter check.
                scores[slot] = 0;
                continue;
            }
            foreach (var termId in floored)
            {
                ref readonly var postings = ref _postings[termId];
                var at = Array.BinarySearch(postings.Slots!, 0, postings.Count, slot);
                if (at >= 0)
                {
                    scores[slot] += TermScore(FloorIdf, postings.Counts![at], _lengths[slot], averageLength);
                }
            }
        }
    }

    private void AddTermScores(in Postings postings, double averageLength, double[] scores)
    {
        var idf = Idf(postings.LiveCount);
        var slots = postings.Slots!;
        var counts = postings.Counts!;
        var lengths = _lengths;
        for (var i = 0; i < postings.Count; i++)
        {
            var slot = slots[i];
            var tokens = lengths[slot];
            if (tokens < 0)
            {
                continue;
            }
            scores[slot] += TermScore(idf, counts[i], tokens, averageLength);
        }
    }

    /// <summary>One phrase's term of FTS5's sum, in FTS5's order of operations.</summary>
    private double TermScore(double idf, uint packedCounts, int tokens, double averageLength)
    {
        var frequency = WeightedFrequency(packedCounts);
        var length = (double)tokens;
        return idf * ((frequency * (K1 + 1.0)) / (frequency + K1 * (1 - B + B * length / averageLength)));
    }

    /// <summary>Title instances add the title weight, text instances 1.0, one at a time, as FTS5's loop does.</summary>
    private double WeightedFrequency(uint packed)
    {
        var inTitle = (int)(packed >> 16);
        var inText = (int)(packed & 0xFFFF);
        double frequency;
        if (inTitle < _titleWeightSums.Length)
        {
            frequency = _titleWeightSums[inTitle];
        }
        else
        {
            frequency = 0;
            for (var n = 0; n < inTitle; n++)
            {
                frequency += _titleWeight;
            }
        }
        for (var n = 0; n < inText; n++)
        {
            frequency += 1.0;
        }
        return frequency;
    }

    private void AddRow(TextRow row)
    {
        if (_slotCount == _slots.Length)
        {
            Array.Resize(ref _slots, _slots.Length * 2);
            Array.Resize(ref _lengths, _slots.Length);
        }
        var slot = _slotCount++;
        var termIds = new int[row.Terms.Terms.Count];
        var i = 0;
        foreach (var (term, (inTitle, inText)) in row.Terms.Terms)
        {
            if (!_termIds.TryGetValue(term, out var termId))
            {
                termId = _termIds.Count;
                _termIds[term] = termId;
                if (termId == _postings.Length)
                {
                    Array.Resize(ref _postings, _postings.Length * 2);
                }
            }
            // Counts beyond 65,535 in one chunk cannot happen with chunk sizes in the hundreds of tokens.
            var packed = ((uint)Math.Min(inTitle, ushort.MaxValue) << 16) | (uint)Math.Min(inText, ushort.MaxValue);
            _postings[termId].Append(slot, packed);
            termIds[i++] = termId;
        }
        _slots[slot] = new SlotInfo(row.RowId, _tenants.CodeOf(row.TenantId), row.Active, row.DocumentId, row.Tags, row.Terms.TokenCount, termIds, Live: true);
        _lengths[slot] = row.Terms.TokenCount;
        _slotByRowId[row.RowId] = slot;
        _liveRows++;
        _liveTokens += row.Terms.TokenCount;
        _livePostings += termIds.Length;
    }

    /// <summary>Marks the row dead: its postings stay (skipped) until compaction, its statistics go at once.</summary>
    private void RemoveRow(long rowId)
    {
        if (!_slotByRowId.Remove(rowId, out var slot))
        {
            return;
        }
        ref var row = ref _slots[slot];
        foreach (var termId in row.TermIds)
        {
            _postings[termId].LiveCount--;
        }
        _liveRows--;
        _liveTokens -= row.TokenCount;
        _livePostings -= row.TermIds.Length;
        _deadPostings += row.TermIds.Length;
        row = row with { Live = false, TermIds = [], Tags = [] };
        _lengths[slot] = -1;
    }

    /// <summary>Rebuilds postings without dead rows once they are a quarter of all postings (amortised O(1) per change).</summary>
    private void CompactIfWasteful()
    {
        if (_deadPostings < 4096 || _deadPostings * 3 < _livePostings)
        {
            return;
        }
        var newSlotOf = new int[_slotCount];
        var next = 0;
        for (var slot = 0; slot < _slotCount; slot++)
        {
            if (_slots[slot].Live)
            {
                newSlotOf[slot] = next;
                _slots[next] = _slots[slot];
                _lengths[next] = _lengths[slot];
                _slotByRowId[_slots[next].RowId] = next;
                next++;
            }
            else
            {
                newSlotOf[slot] = -1;
            }
        }
        Array.Clear(_slots, next, _slotCount - next);
        Array.Fill(_lengths, -1, next, _slotCount - next);
        _slotCount = next;
        for (var termId = 0; termId < _termIds.Count; termId++)
        {
            _postings[termId].Compact(newSlotOf);
        }
        _deadPostings = 0;
    }

    /// <summary>One term's rows (slot numbers, ascending) with packed (title count, text count) per row.</summary>
    private struct Postings
    {
        public int[]? Slots;
        public uint[]? Counts;
        public int Count;
        public int LiveCount;

        public void Append(int slot, uint packedCounts)
        {
            if (Slots is null || Count == Slots.Length)
            {
                var capacity = Slots is null ? 4 : Slots.Length * 2;
                Array.Resize(ref Slots, capacity);
                Array.Resize(ref Counts, capacity);
            }
            Slots[Count] = slot;
            Counts![Count] = packedCounts;
            Count++;
            LiveCount++;
        }

        public void Compact(int[] newSlotOf)
        {
            var kept = 0;
            for (var i = 0; i < Count; i++)
            {
                var moved = newSlotOf[Slots![i]];
                if (moved >= 0)
                {
                    Slots[kept] = moved;
                    Counts![kept] = Counts[i];
                    kept++;
                }
            }
            Count = kept;
            if (Slots is not null && kept < Slots.Length / 4)
            {
                Array.Resize(ref Slots, Math.Max(kept, 4));
                Array.Resize(ref Counts, Math.Max(kept, 4));
            }
        }
    }

    private readonly record struct SlotInfo(
        long RowId, int TenantCode, bool Active, Guid DocumentId, IReadOnlyList<string> Tags, int TokenCount, int[] TermIds, bool Live);
}

/// <summary>One chunk's text terms with the fields the text filter needs.</summary>
internal readonly record struct TextRow(long RowId, string TenantId, bool Active, Guid DocumentId, IReadOnlyList<string> Tags, TokenizedRow Terms);

/// <summary>A row id with its BM25 score (higher is better; FTS5's <c>bm25()</c> negated).</summary>
internal readonly record struct TextHit(long RowId, double Score);
