using System.Buffers;

namespace Compliance.Knowledge.Embeddings;

/// <summary>A scratch array rented from the shared pool; <see cref="Get"/> may replace it (dropping its contents).</summary>
internal struct PooledBuffer<T> : IDisposable
{
    private T[]? _array;

    public Span<T> Get(int minimumLength)
    {
        if (_array is null || _array.Length < minimumLength)
        {
            Dispose();
            _array = ArrayPool<T>.Shared.Rent(Math.Max(minimumLength, 64));
        }

        return _array;
    }

    public void Dispose()
    {
        if (_array is not null)
        {
            ArrayPool<T>.Shared.Return(_array);
            _array = null;
        }
    }
}
