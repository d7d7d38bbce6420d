using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Compliance.Contracts.Questions;

namespace Compliance.LoadTest.Running;

/// <summary>
/// Closed-loop load (each of N clients sends its next request as soon as its previous one completes), or paced
/// open-loop load (request i is due at i / rate seconds; N clients take due requests in turn).
/// </summary>
internal sealed class LoadRunner(QueryLoadClient client)
{
    public async Task<LoadResult> RunAsync(LoadSettings settings, IProgress<int>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        // Warm-up requests pay for JIT, connection set-up and cold caches; they are sent but not measured.
        long warmupNumber = -1;
        await Task.WhenAll(Enumerable.Range(0, Math.Min(settings.Concurrency, Math.Max(settings.Warmup, 1))).Select(async worker =>
        {
            long number;
            while ((number = Interlocked.Increment(ref warmupNumber)) < settings.Warmup)
            {
                await client.SendAsync(Request(settings, LoadSettings.WarmupNumbers + number, worker), settings.Mode, cancellationToken);
            }
        }));

        var samples = new ConcurrentBag<RequestSample>();
        long next = -1;
        using var memory = settings.WatchPid is { } pid ? MemorySampler.Start(pid) : null;
        var clock = Stopwatch.StartNew();
        var deadline = settings.Duration;
        bool TakeNext(out long number)
        {
            number = Interlocked.Increment(ref next);
            return settings.Requests is { } limit ? number < limit : clock.Elapsed < deadline;
        }

        await Task.WhenAll(Enumerable.Range(0, settings.Concurrency).Select(worker => Task.Run(async () =>
        {
            while (TakeNext(out var number))
            {
                var lag = TimeSpan.Zero;
                if (settings.RatePerSecond is { } rate)
                {
                    // Paced: wait until this request is due; when every client was busy past that time, it goes
                    // late, and the lateness is reported (a rate the service cannot sustain shows up there).
                    var due = TimeSpan.FromSeconds(number / rate);
                    var wait = due - clock.Elapsed;
                    if (wait > TimeSpan.Zero)
                    {
                        await Task.Delay(wait, cancellationToken);
                    }
                    // Timer granularity can wake a hair early; early is on time.
                    lag = clock.Elapsed > due ? clock.Elapsed - due : TimeSpan.Zero;
                }
                var sample = await client.SendAsync(Request(settings, number, worker), settings.Mode, cancellationToken);
                samples.Add(sample with { ScheduleLagMilliseconds = lag.TotalMilliseconds });
                progress?.Report(samples.Count);
            }
        }, cancellationToken)));
        clock.Stop();
        return new LoadResult(settings, [.. samples], clock.Elapsed, memory?.Stop() ?? []);
    }

    private static QueryRequest Request(LoadSettings settings, long number, int worker) =>
        new(settings.QuestionFor(number), (LoadSettings.FirstUserId + worker).ToString(CultureInfo.InvariantCulture), settings.GuildFor(number));
}

/// <summary>Every measured request of a run, and the wall time they took together.</summary>
internal sealed record LoadResult(LoadSettings Settings, IReadOnlyList<RequestSample> Samples, TimeSpan Elapsed, IReadOnlyList<MemorySample> Memory);
