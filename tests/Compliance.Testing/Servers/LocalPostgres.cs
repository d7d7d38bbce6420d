using Npgsql;

namespace Compliance.Testing.Servers;

/// <summary>
/// A throwaway Postgres cluster started from the OS packages (initdb + pg_ctl) in a temporary folder on a free
/// port, trust-authenticated on loopback. Tests that need to stop and restart the database (outage tests) start
/// their own; the rest share the one <c>./test.sh</c> starts (see <see cref="TestServers"/>).
/// </summary>
public sealed class LocalPostgres : IAsyncDisposable
{
    private readonly string _bin;
    private readonly string _dataDirectory;
    private readonly string? _runAs;

    private LocalPostgres(string bin, string root, int port)
    {
        _bin = bin;
        Root = root;
        _dataDirectory = Path.Combine(root, "data");
        Port = port;
        _runAs = ProcessRunner.IsRoot ? "postgres" : null;
    }

    public string Root { get; }

    public int Port { get; }

    /// <summary>A superuser connection string to the <c>postgres</c> database.</summary>
    public string AdminConnectionString => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = Port,
        Username = "postgres",
        Database = "postgres",
        Pooling = false,
    }.ConnectionString;

    public static async Task<LocalPostgres> StartAsync()
    {
        var bin = FindBinDirectory();
        var root = Path.Combine(Path.GetTempPath(), "compliance-pg-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(root);
        var server = new LocalPostgres(bin, root, FreePort.Next());
        if (server._runAs is not null)
        {
            await ProcessRunner.RunAsync("chown", ["-R", "postgres:postgres", root]);
        }

        await ProcessRunner.RunAsync(Path.Combine(bin, "initdb"),
            ["-D", server._dataDirectory, "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8", "--locale=C"], server._runAs);
        await server.StartServerAsync();
        return server;
    }

    /// <summary>Stops the server (fast shutdown), keeping its data, as an outage would.</summary>
    public Task StopServerAsync() =>
        ProcessRunner.RunAsync(Path.Combine(_bin, "pg_ctl"), ["-D", _dataDirectory, "-m", "fast", "-w", "stop"], _runAs);

    /// <summary>Starts the server again on the same port.</summary>
    public Task StartServerAsync() =>
        ProcessRunner.RunAsync(Path.Combine(_bin, "pg_ctl"),
            ["-D", _dataDirectory, "-l", Path.Combine(Root, "server.log"), "-w", "-o",
             $"-p {Port} -k {Root} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200", "start"], _runAs);

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopServerAsync();
        }
        catch (InvalidOperationException)
        {
            // Already stopped by the test.
        }
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless.
        }
    }

    /// <summary><c>COMPLIANCE_PG_BIN</c>, else the newest <c>/usr/lib/postgresql/*/bin</c>.</summary>
    public static string FindBinDirectory()
    {
        var configured = Environment.GetEnvironmentVariable("COMPLIANCE_PG_BIN");
        if (!string.IsNullOrEmpty(configured) && File.Exists(Path.Combine(configured, "initdb")))
        {
            return configured;
        }

        const string root = "/usr/lib/postgresql";
        var candidates = Directory.Exists(root)
            ? Directory.GetDirectories(root)
                .Select(d => Path.Combine(d, "bin"))
                .Where(d => File.Exists(Path.Combine(d, "initdb")))
                .OrderByDescending(d => int.TryParse(Path.GetFileName(Path.GetDirectoryName(d)), out var v) ? v : 0)
                .ToList()
            : [];
        return candidates.FirstOrDefault() ?? throw new InvalidOperationException(
            "PostgreSQL server binaries were not found (install the 'postgresql' package, or set COMPLIANCE_PG_BIN). ./test.sh installs them.");
    }
}
