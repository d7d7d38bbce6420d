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

    /// <summary>Waits between start-up attempts: four attempts over about seven seconds.</summary>
    internal static readonly TimeSpan[] RetryDelays = [TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4)];

    /// <summary>Applies what is pending; returns the migrations applied by this call.</summary>
    public async Task<IReadOnlyList<string>> MigrateAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ComplianceDbContext>();

        await using var lockConnection = new NpgsqlConnection(db.Database.GetConnectionString());
        try
        {
            await lockConnection.OpenAsync(cancellationToken);
        }
        catch (NpgsqlException ex)
        {
            // The first contact with the database: failing here means DATABASE_URL leads nowhere usable.
            throw new DatabaseUnavailableException(ex, attempts: 1);
        }
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

    /// <summary>
    /// <see cref="MigrateAsync"/>, retried briefly while the database is unreachable (a dyno or container can start
    /// before its database accepts connections). A database that stays unreachable, or refuses the connection (wrong
    /// password, no such database), ends in <see cref="DatabaseUnavailableException"/> after at most
    /// <see cref="RetryDelays"/>' sum of waiting.
    /// </summary>
    public async Task<IReadOnlyList<string>> MigrateWithRetriesAsync(CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await MigrateAsync(cancellationToken);
            }
            catch (Exception ex) when (IsTransient(ex) && attempt <= RetryDelays.Length)
            {
                logger.LogWarning("Database not reachable for migrations ({Reason}); retrying in {Delay}",
                    ex is DatabaseUnavailableException { InnerException: { } cause } ? cause.Message : ex.Message, RetryDelays[attempt - 1]);
                await Task.Delay(RetryDelays[attempt - 1], cancellationToken);
            }
            catch (DatabaseUnavailableException ex) when (attempt > 1 && ex.InnerException is NpgsqlException cause)
            {
                throw new DatabaseUnavailableException(cause, attempt);
            }
        }
    }

    private static bool IsTransient(Exception exception) =>
        exception is NpgsqlException { IsTransient: true } or DatabaseUnavailableException { IsTransient: true };

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("key", AdvisoryLockKey);
        await command.ExecuteScalarAsync(cancellationToken);
    }
}

/// <summary>Runs the migrator before the API accepts traffic, retrying briefly while the database comes up.</summary>
internal sealed class MigrateOnStartup(DatabaseMigrator migrator) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => migrator.MigrateWithRetriesAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
