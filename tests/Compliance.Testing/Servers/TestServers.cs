using Npgsql;

namespace Compliance.Testing.Servers;

/// <summary>
/// The Postgres and Redis the test run shares. <c>./test.sh</c> starts them and passes
/// <c>COMPLIANCE_TEST_DATABASE_URL</c> / <c>COMPLIANCE_TEST_REDIS_URL</c>; when a test is run on its own (an IDE,
/// a bare <c>dotnet test</c>), throwaway servers are started here instead and stopped when the process exits.
/// </summary>
public static class TestServers
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static string? s_postgres;
    private static string? s_redis;

    /// <summary>A superuser connection string to the shared cluster's <c>postgres</c> database.</summary>
    public static async Task<string> PostgresAdminAsync()
    {
        if (s_postgres is not null)
        {
            return s_postgres;
        }
        await Gate.WaitAsync();
        try
        {
            if (s_postgres is null)
            {
                var configured = Environment.GetEnvironmentVariable("COMPLIANCE_TEST_DATABASE_URL");
                if (!string.IsNullOrWhiteSpace(configured))
                {
                    s_postgres = configured;
                }
                else
                {
                    var server = await LocalPostgres.StartAsync();
                    AppDomain.CurrentDomain.ProcessExit += (_, _) => server.DisposeAsync().AsTask().GetAwaiter().GetResult();
                    s_postgres = server.AdminConnectionString;
                }
            }
            return s_postgres;
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>A <c>redis://</c> URL of the shared Redis.</summary>
    public static async Task<string> RedisUrlAsync()
    {
        if (s_redis is not null)
        {
            return s_redis;
        }
        await Gate.WaitAsync();
        try
        {
            if (s_redis is null)
            {
                var configured = Environment.GetEnvironmentVariable("COMPLIANCE_TEST_REDIS_URL");
                if (!string.IsNullOrWhiteSpace(configured))
                {
                    s_redis = configured;
                }
                else
                {
                    var server = await LocalRedis.StartAsync();
                    AppDomain.CurrentDomain.ProcessExit += (_, _) => server.DisposeAsync().AsTask().GetAwaiter().GetResult();
                    s_redis = server.Url;
                }
            }
            return s_redis;
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>Creates an empty, uniquely named database on the cluster and returns a connection string to it.</summary>
    public static async Task<string> CreateDatabaseAsync(string adminConnectionString, string prefix = "test")
    {
        var name = $"{prefix}_{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 33, 63)];
        await using (var connection = new NpgsqlConnection(adminConnectionString))
        {
            await connection.OpenAsync();
            // The name is generated above from a GUID, never from input, so quoting it is enough.
            await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await command.ExecuteNonQueryAsync();
        }
        return new NpgsqlConnectionStringBuilder(adminConnectionString) { Database = name, Pooling = true }.ConnectionString;
    }

    /// <summary>Drops a database created by <see cref="CreateDatabaseAsync"/>, closing its connections first.</summary>
    public static async Task DropDatabaseAsync(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        var name = builder.Database!;
        NpgsqlConnection.ClearAllPools();
        builder.Database = "postgres";
        builder.Pooling = false;
        await using var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", connection);
        await command.ExecuteNonQueryAsync();
    }
}
