using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Compliance.LoadTest.Running;
using Spectre.Console;

namespace Compliance.LoadTest.Reporting;

/// <summary>Percentiles (nearest rank) of one latency, in milliseconds, over <see cref="Samples"/> requests.</summary>
internal sealed record LatencyFigures(int Samples, double? P50, double? P90, double? P99, double? Max)
{
    public static LatencyFigures Of(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return new LatencyFigures(sorted.Length, At(sorted, 50), At(sorted, 90), At(sorted, 99), sorted.Length == 0 ? null : sorted[^1]);
    }

    /// <summary>The value at rank ⌈p/100 · n⌉ of the sorted samples; null when there are none.</summary>
    internal static double? At(double[] sorted, double percentile) =>
        sorted.Length == 0 ? null : sorted[Math.Clamp((int)Math.Ceiling(percentile / 100 * sorted.Length), 1, sorted.Length) - 1];
}

/// <summary>
/// The figures of one run. <see cref="ServiceTime"/> is the service's own time per successful answer as the API
/// measured it: <c>timings.totalMs</c> minus <c>timings.modelMs</c>, the wait on the model (issue 5 item 12's
/// "everything but the model"); <see cref="TotalTime"/> keeps the model's share;
/// <see cref="ClientTime"/> adds HTTP and queueing as the client saw them; <see cref="FirstDelta"/> is the
/// request-to-first-<c>delta</c> time of SSE runs.
/// </summary>
internal sealed record LoadReport(
    string Mode,
    int Concurrency,
    int Requests,
    int Succeeded,
    double ElapsedSeconds,
    double ThroughputPerSecond,
    IReadOnlyDictionary<string, int> Errors,
    IReadOnlyDictionary<string, int> Statuses,
    int CacheHits,
    LatencyFigures ServiceTime,
    LatencyFigures ClientTime,
    LatencyFigures? FirstDelta,
    IReadOnlyList<TargetCheck> Targets)
{
    /// <summary><c>timings.totalMs</c>: the service's time plus the wait on the model.</summary>
    public LatencyFigures? TotalTime { get; init; }

    /// <summary>The paced rate asked for (requests a second), or null for a closed-loop run.</summary>
    public double? TargetRatePerSecond { get; init; }

    /// <summary>In a paced run: how late requests were sent after they were due.</summary>
    public LatencyFigures? ScheduleLag { get; init; }

    /// <summary>The watched process's resident memory over the run, when a process was watched.</summary>
    public MemoryFigures? Memory { get; init; }

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    public static LoadReport From(LoadResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var samples = result.Samples;
        var ok = samples.Where(s => s.Error is null).ToList();
        var service = LatencyFigures.Of(ok.Where(s => s.ServiceMilliseconds is not null).Select(s => s.ServiceMilliseconds!.Value));
        LatencyFigures? firstDelta = result.Settings.Mode == ResponseMode.Sse
            ? LatencyFigures.Of(ok.Where(s => s.FirstDeltaMilliseconds is not null).Select(s => s.FirstDeltaMilliseconds!.Value))
            : null;
        var targets = new List<TargetCheck>
        {
            new("service time p50", 25, service.P50),
            new("service time p99", 60, service.P99),
        };
        if (firstDelta is not null)
        {
            targets.Add(new TargetCheck("first delta p50", 30, firstDelta.P50));
        }

        var seconds = result.Elapsed.TotalSeconds;
        return new LoadReport(
            result.Settings.Mode == ResponseMode.Sse ? "sse" : "json",
            result.Settings.Concurrency,
            samples.Count,
            ok.Count,
            seconds,
            seconds > 0 ? samples.Count / seconds : 0,
            Count(samples.Where(s => s.Error is not null).Select(s => s.Error!)),
            Count(samples.Select(s => s.Status ?? "(none)")),
            samples.Count(s => s.CacheHit),
            service,
            LatencyFigures.Of(ok.Select(s => s.ClientMilliseconds)),
            firstDelta,
            targets)
        {
            TotalTime = LatencyFigures.Of(ok.Where(s => s.TotalMilliseconds is not null).Select(s => s.TotalMilliseconds!.Value)),
            TargetRatePerSecond = result.Settings.RatePerSecond,
            ScheduleLag = result.Settings.RatePerSecond is null ? null : LatencyFigures.Of(samples.Select(s => s.ScheduleLagMilliseconds)),
            Memory = MemoryFigures.Of(result.Memory),
        };
    }

    public void Print(IAnsiConsole console)
    {
        ArgumentNullException.ThrowIfNull(console);
        console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{Mode} · {Concurrency} clients · {Requests} requests in {ElapsedSeconds:0.0} s · {ThroughputPerSecond:0.0} req/s · {Succeeded} succeeded · {CacheHits} cache hits"));
        if (TargetRatePerSecond is { } rate && ScheduleLag is { } lag)
        {
            console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"paced at {rate:0.#} req/s: sent late by p50 {F(lag.P50)} / p99 {F(lag.P99)} / max {F(lag.Max)} ms"));
        }
        if (Memory is { } memory)
        {
            console.WriteLine(memory.ToString());
        }
        var table = new Table().Border(TableBorder.Rounded).AddColumn("latency (ms)");
        foreach (var column in new[] { "n", "p50", "p90", "p99", "max" })
        {
            table.AddColumn(new TableColumn(column).RightAligned());
        }

        AddRow(table, "service time (totalMs - modelMs)", ServiceTime);
        if (TotalTime is { Samples: > 0 } total)
        {
            AddRow(table, "with the model (timings.totalMs)", total);
        }
        AddRow(table, "client round trip", ClientTime);
        if (FirstDelta is not null)
        {
            AddRow(table, "request → first SSE delta", FirstDelta);
        }

        console.Write(table);
        foreach (var target in Targets)
        {
            console.WriteLine(target.ToString());
        }

        console.WriteLine("statuses: " + Describe(Statuses));
        if (Errors.Count > 0)
        {
            console.WriteLine("errors: " + Describe(Errors));
        }
    }

    public async Task WriteJsonAsync(string path, CancellationToken cancellationToken)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (folder is not null)
        {
            Directory.CreateDirectory(folder);
        }

        await using var stream = File.Create(path);
        await JsonSerializer.SerializeAsync(stream, this, Json, cancellationToken);
    }

    private static void AddRow(Table table, string name, LatencyFigures figures) =>
        table.AddRow(name, figures.Samples.ToString(CultureInfo.InvariantCulture), F(figures.P50), F(figures.P90), F(figures.P99), F(figures.Max));

    private static Dictionary<string, int> Count(IEnumerable<string> values) =>
        values.GroupBy(v => v, StringComparer.Ordinal).OrderByDescending(g => g.Count()).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);

    private static string Describe(IReadOnlyDictionary<string, int> counts) => string.Join(", ", counts.Select(c => $"{c.Key} {c.Value}"));

    internal static string F(double? value) => value?.ToString("0.0", CultureInfo.InvariantCulture) ?? "–";
}

