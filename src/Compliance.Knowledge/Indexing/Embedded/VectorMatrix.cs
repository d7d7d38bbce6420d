using System.Numerics.Tensors;

namespace Compliance.Knowledge.Indexing.Embedded;

/// <summary>
/// Every stored embedding in one contiguous float array, scanned exactly with <see cref="TensorPrimitives"/>.
/// Searches hold a read lock and upserts or deletes a write lock, so a search sees each row either wholly before
/// or wholly after a change. The scan is synchronous CPU work, so a lock (not an async gate) is the right tool.
/// </summary>
internal sealed class VectorMatrix : IDisposable
{
    private readonly ReaderWriterLockSlim _lock = new(LockRecursionPolicy.NoRecursion);
    private readonly Dictionary<long, int> _slotByRowId = [];
    private readonly Dictionary<string, int> _tenantCodes = new(StringComparer.Ordinal);
    private float[] _values;
    private RowInfo[] _rows;
    private int _count;

    public VectorMatrix(int dimensions, int initialCapacity = 1024)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dimensions, 1);
        Dimensions = dimensions;
        _values = new float[(long)Math.Max(initialCapacity, 16) * dimensions];
        _rows = new RowInfo[Math.Max(initialCapacity, 16)];
    }

    public int Dimensions { get; }

    public int Count
    {
        get
        {
            _lock.EnterReadLock();
            try { return _count; }
            finally { _lock.ExitReadLock(); }
        }
    }

    /// <summary>Bytes held for vectors and row metadata (capacity, not only the used part).</summary>
    public long AllocatedBytes
    {
        get
        {
            _lock.EnterReadLock();
            try { return (long)_values.Length * sizeof(float) + (long)_rows.Length * 48; }
            finally { _lock.ExitReadLock(); }
        }
    }

    /// <summary>Adds or replaces rows. Vectors are normalised here, so a dot product is the cosine similarity.</summary>
    public void Upsert(IReadOnlyList<VectorRow> rows)
    {
        // Normalise outside the lock: it is the expensive part and touches only the caller's data.
        var normalised = new float[rows.Count][];
        for (var i = 0; i < rows.Count; i++)
        {
            normalised[i] = Normalised(rows[i].Vector.Span, rows[i].RowId);
        }
        _lock.EnterWriteLock();
        try
        {
            for (var i = 0; i < rows.Count; i++)
            {
                var row = rows[i];
                if (!_slotByRowId.TryGetValue(row.RowId, out var slot))
                {
                    EnsureCapacity(_count + 1);
                    slot = _count++;
                    _slotByRowId[row.RowId] = slot;
                }
                normalised[i].CopyTo(_values.AsSpan(slot * Dimensions, Dimensions));
                _rows[slot] = new RowInfo(row.RowId, TenantCode(row.TenantId), row.Active, row.DocumentId, row.Tags);
            }
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    /// <summary>Removes rows by moving the last row into each freed slot, keeping the matrix dense.</summary>
    public void Remove(IEnumerable<long> rowIds)
    {
        _lock.EnterWriteLock();
        try
        {
            foreach (var rowId in rowIds)
            {
                if (!_slotByRowId.Remove(rowId, out var slot))
                {
                    continue;
                }
                var last = --_count;
                if (slot != last)
                {
                    _values.AsSpan(last * Dimensions, Dimensions).CopyTo(_values.AsSpan(slot * Dimensions, Dimensions));
                    _rows[slot] = _rows[last];
                    _slotByRowId[_rows[slot].RowId] = slot;
                }
                _rows[last] = default;
            }
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    /// <summary>The nearest rows by cosine similarity among rows the filter admits, best first.</summary>
    public IReadOnlyList<VectorHit> Search(ReadOnlySpan<float> query, SearchFilter filter, int limit)
    {
        if (query.Length != Dimensions)
        {
            throw new ArgumentException(
                $"The query vector has {query.Length} dimensions; this index holds {Dimensions}-dimensional vectors.", nameof(query));
        }
        var norm = TensorPrimitives.Norm(query);
        if (limit <= 0 || norm == 0 || !float.IsFinite(norm))
        {
            return [];
        }
        var unit = new float[Dimensions];
        TensorPrimitives.Divide(query, norm, unit);
        var documents = filter.DocumentIds is { Count: > 0 } ids ? ids.ToHashSet() : null;
        var tags = filter.Tags is { Count: > 0 } t ? t.ToHashSet(StringComparer.Ordinal) : null;
        var best = new PriorityQueue<VectorHit, (float Score, long NegatedRowId)>(limit + 1);

        _lock.EnterReadLock();
        try
        {
            // A tenant never seen has no code; -2 matches nothing (unknown rows never exist, so no row has it).
            var globalCode = _tenantCodes.GetValueOrDefault(Tenants.Global, -2);
            var tenantCode = _tenantCodes.GetValueOrDefault(filter.TenantId, -2);
            var values = _values;
            for (var slot = 0; slot < _count; slot++)
            {
                ref readonly var row = ref _rows[slot];
                if ((row.TenantCode != globalCode && row.TenantCode != tenantCode) || !row.Active
                    || (documents is not null && !documents.Contains(row.DocumentId))
                    || (tags is not null && !row.Tags.Any(tags.Contains)))
                {
                    continue;
                }
                var score = TensorPrimitives.Dot(new ReadOnlySpan<float>(values, slot * Dimensions, Dimensions), unit);
                // Ties prefer the older row (smaller row id) so results are deterministic.
                var priority = (score, -row.RowId);
                if (best.Count < limit)
                {
                    best.Enqueue(new VectorHit(row.RowId, score), priority);
                }
                else if (best.TryPeek(out _, out var worst) && Comparer<(float, long)>.Default.Compare(priority, worst) > 0)
                {
                    best.EnqueueDequeue(new VectorHit(row.RowId, score), priority);
                }
            }
        }
        finally
        {
            _lock.ExitReadLock();
        }

        var hits = new VectorHit[best.Count];
        for (var i = hits.Length - 1; i >= 0; i--)
        {
            hits[i] = best.Dequeue();
        }
        return hits;
    }

    public void Dispose() => _lock.Dispose();

    private float[] Normalised(ReadOnlySpan<float> vector, long rowId)
    {
        if (vector.Length != Dimensions)
        {
            throw new ArgumentException($"Row {rowId} has {vector.Length} dimensions; this index holds {Dimensions}-dimensional vectors.");
        }
        var norm = TensorPrimitives.Norm(vector);
        if (norm == 0 || !float.IsFinite(norm))
        {
            throw new ArgumentException($"Row {rowId} has a zero or non-finite embedding, which has no direction to compare.");
        }
        var result = new float[Dimensions];
        TensorPrimitives.Divide(vector, norm, result);
        return result;
    }

    private int TenantCode(string tenantId)
    {
        if (!_tenantCodes.TryGetValue(tenantId, out var code))
        {
            code = _tenantCodes.Count;
            _tenantCodes[tenantId] = code;
        }
        return code;
    }

    private void EnsureCapacity(int rows)
    {
        if (rows <= _rows.Length)
        {
            return;
        }
        var capacity = Math.Max(rows, _rows.Length * 2);
        Array.Resize(ref _rows, capacity);
        Array.Resize(ref _values, checked(capacity * Dimensions));
    }

    private readonly record struct RowInfo(long RowId, int TenantCode, bool Active, Guid DocumentId, IReadOnlyList<string> Tags);
}

/// <summary>One embedding with the fields the vector filter needs.</summary>
internal readonly record struct VectorRow(long RowId, string TenantId, bool Active, Guid DocumentId, IReadOnlyList<string> Tags, ReadOnlyMemory<float> Vector);

/// <summary>A row id with its cosine similarity to the query.</summary>
internal readonly record struct VectorHit(long RowId, float Score);
