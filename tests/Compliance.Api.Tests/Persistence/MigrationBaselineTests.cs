using System.Net;
using Compliance.Api.Persistence;
using Compliance.Api.Tests.Infrastructure;
using Compliance.Testing.Servers;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.DependencyInjection;

namespace Compliance.Api.Tests.Persistence;

/// <summary>
/// The dotnet-ef baseline replaced a hand-written migration under the same id. Production databases were built by
/// the hand-written one: the fixture is a dump of exactly such a database (see its header). They must be recognised
/// as at the baseline (its row left untouched, only the migrations written since applied), and a database built
/// today must be indistinguishable from them, at the baseline and after the later migrations.
/// </summary>
public sealed class MigrationBaselineTests : IAsyncLifetime
{
    private const string HandWrittenMigrationRow = "20261121090000_InitialSchema 10.0.14";

    private const string Baseline = "20261121090000_InitialSchema";

    private string _handWritten = string.Empty;

    public async ValueTask InitializeAsync()
    {
        _handWritten = await TestServers.CreateDatabaseAsync(await TestServers.PostgresAdminAsync(), "handwritten");
        await DatabaseSchema.RestoreAsync(_handWritten, FixturePath());
    }

    public async ValueTask DisposeAsync() => await TestServers.DropDatabaseAsync(_handWritten);

    [Fact]
    public async Task The_fixture_is_the_hand_written_migrations_database()
    {
        // Guards the other tests: an empty or half-restored fixture would make "nothing changed" trivially true.
        Assert.Equal([HandWrittenMigrationRow], await DatabaseSchema.HistoryAsync(_handWritten));
        var schema = await DatabaseSchema.DescribeAsync(_handWritten);
        Assert.Contains(schema, line => line.StartsWith("column query_logs.Hash character 64", StringComparison.Ordinal));
        Assert.Contains(schema, line => line == "constraint query_feedback ck_query_feedback_rating CHECK (((\"Rating\" >= 1) AND (\"Rating\" <= 5)))");
        Assert.Contains(schema, line => line.Contains("IX_documents_TenantId_Sha256", StringComparison.Ordinal) &&
            line.Contains("WHERE ((\"Status\")::text <> 'deleted'::text)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_API_starts_on_a_database_the_hand_written_migration_built_and_applies_only_the_later_migrations()
    {
        var ct = TestContext.Current.CancellationToken;
        List<string> later;

        await using (var api = new ComplianceApiFactory { DatabaseOverride = _handWritten })
        {
            await api.InitializeAsync();
            using var client = api.CreateClient(token: null); // starts the host, and with it the start-up migration
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/ready", ct)).StatusCode);

            await using var scope = api.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<ComplianceDbContext>();
            later = db.Database.GetMigrations().Where(m => string.CompareOrdinal(m, Baseline) > 0).ToList();
            Assert.NotEmpty(later);
            var migrator = api.Logs.Entries.Where(e => e.Category == typeof(DatabaseMigrator).FullName).Select(e => e.Message).ToList();
            Assert.Equal([$"Applying {later.Count} migration(s): {string.Join(", ", later)}"], migrator);
            Assert.Empty(await db.Database.GetPendingMigrationsAsync(ct));
            Assert.False(db.Database.HasPendingModelChanges());
        }

        // The baseline's own row is kept as the hand-written migration wrote it (never re-applied), and the schema
        // is exactly a database migrated today.
        var history = await DatabaseSchema.HistoryAsync(_handWritten);
        Assert.Equal(HandWrittenMigrationRow, history[0]);
        Assert.Equal(later, history.Skip(1).Select(row => row.Split(' ')[0]));
        var fresh = await TestServers.CreateDatabaseAsync(await TestServers.PostgresAdminAsync(), "today");
        try
        {
            await using (var services = MigrationTests.Services(fresh))
            {
                await services.GetRequiredService<DatabaseMigrator>().MigrateAsync(ct);
            }
            Assert.Equal(await DatabaseSchema.DescribeAsync(fresh), await DatabaseSchema.DescribeAsync(_handWritten));
            Assert.Equal(await LocalPostgres.DumpSchemaAsync(fresh), await LocalPostgres.DumpSchemaAsync(_handWritten));
        }
        finally
        {
            await TestServers.DropDatabaseAsync(fresh);
        }
    }

    [Fact]
    public async Task A_database_migrated_today_has_the_hand_written_migrations_schema()
    {
        var fresh = await TestServers.CreateDatabaseAsync(await TestServers.PostgresAdminAsync(), "baseline");
        try
        {
            await using (var services = MigrationTests.Services(fresh))
            {
                // Today's migrations up to the baseline only: what the hand-written one built.
                await using var scope = services.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<ComplianceDbContext>();
                Assert.Equal(Baseline, db.Database.GetMigrations().First());
                await db.GetService<IMigrator>().MigrateAsync(Baseline, TestContext.Current.CancellationToken);
                Assert.Equal([Baseline], await db.Database.GetAppliedMigrationsAsync(TestContext.Current.CancellationToken));
            }

            Assert.Equal(await DatabaseSchema.DescribeAsync(_handWritten), await DatabaseSchema.DescribeAsync(fresh));
            Assert.Equal(await LocalPostgres.DumpSchemaAsync(_handWritten), await LocalPostgres.DumpSchemaAsync(fresh));
        }
        finally
        {
            await TestServers.DropDatabaseAsync(fresh);
        }
    }

    private static string FixturePath() =>
        Path.Combine(ComplianceApiFactory.RepositoryRoot(), "tests", "Compliance.Api.Tests", "Persistence", "Fixtures", "hand-written-initial-schema.sql");
}
