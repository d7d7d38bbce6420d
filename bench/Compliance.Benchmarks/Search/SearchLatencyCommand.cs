using System.Globalization;

namespace Compliance.Benchmarks.Search;

/// <summary>
/// <c>latency [--synthetic N] [--obliqa DIR] [--iterations N] [--redisearch redis://HOST:PORT [--keep | --reuse RUN] [--frequent-term-share X] [--breakdown]]</c>: the search
/// latency harness (p50/p99, CPU per query, memory; see docs/search-performance.md), on the embedded index or, with
/// <c>--redisearch</c>, on a Redis with the Search module.
/// </summary>
internal static class SearchLatencyCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        int? synthetic = null;
        string? obliqa = null;
        var iterations = 2000;
        string? redisearch = null;
        var keep = false;
        string? reuse = null;
        double? frequentShare = null;
        var breakdown = false;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--synthetic" when i + 1 < args.Length:
                    synthetic = int.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                case "--obliqa" when i + 1 < args.Length:
                    obliqa = args[++i];
                    break;
                case "--redisearch" when i + 1 < args.Length:
                    redisearch = args[++i];
                    break;
                case "--keep":
                    // Leaves the RediSearch index and its chunks in place, so FT.PROFILE can examine the same data.
                    keep = true;
                    break;
                case "--reuse" when i + 1 < args.Length:
                    // Searches an index a --keep run left (same seed, so the same chunks) instead of loading again.
                    reuse = args[++i];
                    keep = true;
                    break;
                case "--frequent-term-share" when i + 1 < args.Length:
                    // RediSearchIndexOptions.FrequentTermShare, to measure its cut (0.5 turns it off).
                    frequentShare = double.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                case "--breakdown":
                    // RediSearch only: each step of a hybrid question timed in rotation (RediSearchBreakdown).
                    breakdown = true;
                    break;
                case "--iterations" when i + 1 < args.Length:
                    iterations = int.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                default:
                    await Console.Error.WriteLineAsync($"unknown argument: {args[i]}; usage: latency [--synthetic N] [--obliqa DIR] [--iterations N] [--redisearch redis://HOST:PORT [--keep | --reuse RUN] [--frequent-term-share X] [--breakdown]]");
                    return 2;
            }
        }

        const int dimensions = 384;
        var folder = Path.Combine(Path.GetTempPath(), "compliance-bench");
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, load average {(await File.ReadAllTextAsync("/proc/loadavg")).Trim()}");
        if (obliqa is not null)
        {
            await SearchLatencyHarness.RunAsync(SearchCorpus.Obliqa(obliqa, dimensions), dimensions, iterations, folder, Console.Out, redisearch, keep, reuse, frequentShare, breakdown);
        }
        if (synthetic is { } count)
        {
            await SearchLatencyHarness.RunAsync(SearchCorpus.Synthetic(count, dimensions, 2000), dimensions, iterations, folder, Console.Out, redisearch, keep, reuse, frequentShare, breakdown);
        }
        Console.WriteLine($"load average after: {(await File.ReadAllTextAsync("/proc/loadavg")).Trim()}");
        return 0;
    }
}
