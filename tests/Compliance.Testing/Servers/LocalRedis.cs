using System.Diagnostics;

namespace Compliance.Testing.Servers;

/// <summary>A throwaway Redis started from the OS package on a free loopback port, without persistence.</summary>
public sealed class LocalRedis : IAsyncDisposable
{
    private readonly Process _process;

    private LocalRedis(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    public string Url => $"redis://127.0.0.1:{Port}";

    private static readonly string[] BinaryLocations = ["/usr/bin/redis-server", "/usr/local/bin/redis-server"];

    /// <summary>Starts a server on a free port, or on <paramref name="port"/> (e.g. to bring a stopped one back).</summary>
    public static async Task<LocalRedis> StartAsync(int? port = null)
    {
        var binary = BinaryLocations.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("redis-server was not found (install the 'redis-server' package). ./test.sh installs it.");
        var listenOn = port ?? FreePort.Next();
        var start = new ProcessStartInfo(binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "--port", listenOn.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no" })
        {
            start.ArgumentList.Add(argument);
        }
        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start redis-server.");
        // Drain output so the pipe never fills and blocks the server.
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        for (var attempt = 0; attempt < 100; attempt++)
        {
            try
            {
                using var client = new System.Net.Sockets.TcpClient();
                await client.ConnectAsync("127.0.0.1", listenOn);
                return new LocalRedis(process, listenOn);
            }
            catch (System.Net.Sockets.SocketException)
            {
                await Task.Delay(50);
            }
        }
        process.Kill();
        throw new InvalidOperationException($"redis-server did not start listening on port {listenOn}.");
    }

    public ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit(5000);
        }
        _process.Dispose();
        return ValueTask.CompletedTask;
    }
}
