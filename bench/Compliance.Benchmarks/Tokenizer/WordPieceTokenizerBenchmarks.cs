using System.Text;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Compliance.Knowledge.Embeddings;

namespace Compliance.Benchmarks.Tokenizer;

/// <summary>
/// Tokenizer throughput over the same texts as tools/reference/benchmark-tokenizer.mjs (Transformers.js).
/// Throughput = the UTF-8 size printed at setup divided by the mean time of one operation (all texts once).
/// </summary>
[MemoryDiagnoser]
[Config(typeof(ShortRunInProcess))]
public class WordPieceTokenizerBenchmarks
{
    private WordPieceTokenizer _tokenizer = null!;
    private string[] _texts = [];

    [GlobalSetup]
    public void Setup()
    {
        _tokenizer = WordPieceTokenizer.FromDirectory(TokenizerBenchmarkInput.TokenizerDirectory);
        _texts = [.. TokenizerBenchmarkInput.Load(out var description)];
        var bytes = _texts.Sum(Encoding.UTF8.GetByteCount);
        Console.WriteLine($"// Tokenizer input: {description}: {_texts.Length} texts, {bytes:N0} UTF-8 bytes");
    }

    /// <summary>What the embedder does: [CLS] … [SEP], truncated at 512.</summary>
    [Benchmark(Baseline = true)]
    public int Encode()
    {
        var total = 0;
        foreach (var text in _texts)
        {
            total += _tokenizer.Encode(text).Ids.Length;
        }

        return total;
    }

    /// <summary>Untruncated ids, as Transformers.js' tokenizer.encode gives them.</summary>
    [Benchmark]
    public int EncodeWithoutSpecialTokens()
    {
        var total = 0;
        foreach (var text in _texts)
        {
            total += _tokenizer.EncodeWithoutSpecialTokens(text).Length;
        }

        return total;
    }

    /// <summary>What the chunker does on its hot path.</summary>
    [Benchmark]
    public int CountTokens()
    {
        var total = 0;
        foreach (var text in _texts)
        {
            total += _tokenizer.CountTokens(text);
        }

        return total;
    }

    /// <summary>ShortRun, in process: no generated project to build, so it runs anywhere the tests run.</summary>
    private sealed class ShortRunInProcess : ManualConfig
    {
        public ShortRunInProcess() => AddJob(Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance));
    }
}
