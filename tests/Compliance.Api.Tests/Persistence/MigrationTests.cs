using Compliance.Api.Persistence;
using Compliance.Testing.Servers;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Compliance.Api.Tests.Persistence;

/// <summary>The hand-written migrations against a real Postgres: idempotent, race-free, and exactly the model.</summary>
public sealed class MigrationTests : IAsyncLifetime
{
    private string _database = string.Empty;

    public async ValueTask InitializeAsync() =>
        _database = await TestServers.CreateDatabaseAsync(await TestServers.PostgresAdminAsync(), "migrations");

    public async ValueTask DisposeAsync() => await TestServers.DropDatabaseAsync(_database);

    [Fact]
    public async Task Applying_twice_applies_once_then_nothing()
    {
        await using var services = Services(_database);
        var migrator = services.GetRequiredService<DatabaseMigrator>();

        var first = await migrator.MigrateAsync(TestContext.Current.CancellationToken);
        var second = await migrator.MigrateAsync(TestContext.Current.CancellationToken);

        Assert.NotEmpty(first);
        Assert.Empty(second);
        Assert.Equal(first.Count, await CountHistoryRows(_database));
    }

    [Fact]
    public async Task Two_instances_starting_together_apply_each_migration_exactly_once()
    {
        // Two separate service providers stand for two API processes racing at start-up.
        await using var one = Services(_database);
        await using var two = Services(_database);
        var ct = TestContext.Current.CancellationToken;

        var results = await Task.WhenAll(
            Task.Run(() => one.GetRequiredService<DatabaseMigrator>().MigrateAsync(ct), ct),
            Task.Run(() => two.GetRequiredService<DatabaseMigrator>().MigrateAsync(ct), ct));

        // One instance applied everything while the other waited on the advisory lock and found nothing to do.
        Assert.Single(results, r => r.Count > 0);
        Assert.Single(results, r => r.Count == 0);
        await using var context = new DbContextFactory(_database).Create();
        Assert.Equal(context.Database.GetMigrations().Count(), await CountHistoryRows(_database));
    }

    [Fact]
    public async Task Migrations_build_exactly_the_schema_the_model_describes()
    {
        var ct = TestContext.Current.CancellationToken;
        var fromModel = await TestServers.CreateDatabaseAsync(await TestServers.PostgresAdminAsync(), "model");
        try
        {
            await using (var services = Services(_database))
            {
                await services.GetRequiredService<DatabaseMigrator>().MigrateAsync(ct);
            }
            await using (var context = new DbContextFactory(fromModel).Create())
            {
                await context.Database.ExecuteSqlRawAsync(context.Database.GenerateCreateScript(), ct);
            }

            var migrated = await DescribeSchema(_database);
            var modelled = await DescribeSchema(fromModel);
            Assert.Equal(modelled, migrated);
        }
        finally
        {
            await TestServers.DropDatabaseAsync(fromModel);
        }
    }

    private static ServiceProvider Services(string connectionString)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddDbContext<ComplianceDbContext>(o => o.UseNpgsql(connectionString)
            .ConfigureWarnings(w => w.Ignore(Microsoft.EntityFrameworkCore.Diagnostics.RelationalEventId.PendingModelChangesWarning)));
        services.AddSingleton<DatabaseMigrator>();
        services.AddSingleton(NullLoggerFactory.Instance);
        return services.BuildServiceProvider();
    }

    private static async Task<long> CountHistoryRows(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(*) FROM \"__EFMigrationsHistory\"", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>Every column (type, nullability, default), index and constraint of the public tables, as sorted text.</summary>
    private static async Task<List<string>> DescribeSchema(string connectionString)
    {
        const string sql = """
            SELECT 'column ' || table_name || '.' || column_name || ' ' || data_type || ' ' || coalesce(character_maximum_length::text, '')
                   || ' ' || coalesce(numeric_precision::text, '') || ',' || coalesce(numeric_scale::text, '')
                   || ' nullable=' || is_nullable || ' identity=' || is_identity
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

    private sealed class DbContextFactory(string connectionString)
    {
        public ComplianceDbContext Create() => new(new DbContextOptionsBuilder<ComplianceDbContext>().UseNpgsql(connectionString).Options);
    }
}
