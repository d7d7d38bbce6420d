using System.Buffers;

namespace Compliance.Knowledge.Embeddings;

/// <summary>Receives token ids as the tokenizer produces them.</summary>
internal interface ITokenSink
{
    void Add(int id);

    void AddRange(ReadOnlySpan<int> ids);
}

/// <summary>Counts tokens without storing them.</summary>
internal struct TokenCounter : ITokenSink
{
    public int Count { get; private set; }

    public void Add(int id) => Count++;

    public void AddRange(ReadOnlySpan<int> ids) => Count += ids.Length;
}

/// <summary>A growable list of token ids in a pooled array.</summary>
internal struct TokenIdList(int initialCapacity) : ITokenSink, IDisposable
{
    private int[] _ids = ArrayPool<int>.Shared.Rent(Math.Max(initialCapacity, 16));

    public int Count { get; private set; }

    public readonly ReadOnlySpan<int> Ids => _ids.AsSpan(0, Count);

    public void Add(int id)
    {
        if (Count == _ids.Length)
        {
            Grow(Count + 1);
        }

        _ids[Count++] = id;
    }

    public void AddRange(ReadOnlySpan<int> ids)
    {
        if (Count + ids.Length > _ids.Length)
        {
            Grow(Count + ids.Length);
        }

        ids.CopyTo(_ids.AsSpan(Count));
        Count += ids.Length;
    }

    public void Dispose()
    {
        ArrayPool<int>.Shared.Return(_ids);
        _ids = [];
    }

    private void Grow(int needed)
    {
        var larger = ArrayPool<int>.Shared.Rent(Math.Max(needed, _ids.Length * 2));
        _ids.AsSpan(0, Count).CopyTo(larger);
        ArrayPool<int>.Shared.Return(_ids);
        _ids = larger;
    }
}
