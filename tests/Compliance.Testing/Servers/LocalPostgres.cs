using Npgsql;

namespace Compliance.Testing.Servers;

/// <summary>
/// A throwaway Postgres cluster started from the OS packages (initdb + pg_ctl) in a temporary folder on a free
/// port, trust-authenticated on loopback unless started with a password. Tests that need to stop and restart the
/// database (outage tests) or a real password check start their own; the rest share the one <c>./test.sh</c> starts
/// (see <see cref="TestServers"/>).
/// </summary>
public sealed class LocalPostgres : IAsyncDisposable
{
    private readonly string _bin;
    private readonly string _dataDirectory;
    private readonly string? _runAs;
    private readonly string? _password;

    private LocalPostgres(string bin, string root, int port, string? password)
    {
        _password = password;
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
        Password = _password,
        Pooling = false,
    }.ConnectionString;

    /// <summary>
    /// Starts a cluster. With <paramref name="password"/>, TCP connections must give it (SCRAM, as managed Postgres
    /// services require), so a wrong one is refused the way production would refuse it.
    /// </summary>
    public static async Task<LocalPostgres> StartAsync(string? password = null)
    {
        var bin = FindBinDirectory();
        var root = Path.Combine(Path.GetTempPath(), "compliance-pg-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(root);
        var server = new LocalPostgres(bin, root, FreePort.Next(), password);
        List<string> authentication = ["--auth=trust"];
        if (password is not null)
        {
            var passwordFile = Path.Combine(root, "password");
            await File.WriteAllTextAsync(passwordFile, password);
            authentication = ["--auth-local=trust", "--auth-host=scram-sha-256", "--pwfile=" + passwordFile];
        }
        if (server._runAs is not null)
        {
            await ProcessRunner.RunAsync("chown", ["-R", "postgres:postgres", root]);
        }

        await ProcessRunner.RunAsync(Path.Combine(bin, "initdb"),
            ["-D", server._dataDirectory, "-U", "postgres", .. authentication, "--no-sync", "-E", "UTF8", "--locale=C"], server._runAs);
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

    /// <summary>
    /// <c>pg_dump --schema-only</c> of a trust-authenticated database (the shared cluster), without its comment lines
    /// and psql meta-commands, so that two databases built the same way dump to the same text.
    /// </summary>
    public static async Task<string> DumpSchemaAsync(string connectionString)
    {
        var database = new NpgsqlConnectionStringBuilder(connectionString);
        var dump = await ProcessRunner.RunAsync(Path.Combine(FindBinDirectory(), "pg_dump"),
            ["--schema-only", "--no-owner", "--no-privileges",
             "--host", database.Host!, "--port", database.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
             "--username", database.Username ?? "postgres", database.Database!]);
        // Newer pg_dump releases wrap the dump in \restrict KEY ... \unrestrict KEY with a random key per run.
        return string.Join('\n', dump.Split('\n').Where(line => !line.StartsWith("--", StringComparison.Ordinal) &&
            !line.StartsWith("\\restrict", StringComparison.Ordinal) && !line.StartsWith("\\unrestrict", StringComparison.Ordinal)));
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
