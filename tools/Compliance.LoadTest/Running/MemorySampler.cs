using System.Diagnostics;
using System.Globalization;

namespace Compliance.LoadTest.Running;

/// <summary>One reading of a process's resident memory, <see cref="Seconds"/> after the run started.</summary>
internal sealed record MemorySample(double Seconds, long ResidentBytes);

/// <summary>
/// Reads another process's resident set size (VmRSS in <c>/proc/PID/status</c>) once a second during a run, so a
/// report can say whether the API's memory stayed flat. Linux only: elsewhere it records nothing.
/// </summary>
internal sealed class MemorySampler : IDisposable
{
    private readonly List<MemorySample> _samples = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    private MemorySampler(int pid)
    {
        var clock = Stopwatch.StartNew();
        _loop = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
            do
            {
                if (ReadResident(pid) is { } bytes)
                {
                    lock (_samples)
                    {
                        _samples.Add(new MemorySample(clock.Elapsed.TotalSeconds, bytes));
                    }
                }
            }
            while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false));
        });
    }

    public static MemorySampler Start(int pid) => new(pid);

    /// <summary>Stops sampling and returns the readings in time order.</summary>
    public IReadOnlyList<MemorySample> Stop()
    {
        _stop.Cancel();
        try
        {
            _loop.GetAwaiter().GetResult();
        }
        catch (OperationCanceledException)
        {
            // The normal way out of the loop.
        }
        lock (_samples)
        {
            return [.. _samples];
        }
    }

    public void Dispose() => _stop.Dispose();

    /// <summary>VmRSS of the process in bytes, or null when it cannot be read (gone, not Linux).</summary>
    internal static long? ReadResident(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                // "VmRSS:	  123456 kB"
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    var number = line["VmRSS:".Length..].Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries)[0];
                    return long.Parse(number, CultureInfo.InvariantCulture) * 1024;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException)
        {
            return null;
        }
        return null;
    }
}
