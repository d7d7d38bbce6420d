using Compliance.Api.Audit;
using Compliance.Api.Persistence.Entities;
using Compliance.Api.Tests.Infrastructure;
using Compliance.Testing.Servers;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Compliance.Api.Tests.Audit;

/// <summary>
/// Nothing is lost when the real Postgres goes away during a burst: records wait in the fsync'd outbox and arrive,
/// in order and with the chain intact, once it is back — including across a restart of the API.
/// </summary>
public sealed class AuditOutageTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Records_written_while_postgres_is_stopped_arrive_in_order_after_it_returns()
    {
        await using var postgres = await LocalPostgres.StartAsync();
        await using var api = new ComplianceApiFactory { PostgresAdminOverride = postgres.AdminConnectionString }
            .WithSetting("AUDIT_RETRY_MAX_DELAY", "0.2");
        await api.InitializeAsync();
        var writer = api.Services.GetRequiredService<QueryLogWriter>();
        var audit = api.Services.GetRequiredService<SystemAuditWriter>();
        var outbox = api.Services.GetRequiredService<AuditOutbox>();
        var user = AuditRecords.NewDiscordId();
        var written = new List<Guid>();

        // A burst: the first part reaches Postgres, then Postgres stops mid-burst, and the burst goes on.
        for (var i = 0; i < 300; i++)
        {
            if (i == 100)
            {
                await api.AllStoredAsync();
                await postgres.StopServerAsync();
            }
            var log = AuditRecords.Question(user, $"burst question {i}", i % 7 == 0 ? QueryStatus.Refused : QueryStatus.Answered);
            await writer.AppendAsync(log, Ct);
            written.Add(log.Id);
            await audit.RecordAsync("service", "feedback.submit", log.Id.ToString(), new { i }, AuditOutcomes.Success, "127.0.0.1", Ct);
        }

        // While Postgres is down the records are on disk, not only in memory.
        var spooled = await WaitForAsync(() => Task.FromResult(outbox.ReadAll().Count >= 400));
        Assert.True(spooled, $"expected the 400 records written during the outage in the outbox; it holds {outbox.ReadAll().Count}");
        Assert.False(await writer.WaitUntilStoredAsync(written[^1], TimeSpan.FromMilliseconds(200), Ct));

        await postgres.StartServerAsync();
        await api.AllStoredAsync(TimeSpan.FromSeconds(60));

        var stored = await api.WithDbAsync(db => db.QueryLogs.AsNoTracking().OrderBy(q => q.Sequence).Select(q => q.Id).ToListAsync(Ct));
        Assert.Equal(written, stored);
        Assert.Equal(300, await api.WithDbAsync(db => db.SystemAuditLogs.CountAsync(a => a.Action == "feedback.submit", Ct)));
        var queryChain = await api.VerifyQueryLogAsync();
        var systemChain = await api.VerifySystemLogAsync();
        Assert.True(queryChain.Intact, queryChain.FirstBreak?.Detail);
        Assert.True(systemChain.Intact, systemChain.FirstBreak?.Detail);
        Assert.Empty(outbox.ReadAll());
    }

    [Fact]
    public async Task Records_left_in_the_outbox_at_shutdown_are_replayed_by_the_next_start()
    {
        await using var postgres = await LocalPostgres.StartAsync();
        var outboxDir = Path.Combine(Path.GetTempPath(), "compliance-outbox-" + Guid.NewGuid().ToString("N")[..12]);
        var user = AuditRecords.NewDiscordId();
        var written = new List<Guid>();
        string database;
        try
        {
            await using (var api = new ComplianceApiFactory { PostgresAdminOverride = postgres.AdminConnectionString }.WithSetting("AUDIT_OUTBOX_DIR", outboxDir))
            {
                await api.InitializeAsync();
                database = api.DatabaseConnectionString;
                var writer = api.Services.GetRequiredService<QueryLogWriter>();
                await api.AppendStoredAsync(AuditRecords.Question(user, "before the outage"));
                await postgres.StopServerAsync();
                for (var i = 0; i < 50; i++)
                {
                    var log = AuditRecords.Question(user, $"during the outage {i}");
                    await writer.AppendAsync(log, Ct);
                    written.Add(log.Id);
                }
                // Disposing stops the API while Postgres is still down: the records must survive on disk.
            }
            Assert.Contains(Directory.GetFiles(outboxDir, "outbox-*.jsonl"), file => File.ReadAllLines(file).Length == 50);

            await postgres.StartServerAsync();
            await using var restarted = new ComplianceApiFactory { PostgresAdminOverride = postgres.AdminConnectionString, DatabaseOverride = database }
                .WithSetting("AUDIT_OUTBOX_DIR", outboxDir);
            await restarted.InitializeAsync();
            _ = restarted.Services;

            Assert.True(await WaitForAsync(async () => await restarted.WithDbAsync(db => db.QueryLogs.CountAsync(Ct)) == 51),
                "the outbox was not replayed after the restart");
            var stored = await restarted.WithDbAsync(db => db.QueryLogs.AsNoTracking().OrderBy(q => q.Sequence).Skip(1).Select(q => q.Id).ToListAsync(Ct));
            Assert.Equal(written, stored);
            Assert.True((await restarted.VerifyQueryLogAsync()).Intact);
        }
        finally
        {
            Directory.Delete(outboxDir, recursive: true);
        }
    }

    private static async Task<bool> WaitForAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (await condition())
            {
                return true;
            }
            await Task.Delay(100, Ct);
        }
        return false;
    }
}
