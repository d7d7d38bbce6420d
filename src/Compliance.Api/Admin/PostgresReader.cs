using System.Data.Common;
using Compliance.Api.Persistence;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Compliance.Api.Admin;

/// <summary>
/// Runs a hand-written, parameterised SQL query on the context's connection. Used where the SQL says it better than
/// LINQ (percentiles, jsonb arrays, lateral joins); values only ever travel as parameters.
/// </summary>
internal static class PostgresReader
{
    public static async Task<List<T>> ReadAsync<T>(ComplianceDbContext db, string sql, Func<DbDataReader, T> map,
        CancellationToken cancellationToken, params NpgsqlParameter[] parameters)
    {
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        var opened = connection.State != System.Data.ConnectionState.Open;
        if (opened)
        {
            await connection.OpenAsync(cancellationToken);
        }
        try
        {
            await using var command = new NpgsqlCommand(sql, connection);
            command.Parameters.AddRange(parameters);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            var rows = new List<T>();
            while (await reader.ReadAsync(cancellationToken))
            {
                rows.Add(map(reader));
            }
            return rows;
        }
        finally
        {
            if (opened)
            {
                await connection.CloseAsync();
            }
        }
    }

    public static T? Nullable<T>(this DbDataReader reader, int ordinal) where T : struct =>
        reader.IsDBNull(ordinal) ? null : reader.GetFieldValue<T>(ordinal);

    public static string? NullableString(this DbDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);
}
