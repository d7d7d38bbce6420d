using Npgsql;

namespace Compliance.Api.Tests.Persistence;

/// <summary>Ways to compare two databases' schemas: the catalog as sorted lines, and pg_dump's text.</summary>
internal static class DatabaseSchema
{
    /// <summary>
    /// Every column (type, length, precision, nullability, default, identity), index and constraint of the public
    /// tables except EF's history table, as sorted text.
    /// </summary>
    public static async Task<List<string>> DescribeAsync(string connectionString)
    {
        const string sql = """
            SELECT 'column ' || table_name || '.' || column_name || ' ' || data_type || ' ' || coalesce(character_maximum_length::text, '')
                   || ' ' || coalesce(numeric_precision::text, '') || ',' || coalesce(numeric_scale::text, '')
                   || ' nullable=' || is_nullable || ' default=' || coalesce(column_default, '')
                   || ' identity=' || is_identity || ' ' || coalesce(identity_generation, '')
            FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> '__EFMigrationsHistory'
            UNION ALL
            SELECT 'index ' || indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename <> '__EFMigrationsHistory'
            UNION ALL
            SELECT 'constraint ' || conrelid::regclass::text || ' ' || conname || ' ' || pg_get_constraintdef(oid)
            FROM pg_constraint WHERE connamespace = 'public'::regnamespace AND conrelid::regclass::text <> '"__EFMigrationsHistory"'
            """;
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string>();
        while (await reader.ReadAsync())
        {
            rows.Add(reader.GetString(0));
        }
        rows.Sort(StringComparer.Ordinal);
        return rows;
    }

    /// <summary>The rows of EF's migration history, as "id productVersion".</summary>
    public static async Task<List<string>> HistoryAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT \"MigrationId\" || ' ' || \"ProductVersion\" FROM \"__EFMigrationsHistory\" ORDER BY \"MigrationId\"", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string>();
        while (await reader.ReadAsync())
        {
            rows.Add(reader.GetString(0));
        }
        return rows;
    }

    /// <summary>Runs a SQL file (a pg_dump) on its own unpooled connection, since dumps change session settings.</summary>
    public static async Task RestoreAsync(string connectionString, string sqlFile)
    {
        var unpooled = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString;
        await using var connection = new NpgsqlConnection(unpooled);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(await File.ReadAllTextAsync(sqlFile), connection);
        await command.ExecuteNonQueryAsync();
    }
}