/// <summary>
/// Resident memory of the watched process: first and last reading, the highest, and the means of the first and the
/// last 30 seconds (flat memory: the two means are close and the maximum is not far above them).
/// </summary>
internal sealed record MemoryFigures(int Samples, double StartMiB, double EndMiB, double MaxMiB, double FirstHalfMinuteMiB, double LastHalfMinuteMiB)
{
    public static MemoryFigures? Of(IReadOnlyList<MemorySample> samples)
    {
        if (samples.Count == 0)
        {
            return null;
        }
        static double MiB(long bytes) => bytes / 1024.0 / 1024.0;
        var end = samples[^1].Seconds;
        var first = samples.Where(s => s.Seconds <= 30).Select(s => MiB(s.ResidentBytes)).DefaultIfEmpty(MiB(samples[0].ResidentBytes)).Average();
        var last = samples.Where(s => s.Seconds >= end - 30).Select(s => MiB(s.ResidentBytes)).Average();
        return new MemoryFigures(samples.Count, MiB(samples[0].ResidentBytes), MiB(samples[^1].ResidentBytes),
            samples.Max(s => MiB(s.ResidentBytes)), first, last);
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"watched process RSS ({Samples} readings): start {StartMiB:0.0} MiB, end {EndMiB:0.0} MiB, max {MaxMiB:0.0} MiB; mean of first 30 s {FirstHalfMinuteMiB:0.0} MiB, of last 30 s {LastHalfMinuteMiB:0.0} MiB");
}

/// <summary>A target from issue 5 item 12 and whether the run met it.</summary>
internal sealed record TargetCheck(string Name, double TargetMilliseconds, double? MeasuredMilliseconds)
{
    public bool Met => MeasuredMilliseconds <= TargetMilliseconds;

    public override string ToString() =>
        $"{Name}: {LoadReport.F(MeasuredMilliseconds)} ms (target ≤ {TargetMilliseconds.ToString(CultureInfo.InvariantCulture)} ms) {(Met ? "met" : "NOT met")}";
}
