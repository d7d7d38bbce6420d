using Compliance.Api.Audit;
using Compliance.Api.Persistence.Entities;
using Compliance.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Compliance.Api.Tests.Audit;

/// <summary>
/// The query log and system audit log are hash chains in the real Postgres: written in order, verifiable after a
/// round trip through the database, and any edit, insertion or deletion is found and named.
/// </summary>
public sealed class HashChainTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Records_link_in_write_order_and_verify_after_a_round_trip_through_postgres()
    {
        await using var api = await StartAsync();
        var user = AuditRecords.NewDiscordId();
        // Values Postgres would change or refuse: sub-microsecond time, NUL, a lone surrogate, over-long text, excess decimals.
        var awkward = AuditRecords.Question(user, "Can I trade\u0000 during the blackout? \ud800 " + new string('x', 5000));
        awkward.CreatedAt = new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.FromHours(2)).AddTicks(1234567);
        var logs = new List<QueryLog> { awkward };
        for (var i = 0; i < 19; i++)
        {
            logs.Add(AuditRecords.Question(user, $"Question {i}: may I accept a gift worth €{i * 10}? 日本語 🙂"));
        }
        var writer = api.Services.GetRequiredService<QueryLogWriter>();
        foreach (var log in logs)
        {
            await writer.AppendAsync(log, Ct);
        }
        await api.AllStoredAsync();

        var stored = await api.WithDbAsync(db => db.QueryLogs.AsNoTracking().OrderBy(q => q.Sequence).ToListAsync(Ct));
        Assert.Equal(logs.Select(l => l.Id), stored.Select(s => s.Id));
        Assert.Equal(Enumerable.Range(1, 20).Select(i => (long)i), stored.Select(s => s.Sequence));
        Assert.Equal(CanonicalForm.GenesisHash, stored[0].PreviousHash);
        for (var i = 1; i < stored.Count; i++)
        {
            Assert.Equal(stored[i - 1].Hash, stored[i].PreviousHash);
        }
        Assert.Equal(4000, stored[0].Question!.Length);
        Assert.DoesNotContain('\0', stored[0].Question!);

        var verification = await api.VerifyQueryLogAsync();
        Assert.True(verification.Intact, verification.FirstBreak?.Detail);
        Assert.Equal(20, verification.RecordsChecked);
        Assert.Equal(stored[^1].Hash, verification.LastHash);
    }

    [Fact]
    public async Task An_edited_question_is_named_as_the_first_broken_link()
    {
        await using var api = await StartAsync();
        await AppendAsync(api, 6);

        await api.SqlAsync("""UPDATE query_logs SET "Question" = 'Nothing to see here' WHERE "Sequence" = 4""");

        var verification = await api.VerifyQueryLogAsync();
        Assert.False(verification.Intact);
        Assert.Equal(4, verification.FirstBreak!.Sequence);
        Assert.Equal(ChainBreakKinds.Edited, verification.FirstBreak.Kind);
        Assert.Equal(3, verification.RecordsChecked);
    }

    [Fact]
    public async Task An_edit_that_recomputes_the_content_hash_still_breaks_the_link()
    {
        await using var api = await StartAsync();
        var logs = await AppendAsync(api, 5);
        var forged = logs[2];
        forged.Status = QueryStatus.Answered;
        forged.Answer = "A friendlier answer";
        var contentHash = CanonicalForm.ContentHash(forged);

        await api.SqlAsync($"""UPDATE query_logs SET "Answer" = 'A friendlier answer', "ContentHash" = '{contentHash}' WHERE "Sequence" = 3""");

        var verification = await api.VerifyQueryLogAsync();
        Assert.Equal((3L, ChainBreakKinds.Edited), (verification.FirstBreak!.Sequence, verification.FirstBreak.Kind));
    }

    [Fact]
    public async Task A_deleted_record_is_named_by_the_record_after_the_gap()
    {
        await using var api = await StartAsync();
        var logs = await AppendAsync(api, 6);

        await api.SqlAsync("""DELETE FROM query_logs WHERE "Sequence" = 3""");

        var verification = await api.VerifyQueryLogAsync();
        Assert.Equal(ChainBreakKinds.Deleted, verification.FirstBreak!.Kind);
        Assert.Equal(4, verification.FirstBreak.Sequence);
        Assert.Equal(logs[3].Id.ToString(), verification.FirstBreak.Record);
    }

    [Fact]
    public async Task A_deletion_hidden_by_renumbering_is_still_found()
    {
        await using var api = await StartAsync();
        await AppendAsync(api, 6);

        await api.SqlAsync("""
            DELETE FROM query_logs WHERE "Sequence" = 3;
            UPDATE query_logs SET "Sequence" = "Sequence" + 1000 WHERE "Sequence" > 3;
            UPDATE query_logs SET "Sequence" = "Sequence" - 1001 WHERE "Sequence" > 1000;
            """);

        var verification = await api.VerifyQueryLogAsync();
        Assert.Equal((3L, ChainBreakKinds.Deleted), (verification.FirstBreak!.Sequence, verification.FirstBreak.Kind));
    }

    [Fact]
    public async Task A_well_forged_inserted_record_is_named()
    {
        await using var api = await StartAsync();
        var logs = await AppendAsync(api, 5);

        // The forger links the new record to record 2 with correct hashes and renumbers the rest to make room.
        var forged = AuditRecords.Question(logs[0].DiscordUserId, "A question nobody asked");
        forged.Id = Guid.NewGuid();
        forged.CreatedAt = logs[1].CreatedAt.AddTicks(10);
        CanonicalForm.Normalise(forged);
        forged.ContentHash = CanonicalForm.ContentHash(forged);
        forged.PreviousHash = logs[1].Hash;
        forged.Hash = CanonicalForm.LinkHash(forged.PreviousHash, forged.ContentHash);
        forged.Sequence = 3;
        await api.SqlAsync("""
            UPDATE query_logs SET "Sequence" = "Sequence" + 1000 WHERE "Sequence" >= 3;
            UPDATE query_logs SET "Sequence" = "Sequence" - 999 WHERE "Sequence" >= 1000;
            """);
        await api.WithDbAsync(async db =>
        {
            db.QueryLogs.Add(forged);
            return await db.SaveChangesAsync(Ct);
        });

        var verification = await api.VerifyQueryLogAsync();
        Assert.Equal(ChainBreakKinds.Inserted, verification.FirstBreak!.Kind);
        Assert.Equal(3, verification.FirstBreak.Sequence);
        Assert.Equal(forged.Id.ToString(), verification.FirstBreak.Record);
    }

    [Fact]
    public async Task A_carelessly_inserted_record_is_named()
    {
        await using var api = await StartAsync();
        var logs = await AppendAsync(api, 4);
        var forged = AuditRecords.Question(logs[0].DiscordUserId, "Backdated question");
        forged.Id = Guid.NewGuid();
        CanonicalForm.Normalise(forged);
        forged.ContentHash = CanonicalForm.ContentHash(forged);
        forged.PreviousHash = new string('a', 64);
        forged.Hash = CanonicalForm.LinkHash(forged.PreviousHash, forged.ContentHash);
        forged.Sequence = 2;
        await api.SqlAsync("""
            UPDATE query_logs SET "Sequence" = "Sequence" + 1000 WHERE "Sequence" >= 2;
            UPDATE query_logs SET "Sequence" = "Sequence" - 999 WHERE "Sequence" >= 1000;
            """);
        await api.WithDbAsync(async db =>
        {
            db.QueryLogs.Add(forged);
            return await db.SaveChangesAsync(Ct);
        });

        var verification = await api.VerifyQueryLogAsync();
        Assert.Equal((2L, ChainBreakKinds.Inserted, forged.Id.ToString()),
            (verification.FirstBreak!.Sequence, verification.FirstBreak.Kind, verification.FirstBreak.Record));
    }

    [Fact]
    public async Task System_audit_records_chain_and_an_edited_detail_is_found()
    {
        await using var api = await StartAsync();
        var audit = api.Services.GetRequiredService<SystemAuditWriter>();
        for (var i = 0; i < 5; i++)
        {
            await audit.RecordAsync("admin", "user.ban", $"discord:{i}", new { reason = $"spam {i}", nested = new { b = 2, a = 1.5 } }, AuditOutcomes.Success, "127.0.0.1", Ct);
        }
        await api.AllStoredAsync();
        Assert.True((await api.VerifySystemLogAsync()).Intact);

        await api.SqlAsync("""UPDATE system_audit_logs SET "Details" = '{"reason":"routine"}' WHERE "Sequence" = 2""");

        var verification = await api.VerifySystemLogAsync();
        Assert.Equal((2L, ChainBreakKinds.Edited), (verification.FirstBreak!.Sequence, verification.FirstBreak.Kind));
    }

    [Fact]
    public async Task Two_api_instances_on_one_database_write_one_unbroken_chain()
    {
        await using var first = await StartAsync();
        await using var second = new ComplianceApiFactory { DatabaseOverride = first.DatabaseConnectionString };
        await second.InitializeAsync();
        var user = AuditRecords.NewDiscordId();

        var writes = new[] { first, second }.Select(api => Task.Run(async () =>
        {
            var writer = api.Services.GetRequiredService<QueryLogWriter>();
            for (var i = 0; i < 100; i++)
            {
                await writer.AppendAsync(AuditRecords.Question(user, $"question {i}"), Ct);
                if (i % 10 == 0)
                {
                    await Task.Yield();
                }
            }
        }, Ct));
        await Task.WhenAll(writes);
        await first.AllStoredAsync();
        await second.AllStoredAsync();

        var verification = await first.VerifyQueryLogAsync();
        Assert.True(verification.Intact, verification.FirstBreak?.Detail);
        Assert.Equal(200, verification.RecordsChecked);
        Assert.Equal(200, verification.LastSequence);
    }

    private static async Task<List<QueryLog>> AppendAsync(ComplianceApiFactory api, int count)
    {
        var user = AuditRecords.NewDiscordId();
        var logs = new List<QueryLog>();
        for (var i = 0; i < count; i++)
        {
            logs.Add(await api.AppendStoredAsync(AuditRecords.Question(user, $"Question number {i}")));
        }
        return await api.WithDbAsync(db => db.QueryLogs.AsNoTracking().OrderBy(q => q.Sequence).ToListAsync(Ct));
    }

    internal static async Task<ComplianceApiFactory> StartAsync()
    {
        var api = new ComplianceApiFactory();
        await api.InitializeAsync();
        _ = api.Services;
        return api;
    }
}
