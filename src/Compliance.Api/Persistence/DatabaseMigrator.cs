using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql;

namespace Compliance.Api.Persistence;

/// <summary>
/// Applies pending migrations while holding a Postgres advisory lock, so two instances starting together (two
/// web dynos, or a release phase racing a dyno) never apply the same migration twice.
/// </summary>
public sealed class DatabaseMigrator(IServiceScopeFactory scopes, ILogger<DatabaseMigrator> logger)
{
    /// <summary>An arbitrary, fixed key: "Compliance migrations". Any process using it waits for the holder.</summary>
    public const long AdvisoryLockKey = 0x436F6D706C5F6D67;

    /// <summary>Applies what is pending; returns the migrations applied by this call.</summary>
    public async Task<IReadOnlyList<string>> MigrateAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ComplianceDbContext>();

        await using var lockConnection = new NpgsqlConnection(db.Database.GetConnectionString());
        await lockConnection.OpenAsync(cancellationToken);
        await ExecuteAsync(lockConnection, "SELECT pg_advisory_lock(@key)", cancellationToken);
        try
        {
            // EF queries its history table before creating it and logs that failure as an error on every fresh
            // database; creating it first keeps the log honest (an ERR line should mean something went wrong).
            var history = db.GetService<IHistoryRepository>();
            if (!await history.ExistsAsync(cancellationToken))
            {
                await db.Database.ExecuteSqlRawAsync(history.GetCreateIfNotExistsScript(), cancellationToken);
            }

            // Read pending migrations only after taking the lock: another instance may have just applied them.
            var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
            if (pending.Count == 0)
            {
                logger.LogInformation("Database schema is up to date");
                return [];
            }

            logger.LogInformation("Applying {Count} migration(s): {Migrations}", pending.Count, string.Join(", ", pending));
            await db.Database.MigrateAsync(cancellationToken);
            return pending;
        }
        finally
        {
            await ExecuteAsync(lockConnection, "SELECT pg_advisory_unlock(@key)", CancellationToken.None);
        }
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("key", AdvisoryLockKey);
        await command.ExecuteScalarAsync(cancellationToken);
    }
}

/// <summary>Runs the migrator before the API accepts traffic, retrying briefly while the database comes up.</summary>
internal sealed class MigrateOnStartup(DatabaseMigrator migrator, ILogger<MigrateOnStartup> logger) : IHostedService
{
    private static readonly TimeSpan[] RetryDelays = [TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4)];

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await migrator.MigrateAsync(cancellationToken);
                return;
            }
            catch (NpgsqlException ex) when (attempt < RetryDelays.Length && ex.IsTransient)
            {
                logger.LogWarning("Database not reachable for migrations ({Reason}); retrying in {Delay}", ex.Message, RetryDelays[attempt]);
                await Task.Delay(RetryDelays[attempt], cancellationToken);
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
