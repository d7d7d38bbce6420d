using System.Globalization;
using BenchmarkDotNet.Running;
using Compliance.Benchmarks.Search;

// BenchmarkDotNet, one area at a time, e.g.: dotnet run -c Release --project bench/Compliance.Benchmarks -- --filter '*Tokenizer*'
// Search latency harness (p50/p99, CPU per query, memory; see docs/search-performance.md):
//   dotnet run -c Release --project bench/Compliance.Benchmarks -- latency [--synthetic N] [--obliqa DIR] [--iterations N]
if (args.Length == 0 || args[0] != "latency")
{
    BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
    return 0;
}
int? synthetic = null;
string? obliqa = null;
var iterations = 2000;
for (var i = 1; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--synthetic" when i + 1 < args.Length:
            synthetic = int.Parse(args[++i], CultureInfo.InvariantCulture);
            break;
        case "--obliqa" when i + 1 < args.Length:
            obliqa = args[++i];
            break;
        case "--iterations" when i + 1 < args.Length:
            iterations = int.Parse(args[++i], CultureInfo.InvariantCulture);
            break;
        default:
            Console.Error.WriteLine($"unknown argument: {args[i]}; usage: latency [--synthetic N] [--obliqa DIR] [--iterations N]");
            return 2;
    }
}
const int dimensions = 384;
var folder = Path.Combine(Path.GetTempPath(), "compliance-bench");
Console.WriteLine($"machine: {Environment.ProcessorCount} cores, load average {File.ReadAllText("/proc/loadavg").Trim()}");
if (obliqa is not null)
{
    await SearchLatencyHarness.RunAsync(SearchCorpus.Obliqa(obliqa, dimensions), dimensions, iterations, folder, Console.Out);
}
if (synthetic is { } count)
{
    await SearchLatencyHarness.RunAsync(SearchCorpus.Synthetic(count, dimensions, 2000), dimensions, iterations, folder, Console.Out);
}
Console.WriteLine($"load average after: {File.ReadAllText("/proc/loadavg").Trim()}");
return 0;
