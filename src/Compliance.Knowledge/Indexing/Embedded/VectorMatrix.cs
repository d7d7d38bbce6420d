using System.Buffers;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Compliance.Knowledge.Indexing.Embedded;

/// <summary>
/// Every stored embedding in one contiguous float array, searched exactly with <see cref="TensorPrimitives"/>.
/// Large matrices are first scanned through an int8 copy (a quarter of the bytes: the float scan is bound by
/// memory bandwidth), then the best candidates, and every other row whose proven error bound could lift it into
/// the results, are scored in float. The result is therefore the exact scan's, row for row and score for score.
/// Searches hold a read lock and upserts or deletes a write lock, so a search sees each row either wholly before
/// or wholly after a change. The scan is synchronous CPU work, so a lock (not an async gate) is the right tool.
/// </summary>
internal sealed class VectorMatrix : IDisposable
{
    private readonly ReaderWriterLockSlim _lock = new(LockRecursionPolicy.NoRecursion);
    private readonly Dictionary<long, int> _slotByRowId = [];
    private readonly TenantCodes _tenants = new();
    private float[] _values;
    private sbyte[] _quantized;
    private QuantizedRow[] _quantizedRows;
    private RowInfo[] _rows;
    private int _count;

    public VectorMatrix(int dimensions, int initialCapacity = 1024)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dimensions, 1);
        Dimensions = dimensions;
        _values = new float[(long)Math.Max(initialCapacity, 16) * dimensions];
        _quantized = new sbyte[(long)Math.Max(initialCapacity, 16) * dimensions];
        _quantizedRows = new QuantizedRow[Math.Max(initialCapacity, 16)];
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
            try { return (long)_values.Length * sizeof(float) + _quantized.Length + (long)_rows.Length * (48 + 8); }
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
                _quantizedRows[slot] = Quantize(normalised[i], _quantized.AsSpan(slot * Dimensions, Dimensions));
                _rows[slot] = new RowInfo(row.RowId, _tenants.CodeOf(row.TenantId), row.Active, row.DocumentId, row.Tags);
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
                    _quantized.AsSpan(last * Dimensions, Dimensions).CopyTo(_quantized.AsSpan(slot * Dimensions, Dimensions));
                    _quantizedRows[slot] = _quantizedRows[last];
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
        var best = new PriorityQueue<VectorHit, (float Score, long NegatedRowId)>(limit + 1);

        _lock.EnterReadLock();
        try
        {
            var rowFilter = new RowFilter(filter, _tenants);
            bool Admits(in RowInfo row) => rowFilter.Admits(row.TenantCode, row.Active, row.DocumentId, row.Tags);

            var candidates = CandidateCount(limit);
            if (_count <= candidates * 2)
            {
                // Small matrices: the float scan is already cheap, and the int8 pass would rescore most rows anyway.
                for (var slot = 0; slot < _count; slot++)
                {
                    if (Admits(in _rows[slot]))
                    {
                        Offer(best, limit, slot, ExactScore(slot, unit));
                    }
                }
            }
            else
            {
                SearchQuantized(unit, limit, candidates, best, Admits);
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

    /// <summary>How many int8 candidates are rescored in float before the error bound decides about the rest.</summary>
    private static int CandidateCount(int limit) => limit * 4 + 64;

    /// <summary>
    /// Pass 1 scores every admitted row in int8; pass 2 scores the best candidates exactly; pass 3 scores exactly
    /// every other row whose int8 score plus its error bound reaches the current last result. The bound:
    /// |x·q − x̂·q̂| ≤ sx/2·|q|₁ + sq/2·(|x|₁ + d·sx/2), where s is a vector's int8 step and d the dimensions.
    /// </summary>
    private void SearchQuantized(float[] unit, int limit, int candidates, PriorityQueue<VectorHit, (float Score, long NegatedRowId)> best, AdmitsRow admits)
    {
        var queryInt8 = new sbyte[Dimensions];
        var queryRow = Quantize(unit, queryInt8);
        var approximate = ArrayPool<float>.Shared.Rent(_count);
        try
        {
            var top = new PriorityQueue<int, float>(candidates + 1);
            for (var slot = 0; slot < _count; slot++)
            {
                if (!admits(in _rows[slot]))
                {
                    approximate[slot] = float.NaN;
                    continue;
                }
                var score = DotInt8(queryInt8, new ReadOnlySpan<sbyte>(_quantized, slot * Dimensions, Dimensions)) * queryRow.Step * _quantizedRows[slot].Step;
                approximate[slot] = score;
                if (top.Count < candidates)
                {
                    top.Enqueue(slot, score);
                }
                else if (top.TryPeek(out _, out var worst) && score > worst)
                {
                    top.EnqueueDequeue(slot, score);
                }
            }
            while (top.TryDequeue(out var slot, out _))
            {
                Offer(best, limit, slot, ExactScore(slot, unit));
                // Marks the row as scored so pass 3 skips it.
                approximate[slot] = float.NaN;
            }
            for (var slot = 0; slot < _count; slot++)
            {
                var score = approximate[slot];
                if (float.IsNaN(score))
                {
                    continue;
                }
                var step = _quantizedRows[slot].Step;
                var bound = step / 2 * queryRow.L1Norm + queryRow.Step / 2 * (_quantizedRows[slot].L1Norm + Dimensions * step / 2);
                // 1e-5 covers float rounding in the int8 score and in the bound itself.
                if (best.Count < limit || (best.TryPeek(out _, out var last) && score + bound + 1e-5f >= last.Score))
                {
                    Offer(best, limit, slot, ExactScore(slot, unit));
                }
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(approximate);
        }
    }

    private delegate bool AdmitsRow(in RowInfo row);

    private float ExactScore(int slot, float[] unit) =>
        TensorPrimitives.Dot(new ReadOnlySpan<float>(_values, slot * Dimensions, Dimensions), unit);

    /// <summary>Keeps the best <paramref name="limit"/> rows; ties prefer the older row (smaller row id) so results are deterministic.</summary>
    private void Offer(PriorityQueue<VectorHit, (float Score, long NegatedRowId)> best, int limit, int slot, float score)
    {
        var rowId = _rows[slot].RowId;
        var priority = (score, -rowId);
        if (best.Count < limit)
        {
            best.Enqueue(new VectorHit(rowId, score), priority);
        }
        else if (best.TryPeek(out _, out var worst) && Comparer<(float, long)>.Default.Compare(priority, worst) > 0)
        {
            best.EnqueueDequeue(new VectorHit(rowId, score), priority);
        }
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

    private void EnsureCapacity(int rows)
    {
        if (rows <= _rows.Length)
        {
            return;
        }
        var capacity = Math.Max(rows, _rows.Length * 2);
        Array.Resize(ref _rows, capacity);
        Array.Resize(ref _quantizedRows, capacity);
        Array.Resize(ref _values, checked(capacity * Dimensions));
        Array.Resize(ref _quantized, checked(capacity * Dimensions));
    }

    /// <summary>
    /// Writes the int8 copy of a unit vector (each component over its largest magnitude, times 127, rounded) and
    /// returns its step and L1 norm, which the error bound of a search needs.
    /// </summary>
    private static QuantizedRow Quantize(ReadOnlySpan<float> unit, Span<sbyte> destination)
    {
        var largest = TensorPrimitives.MaxMagnitude(unit);
        var step = Math.Abs(largest) / 127f;
        for (var i = 0; i < unit.Length; i++)
        {
            destination[i] = (sbyte)Math.Clamp(MathF.Round(unit[i] / step), -127, 127);
        }
        return new QuantizedRow(step, TensorPrimitives.SumOfMagnitudes(unit));
    }

    /// <summary>Integer dot product of two int8 vectors (at most 127 × 127 × 8,192: no overflow).</summary>
    private static int DotInt8(ReadOnlySpan<sbyte> a, ReadOnlySpan<sbyte> b)
    {
        var i = 0;
        var sum = 0;
        ref var left = ref MemoryMarshal.GetReference(a);
        ref var right = ref MemoryMarshal.GetReference(b);
        if (Avx2.IsSupported)
        {
            // Sign-extend 16 bytes to 16 shorts, multiply, and add neighbouring pairs into 8 ints.
            var accumulator = Vector256<int>.Zero;
            for (; i <= a.Length - 16; i += 16)
            {
                var x = Avx2.ConvertToVector256Int16(Vector128.LoadUnsafe(ref left, (nuint)i));
                var y = Avx2.ConvertToVector256Int16(Vector128.LoadUnsafe(ref right, (nuint)i));
                accumulator = Avx2.Add(accumulator, Avx2.MultiplyAddAdjacent(x, y));
            }
            sum = Vector256.Sum(accumulator);
        }
        else if (Vector128.IsHardwareAccelerated)
        {
            // Portable path (e.g. Arm): widen to shorts (127 × 127 fits), multiply, widen the products to ints.
            var accumulator = Vector128<int>.Zero;
            for (; i <= a.Length - 16; i += 16)
            {
                var (xLow, xHigh) = Vector128.Widen(Vector128.LoadUnsafe(ref left, (nuint)i));
                var (yLow, yHigh) = Vector128.Widen(Vector128.LoadUnsafe(ref right, (nuint)i));
                var (p0, p1) = Vector128.Widen(xLow * yLow);
                var (p2, p3) = Vector128.Widen(xHigh * yHigh);
                accumulator += p0 + p1 + p2 + p3;
            }
            sum = Vector128.Sum(accumulator);
        }
        for (; i < a.Length; i++)
        {
            sum += Unsafe.Add(ref left, i) * Unsafe.Add(ref right, i);
        }
        return sum;
    }

    /// <summary>Per row: the int8 step (largest magnitude / 127) and the L1 norm of the unit vector.</summary>
    private readonly record struct QuantizedRow(float Step, float L1Norm);

    private readonly record struct RowInfo(long RowId, int TenantCode, bool Active, Guid DocumentId, IReadOnlyList<string> Tags);
}

/// <summary>One embedding with the fields the vector filter needs.</summary>
internal readonly record struct VectorRow(long RowId, string TenantId, bool Active, Guid DocumentId, IReadOnlyList<string> Tags, ReadOnlyMemory<float> Vector);

/// <summary>A row id with its cosine similarity to the query.</summary>
internal readonly record struct VectorHit(long RowId, float Score);
