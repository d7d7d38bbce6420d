using System.Data.Common;
using System.Text.Json;
using Compliance.Api.Persistence;
using Compliance.Api.Persistence.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;
using NpgsqlTypes;

namespace Compliance.Api.Users;

/// <summary>What the API needs to know about a Discord user on each request.</summary>
public sealed record UserStatus(long Id, string DiscordUserId, UserRole Role, bool IsBanned, string? BanReason, UserPreferences Preferences);

/// <summary>
/// The users table as the request path sees it: one statement (<c>INSERT ... ON CONFLICT DO UPDATE ... RETURNING</c>)
/// creates the user on first sight or updates last-seen, names and counters, and returns role, ban and preferences.
/// Concurrent first requests from one user end as one row, without a read-then-write race.
/// </summary>
public sealed class UserDirectory(ComplianceDbContext db, TimeProvider clock)
{
    private const NpgsqlDbType Text = NpgsqlDbType.Text;
    private static readonly JsonSerializerOptions Json = new() { PropertyNameCaseInsensitive = true };

    /// <summary>
    /// Records that <paramref name="discordUserId"/> was seen now (adding the given counts) and returns their status.
    /// Null names leave stored names as they are.
    /// </summary>
    public async Task<UserStatus> TouchAsync(string discordUserId, string? userName = null, string? displayName = null,
        int questions = 0, int feedback = 0, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(discordUserId);
        const string sql = """
            INSERT INTO users ("DiscordUserId", "UserName", "DisplayName", "Role", "IsBanned", "FirstSeenAt", "LastSeenAt",
                               "QuestionCount", "FeedbackCount", "Preferences")
            VALUES (@id, @name, @display, 'user', false, @now, @now, @questions, @feedback, '{"AnswerPrivately":false}')
            ON CONFLICT ("DiscordUserId") DO UPDATE SET
                "UserName" = COALESCE(EXCLUDED."UserName", users."UserName"),
                "DisplayName" = COALESCE(EXCLUDED."DisplayName", users."DisplayName"),
                "LastSeenAt" = GREATEST(users."LastSeenAt", EXCLUDED."LastSeenAt"),
                "QuestionCount" = users."QuestionCount" + EXCLUDED."QuestionCount",
                "FeedbackCount" = users."FeedbackCount" + EXCLUDED."FeedbackCount"
            RETURNING "Id", "DiscordUserId", "Role", "IsBanned", "BanReason", "Preferences"::text
            """;
        return (await QueryAsync(sql, cancellationToken,
            ("id", discordUserId, Text), ("name", Clamp(userName, 100), Text), ("display", Clamp(displayName, 100), Text),
            ("now", clock.GetUtcNow(), NpgsqlDbType.TimestampTz), ("questions", questions, NpgsqlDbType.Integer), ("feedback", feedback, NpgsqlDbType.Integer)))!;
    }

    /// <summary>The user's status, or null if they were never seen; does not touch last-seen.</summary>
    public Task<UserStatus?> FindAsync(string discordUserId, CancellationToken cancellationToken = default) =>
        QueryAsync("""
            SELECT "Id", "DiscordUserId", "Role", "IsBanned", "BanReason", "Preferences"::text FROM users WHERE "DiscordUserId" = @id
            """, cancellationToken, ("id", discordUserId, Text));

    /// <summary>Stores the user's preferences (creating the user if needed) and returns the new status.</summary>
    public async Task<UserStatus> SavePreferencesAsync(string discordUserId, UserPreferences preferences, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(preferences);
        await TouchAsync(discordUserId, cancellationToken: cancellationToken);
        return (await QueryAsync("""
            UPDATE users SET "Preferences" = @preferences::jsonb WHERE "DiscordUserId" = @id
            RETURNING "Id", "DiscordUserId", "Role", "IsBanned", "BanReason", "Preferences"::text
            """, cancellationToken, ("id", discordUserId, Text), ("preferences", JsonSerializer.Serialize(preferences), Text)))!;
    }

    /// <summary>Sets role and ban (creating the user if needed); null arguments leave a value unchanged.</summary>
    public async Task<UserStatus> UpdateAccessAsync(string discordUserId, UserRole? role, bool? banned, string? banReason,
        CancellationToken cancellationToken = default)
    {
        await TouchAsync(discordUserId, cancellationToken: cancellationToken);
        return (await QueryAsync("""
            UPDATE users SET
                "Role" = COALESCE(@role, "Role"),
                "IsBanned" = COALESCE(@banned, "IsBanned"),
                "BanReason" = CASE WHEN COALESCE(@banned, "IsBanned") THEN COALESCE(@reason, "BanReason") ELSE NULL END
            WHERE "DiscordUserId" = @id
            RETURNING "Id", "DiscordUserId", "Role", "IsBanned", "BanReason", "Preferences"::text
            """, cancellationToken, ("id", discordUserId, Text),
            ("role", role is { } r ? Persistence.EntityConfigurations.SnakeCase.From(r.ToString()) : null, Text),
            ("banned", banned, NpgsqlDbType.Boolean), ("reason", Clamp(banReason, 500), Text)))!;
    }

    private async Task<UserStatus?> QueryAsync(string sql, CancellationToken cancellationToken, params (string Name, object? Value, NpgsqlDbType Type)[] parameters)
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
            if (db.Database.CurrentTransaction?.GetDbTransaction() is NpgsqlTransaction transaction)
            {
                command.Transaction = transaction;
            }
            foreach (var (name, value, type) in parameters)
            {
                command.Parameters.Add(new NpgsqlParameter(name, type) { Value = value ?? DBNull.Value });
            }
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            return await reader.ReadAsync(cancellationToken) ? Read(reader) : null;
        }
        finally
        {
            if (opened)
            {
                await connection.CloseAsync();
            }
        }
    }

    private static UserStatus Read(DbDataReader reader) => new(
        reader.GetInt64(0),
        reader.GetString(1),
        Enum.Parse<UserRole>(reader.GetString(2).Replace("_", string.Empty, StringComparison.Ordinal), ignoreCase: true),
        reader.GetBoolean(3),
        reader.IsDBNull(4) ? null : reader.GetString(4),
        JsonSerializer.Deserialize<UserPreferences>(reader.GetString(5), Json) ?? new UserPreferences());

    private static string? Clamp(string? value, int max) => Audit.CanonicalForm.Text(value, max) is { Length: > 0 } text ? text : null;
}
