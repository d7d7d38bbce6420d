using System.Net;
using Compliance.Api.Persistence;
using Compliance.Api.Tests.Infrastructure;
using Compliance.Testing.Servers;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Compliance.Api.Tests.Persistence;

/// <summary>
/// The dotnet-ef baseline replaced a hand-written migration under the same id. Production databases were built by
/// the hand-written one: the fixture is a dump of exactly such a database (see its header). They must be recognised
/// as up to date and left untouched, and a database built today must be indistinguishable from them.
/// </summary>
public sealed class MigrationBaselineTests : IAsyncLifetime
{
    private const string HandWrittenMigrationRow = "20261121090000_InitialSchema 10.0.14";

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
    public async Task The_API_starts_on_a_database_the_hand_written_migration_built_and_changes_nothing()
    {
        var ct = TestContext.Current.CancellationToken;
        var dumpBefore = await LocalPostgres.DumpSchemaAsync(_handWritten);

        await using (var api = new ComplianceApiFactory { DatabaseOverride = _handWritten })
        {
            await api.InitializeAsync();
            using var client = api.CreateClient(token: null); // starts the host, and with it the start-up migration
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/ready", ct)).StatusCode);

            var migrator = api.Logs.Entries.Where(e => e.Category == typeof(DatabaseMigrator).FullName).Select(e => e.Message).ToList();
            Assert.Equal(["Database schema is up to date"], migrator);
            await using var scope = api.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<ComplianceDbContext>();
            Assert.Empty(await db.Database.GetPendingMigrationsAsync(ct));
            Assert.False(db.Database.HasPendingModelChanges());
        }

        Assert.Equal(dumpBefore, await LocalPostgres.DumpSchemaAsync(_handWritten));
        Assert.Equal([HandWrittenMigrationRow], await DatabaseSchema.HistoryAsync(_handWritten));
    }

    [Fact]
    public async Task A_database_migrated_today_has_the_hand_written_migrations_schema()
    {
        var fresh = await TestServers.CreateDatabaseAsync(await TestServers.PostgresAdminAsync(), "baseline");
        try
        {
            await using (var services = MigrationTests.Services(fresh))
            {
                var applied = await services.GetRequiredService<DatabaseMigrator>().MigrateAsync(TestContext.Current.CancellationToken);
                Assert.Equal(["20261121090000_InitialSchema"], applied);
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
