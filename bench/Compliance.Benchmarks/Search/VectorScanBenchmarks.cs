using BenchmarkDotNet.Attributes;
using Compliance.Knowledge.Indexing;
using Compliance.Knowledge.Indexing.Embedded;

namespace Compliance.Benchmarks.Search;

/// <summary>BenchmarkDotNet ShortRun of the exact vector scan and BM25 text search on synthetic chunks.</summary>
[ShortRunJob]
[MemoryDiagnoser]
public class VectorScanBenchmarks : IDisposable
{
    private SqliteKnowledgeIndex? _index;
    private float[] _query = [];
    private string _text = "";
    private string _path = "";

    [Params(10_000, 100_000)]
    public int Chunks { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var corpus = SearchCorpus.Synthetic(Chunks, 384, 1);
        _path = Path.Combine(Path.GetTempPath(), $"bdn-{Guid.NewGuid():N}.db");
        _index = new SqliteKnowledgeIndex(new EmbeddedIndexOptions { Path = _path });
        _index.EnsureCreatedAsync(384, CancellationToken.None).GetAwaiter().GetResult();
        foreach (var batch in corpus.Chunks.Chunk(1000))
        {
            _index.UpsertAsync(batch, CancellationToken.None).GetAwaiter().GetResult();
        }
        _query = SearchCorpus.RandomUnitVector(new Random(3), 384);
        _text = corpus.Queries[0];
    }

    [Benchmark]
    public Task<IReadOnlyList<RankedChunk>> Vector() => _index!.SearchVectorAsync(_query, new SearchFilter(Tenants.Global), 50, CancellationToken.None);

    [Benchmark]
    public Task<IReadOnlyList<RankedChunk>> Text() => _index!.SearchTextAsync(_text, new SearchFilter(Tenants.Global), 50, CancellationToken.None);

    [GlobalCleanup]
    public void Dispose()
    {
        GC.SuppressFinalize(this);
        _index?.Dispose();
        _index = null;
        File.Delete(_path);
        File.Delete(_path + "-wal");
        File.Delete(_path + "-shm");
    }
}
