using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Compliance.Knowledge.Embeddings;

namespace Compliance.Benchmarks.Embeddings;

/// <summary>
/// The embedder on the full-size generated model (EMBED_MODEL, or .tools/models/gte-small-random from
/// scripts/generate-test-models.sh --full): one 16-token query, and a batch of eight 512-token passages
/// (tokens/s = 4096 / mean). The side-by-side comparison with Transformers.js is scripts/bench-embeddings.sh.
///   dotnet run -c Release --project bench/Compliance.Benchmarks -- --filter '*OnnxTextEmbedder*'
/// </summary>
[MemoryDiagnoser]
[Config(typeof(ShortRunInProcess))]
public class OnnxTextEmbedderBenchmarks
{
    private OnnxTextEmbedder _embedder = null!;
    private string _query = string.Empty;
    private string[] _passages = [];

    /// <summary>ONNX Runtime intra-op threads (0 = ORT's default).</summary>
    [Params(2)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var directory = Environment.GetEnvironmentVariable(EmbeddingOptions.ModelDirectoryVariable) ?? FindGeneratedModel();
        _embedder = OnnxTextEmbedder.Load(new EmbeddingOptions { ModelDirectory = directory, IntraOpThreads = Threads });
        var tokenizer = WordPieceTokenizer.FromDirectory(directory);
        _query = "Can I sell shares of a client company during the quarterly blackout window?";
        const string prose = "Employees must not trade in securities of a listed issuer while in possession of inside information. " +
            "Client money must be held in a segregated account with an eligible bank and reconciled every business day. ";
        _passages = Enumerable.Range(0, 8).Select(i => CutToTokens(tokenizer, string.Concat(Enumerable.Repeat($"Section {i}. " + prose, 40)), 512)).ToArray();
        Console.WriteLine($"// model {_embedder.ModelPath}; query {tokenizer.Encode(_query).Ids.Length} tokens; passages {string.Join(", ", _passages.Select(p => tokenizer.Encode(p).Ids.Length))} tokens");
    }

    [GlobalCleanup]
    public void Cleanup() => _embedder.Dispose();

    [Benchmark]
    public Task<float[]> Query() => _embedder.EmbedQueryAsync(_query, CancellationToken.None);

    [Benchmark]
    public Task<float[][]> EightPassagesOf512Tokens() => _embedder.EmbedPassagesAsync(_passages, CancellationToken.None);

    private static string CutToTokens(WordPieceTokenizer tokenizer, string text, int tokens)
    {
        var words = text.Split(' ');
        var (lo, hi) = (1, words.Length);
        while (lo < hi)
        {
            var mid = (lo + hi + 1) / 2;
            if (tokenizer.Encode(string.Join(' ', words[..mid]), int.MaxValue).Ids.Length <= tokens)
            {
                lo = mid;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return string.Join(' ', words[..lo]);
    }

    private static string FindGeneratedModel()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, ".tools", "models", "gte-small-random");
            if (File.Exists(Path.Combine(candidate, "model.onnx")))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException("No model: set EMBED_MODEL or run scripts/generate-test-models.sh --full.");
    }

    private sealed class ShortRunInProcess : ManualConfig
    {
        public ShortRunInProcess() => AddJob(Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance));
    }
}
