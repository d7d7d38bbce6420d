using Compliance.Api.Persistence;
using Compliance.Testing.Servers;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Compliance.Api.Tests.Persistence;

/// <summary>The migrations against a real Postgres: idempotent, race-free, exactly the model, and none missing.</summary>
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

            var migrated = await DatabaseSchema.DescribeAsync(_database);
            var modelled = await DatabaseSchema.DescribeAsync(fromModel);
            Assert.Equal(modelled, migrated);
        }
        finally
        {
            await TestServers.DropDatabaseAsync(fromModel);
        }
    }

    [Fact]
    public void The_model_has_no_changes_without_a_migration()
    {
        // What `dotnet ef migrations has-pending-model-changes` checks (test.sh runs that too): the model against the
        // snapshot, no database needed. Fix a failure with `dotnet ef migrations add <Name> --project src/Compliance.Api`.
        using var context = new DbContextFactory("Host=localhost;Database=unused").Create();
        Assert.False(context.Database.HasPendingModelChanges(),
            "The EF model changed but no migration describes the change: run dotnet ef migrations add <Name> --project src/Compliance.Api.");
    }

    /// <summary>The migrator as the API registers it, on <paramref name="connectionString"/>, with no warning ignored.</summary>
    internal static ServiceProvider Services(string connectionString)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddDbContext<ComplianceDbContext>(o => o.UseNpgsql(connectionString));
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

    private sealed class DbContextFactory(string connectionString)
    {
        public ComplianceDbContext Create() => new(new DbContextOptionsBuilder<ComplianceDbContext>().UseNpgsql(connectionString).Options);
    }
}
