using System.Diagnostics;

namespace Compliance.Testing.Processes;

/// <summary>What a process that was expected to exit left behind.</summary>
public sealed record ProcessRun(int ExitCode, string Stdout, string Stderr, TimeSpan Elapsed)
{
    /// <summary>
    /// Starts <paramref name="start"/> (which must redirect stdout and stderr) and waits for it to exit. A process still
    /// running after <paramref name="limit"/> is killed and fails the test with its output: a start-up that should have
    /// failed must not hang the suite.
    /// </summary>
    public static async Task<ProcessRun> ToExitAsync(ProcessStartInfo start, TimeSpan limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(start);
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(limit);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"{Path.GetFileName(start.FileName)} {string.Join(' ', start.ArgumentList)} was still running after {limit.TotalSeconds:0} s: " + await stdout + await stderr);
        }
        return new ProcessRun(process.ExitCode, await stdout, await stderr, clock.Elapsed);
    }
}
