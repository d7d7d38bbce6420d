using BenchmarkDotNet.Running;
using Compliance.Benchmarks.Bot;
using Compliance.Benchmarks.Embeddings;
using Compliance.Benchmarks.Ingestion;
using Compliance.Benchmarks.AnswerPath;
using Compliance.Benchmarks.Search;

// Plain commands for the comparison scripts and harnesses; everything else goes to BenchmarkDotNet:
//   side-by-side      C# half of scripts/bench-embeddings.sh (query latency, passage throughput as one JSON line)
//   compare-reference C# vectors against a Transformers.js reference file (scripts/compare-embeddings.sh)
//   latency           search latency harness (docs/search-performance.md)
//   ingest-throughput documents to searchable through the API's ingestion, per stage (docs/performance.md)
//   bot-latency       Discord bot: interaction → first visible edit, idle worker memory (docs/bot.md)
//   llm-stream        the answer pipeline's model client, layer by layer: updates, awaits, work items per answer (docs/service-performance.md)
//   redis-hops        thread-pool work items and allocations per Redis round trip, plain and through IDistributedCache
//   pdf-compare       PDF extraction: PdfPig (the API) against pdftotext on reading order, hyphens, speed (docs/ingestion.md)
// Run one BenchmarkDotNet area at a time, e.g.: dotnet run -c Release --project bench/Compliance.Benchmarks -- --filter '*Tokenizer*'
return args.FirstOrDefault() switch
{
    "side-by-side" => await EmbeddingSideBySide.RunAsync(args[1..]),
    "compare-reference" => await ReferenceComparison.RunAsync(args[1..]),
    "latency" => await SearchLatencyCommand.RunAsync(args[1..]),
    "ingest-throughput" => await IngestThroughputCommand.RunAsync(args[1..]),
    "bot-latency" => await BotBenchmarkCommand.RunAsync(args[1..]),
    "llm-stream" => await LlmStreamCommand.RunAsync(args[1..]),
    "redis-hops" => await RedisHopsCommand.RunAsync(args[1..]),
    "pdf-compare" => await PdfExtractionComparison.RunAsync(args[1..]),
    _ => RunBenchmarkDotNet(args),
};

static int RunBenchmarkDotNet(string[] args)
{
    BenchmarkSwitcher.FromAssembly(typeof(EmbeddingSideBySide).Assembly).Run(args);
    return 0;
}
