using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;

namespace Compliance.Benchmarks.Bot;

/// <summary>
/// A service under measurement (the API or the bot) run as its own <c>dotnet X.dll</c> process, as in production,
/// with only the environment we give it. Its output is kept (last lines) to explain a failed start; disposal stops
/// it with SIGTERM, then kills it if it does not exit.
/// </summary>
internal sealed class ChildProcess : IAsyncDisposable
{
    private const int KeptLines = 60;

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();
    private readonly string _name;

    private ChildProcess(string name, Process process)
    {
        _name = name;
        _process = process;
    }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>The last lines the process wrote, to quote when it misbehaves.</summary>
    public string RecentOutput => string.Join(Environment.NewLine, _output);

    public static ChildProcess Start(string name, string dll, IReadOnlyDictionary<string, string> environment, string workingDirectory)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        start.ArgumentList.Add(dll);
        // Nothing of the benchmark's own environment leaks in except what a process needs to run dotnet at all.
        var inherited = start.Environment.Keys.Where(k => k is not ("PATH" or "HOME" or "DOTNET_ROOT" or "TMPDIR" or "LANG")).ToList();
        foreach (var key in inherited)
        {
            start.Environment.Remove(key);
        }
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {name} ({dll}).");
        var child = new ChildProcess(name, process);
        process.OutputDataReceived += (_, e) => child.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => child.Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    /// <summary>Resident memory from <c>/proc/{pid}/status</c>.</summary>
    public ProcessMemory ReadMemory() => ProcessMemory.Read(_process.Id);

    /// <summary>Throws with the process's recent output if it has exited.</summary>
    public void ThrowIfExited()
    {
        if (_process.HasExited)
        {
            throw new InvalidOperationException($"{_name} exited with code {_process.ExitCode}:{Environment.NewLine}{RecentOutput}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            // SIGTERM by this process's own id: the graceful shutdown a platform would ask for.
            using (var term = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]))
            {
                await term.WaitForExitAsync();
            }
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            try
            {
                await _process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }
        _process.Dispose();
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }
        _output.Enqueue(line);
        while (_output.Count > KeptLines && _output.TryDequeue(out _))
        {
        }
    }
}

/// <summary>Resident memory of a process in bytes, as Linux reports it.</summary>
/// <param name="Rss">VmRSS: what the process holds in RAM now (the figure a container limit applies to).</param>
/// <param name="Anonymous">RssAnon: heap, stacks, the GC's and JIT's memory.</param>
/// <param name="File">RssFile: mapped files (the runtime, assemblies, ICU data), shared with other processes.</param>
/// <param name="Shared">RssShmem: shared memory; .NET's W^X double mapping of JIT-ed code lives here.</param>
/// <param name="Peak">VmHWM: the highest VmRSS so far.</param>
internal sealed record ProcessMemory(long Rss, long Anonymous, long File, long Shared, long Peak)
{
    public static ProcessMemory Read(int processId)
    {
        var values = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var line in System.IO.File.ReadLines($"/proc/{processId}/status"))
        {
            // e.g. "VmRSS:	   61234 kB"
            var parts = line.Split(':', 2);
            if (parts.Length == 2 && parts[1].Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries) is [var number, "kB"])
            {
                values[parts[0]] = long.Parse(number, CultureInfo.InvariantCulture) * 1024;
            }
        }
        return new ProcessMemory(values.GetValueOrDefault("VmRSS"), values.GetValueOrDefault("RssAnon"), values.GetValueOrDefault("RssFile"),
            values.GetValueOrDefault("RssShmem"), values.GetValueOrDefault("VmHWM"));
    }
}
