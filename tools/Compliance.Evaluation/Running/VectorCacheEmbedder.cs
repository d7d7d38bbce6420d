using System.Security.Cryptography;
using System.Text;
using Compliance.Knowledge.Embeddings;

namespace Compliance.Evaluation.Running;

/// <summary>
/// An embedder that keeps every vector it computes in a file, so a second run with the same model (same model file
/// sha256 and recipe, which name the file: see EmbedderIdentity.CacheKey) sweeps fusion settings without re-embedding 13k passages (minutes on a
/// loaded 2-core machine). Keys are the sha256 of the text plus whether it was embedded as a query or a passage,
/// so a question and a passage with equal text never share a vector when the recipe prefixes one of them.
/// Vectors are appended after every batch: a run stopped half-way keeps what it embedded.
/// </summary>
public sealed class VectorCacheEmbedder : ITextEmbedder, IDisposable
{
    private static readonly byte[] Magic = "CEVC1\n"u8.ToArray();
    private const int KeyBytes = 16;
    private readonly ITextEmbedder _inner;
    private readonly Dictionary<UInt128, float[]> _vectors = [];
    private readonly FileStream _file;
    private readonly Lock _gate = new();

    private VectorCacheEmbedder(ITextEmbedder inner, FileStream file)
    {
        _inner = inner;
        _file = file;
    }

    public ITextEmbedder Inner => _inner;

    /// <summary>The cache file in use.</summary>
    public string FilePath => _file.Name;

    /// <summary>Vectors found in the file when it was opened.</summary>
    public int LoadedVectors { get; private set; }

    /// <summary>Texts that had to be embedded by the model in this run.</summary>
    public int ComputedVectors { get; private set; }

    public int Dimensions => _inner.Dimensions;

    public string ModelName => _inner.ModelName;

    /// <summary>
    /// Opens (or creates) <c>{directory}/{identityKey}.vectors</c>. A file written for another vector length or
    /// truncated mid-record is read up to its last whole record; the rest is recomputed and appended.
    /// </summary>
    public static VectorCacheEmbedder Open(ITextEmbedder inner, string directory, string identityKey)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentException.ThrowIfNullOrWhiteSpace(identityKey);
        Directory.CreateDirectory(directory);
        var safe = string.Concat(identityKey.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' ? c : '_'));
        var path = Path.Combine(directory, safe + ".vectors");
        var file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read);
        var cache = new VectorCacheEmbedder(inner, file);
        cache.Load();
        return cache;
    }

    public async Task<float[]> EmbedQueryAsync(string query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var text = query;
        var key = Key('q', text);
        lock (_gate)
        {
            if (_vectors.TryGetValue(key, out var known))
            {
                return known;
            }
        }
        var vector = await _inner.EmbedQueryAsync(text, cancellationToken);
        Store([(key, vector)]);
        return vector;
    }

    public async Task<float[][]> EmbedPassagesAsync(IReadOnlyList<string> passages, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(passages);
        var texts = passages;
        var result = new float[texts.Count][];
        var missing = new List<int>();
        var keys = texts.Select(t => Key('p', t)).ToArray();
        lock (_gate)
        {
            for (var i = 0; i < texts.Count; i++)
            {
                if (_vectors.TryGetValue(keys[i], out var known))
                {
                    result[i] = known;
                }
                else
                {
                    missing.Add(i);
                }
            }
        }
        if (missing.Count > 0)
        {
            var computed = await _inner.EmbedPassagesAsync(missing.Select(i => texts[i]).ToList(), cancellationToken);
            for (var j = 0; j < missing.Count; j++)
            {
                result[missing[j]] = computed[j];
            }
            Store(missing.Select((i, j) => (keys[i], computed[j])).ToList());
        }
        return result;
    }

    public void Dispose()
    {
        _file.Dispose();
        (_inner as IDisposable)?.Dispose();
    }

    private void Load()
    {
        var header = new byte[Magic.Length + sizeof(int)];
        if (_file.Length < header.Length)
        {
            WriteHeader();
            return;
        }
        _file.ReadExactly(header);
        if (!header.AsSpan(0, Magic.Length).SequenceEqual(Magic) || BitConverter.ToInt32(header, Magic.Length) != Dimensions)
        {
            // Not ours, or another vector length: start over rather than serve wrong vectors.
            _file.SetLength(0);
            WriteHeader();
            return;
        }
        var record = new byte[KeyBytes + Dimensions * sizeof(float)];
        long whole = header.Length;
        while (_file.Length - _file.Position >= record.Length)
        {
            _file.ReadExactly(record);
            var vector = new float[Dimensions];
            Buffer.BlockCopy(record, KeyBytes, vector, 0, Dimensions * sizeof(float));
            _vectors[BitConverter.ToUInt128(record, 0)] = vector;
            whole += record.Length;
        }
        _file.SetLength(whole);
        _file.Position = whole;
        LoadedVectors = _vectors.Count;
    }

    private void WriteHeader()
    {
        _file.Write(Magic);
        _file.Write(BitConverter.GetBytes(Dimensions));
        _file.Flush();
    }

    private void Store(IReadOnlyList<(UInt128 Key, float[] Vector)> entries)
    {
        var record = new byte[KeyBytes + Dimensions * sizeof(float)];
        lock (_gate)
        {
            foreach (var (key, vector) in entries)
            {
                if (vector.Length != Dimensions || !_vectors.TryAdd(key, vector))
                {
                    continue;
                }
                BitConverter.TryWriteBytes(record.AsSpan(0, KeyBytes), key);
                Buffer.BlockCopy(vector, 0, record, KeyBytes, Dimensions * sizeof(float));
                _file.Write(record);
                ComputedVectors++;
            }
            _file.Flush();
        }
    }

    private static UInt128 Key(char kind, string text)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(kind + "\n" + text), hash);
        return BitConverter.ToUInt128(hash[..KeyBytes]);
    }
}
