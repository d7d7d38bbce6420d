using System.Net;
using System.Net.Http.Json;
using Compliance.Api.Audit;
using Compliance.Api.Persistence.Entities;
using Compliance.Api.Tests.Infrastructure;
using Compliance.Contracts.Admin;
using Microsoft.AspNetCore.Builder;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Compliance.Api.Tests.Audit;

/// <summary>
/// Chain-head anchors: deleting the newest query records, which leaves a shorter chain that links perfectly, is
/// reported by verify once an anchor saw them; anchors are written only when the chain moved; the heads reach the log.
/// </summary>
public sealed class ChainAnchorTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Deleting_the_newest_query_records_after_an_anchor_is_reported_as_deleted()
    {
        await using var api = await HashChainTests.StartAsync();
        var logs = await AppendAsync(api, 6);
        Assert.True((await Anchors(api).AnchorAsync(Ct)).AnchorWritten);
        var anchor = Assert.Single(await ReadAnchorsAsync(api));

        // An attacker with database access removes the two newest questions; what is left still links perfectly.
        await api.SqlAsync("""DELETE FROM query_logs WHERE "Sequence" > 4""");

        using var admin = api.CreateAdminClient();
        var response = (await admin.GetFromJsonAsync<AuditLogResponse>("/admin/audit-log?verify=true", Ct))!;
        var queryLog = response.Verification!.Single(v => v.Chain == "query_log");
        Assert.False(queryLog.Intact);
        Assert.Equal((4L, logs[3].Hash), (queryLog.LastSequence, queryLog.LastHash));
        var broken = queryLog.FirstBreak!;
        Assert.Equal((5L, ChainBreakKinds.Deleted, anchor.Name), (broken.Sequence, broken.Kind, broken.Record));
        Assert.Contains("Records after sequence 4 are missing", broken.Detail, StringComparison.Ordinal);
        Assert.Contains($"the anchor of {anchor.Time} ({anchor.Name}) saw sequence 6 with hash {logs[5].Hash}", broken.Detail, StringComparison.Ordinal);
        Assert.True(response.Verification!.Single(v => v.Chain == "system_audit_log").Intact);
    }

    [Fact]
    public async Task Deleting_the_newest_records_and_writing_on_is_reported_against_the_anchor_that_saw_them()
    {
        await using var api = await HashChainTests.StartAsync();
        var user = AuditRecords.NewDiscordId();
        await AppendAsync(api, 3, user);
        await Anchors(api).AnchorAsync(Ct);
        var original = await AppendAsync(api, 3, user);
        await Anchors(api).AnchorAsync(Ct);

        await api.SqlAsync("""DELETE FROM query_logs WHERE "Sequence" > 4""");
        var regrown = await AppendAsync(api, 3, user);
        // The next round sees the contradiction, says so in the log, and anchors the new head (which cannot hide the old one).
        Assert.True((await Anchors(api).AnchorAsync(Ct)).AnchorWritten);

        var anchors = await ReadAnchorsAsync(api);
        Assert.Equal([7L, 6L, 3L], anchors.Select(a => a.Sequence));
        var verification = await api.VerifyQueryLogAsync();
        Assert.False(verification.Intact);
        Assert.Equal((6L, ChainBreakKinds.Deleted, anchors[1].Name),
            (verification.FirstBreak!.Sequence, verification.FirstBreak.Kind, verification.FirstBreak.Record));
        Assert.Contains($"it has hash {regrown[5].Hash}, the anchor saw hash {original[5].Hash}", verification.FirstBreak.Detail, StringComparison.Ordinal);
        Assert.Contains("Records after sequence 3 were deleted", verification.FirstBreak.Detail, StringComparison.Ordinal);
        var alarm = Assert.Single(api.Logs.Entries, e => e.Level == LogLevel.Error && e.Category == typeof(ChainAnchors).FullName);
        Assert.Equal(anchors[1].Name, (string?)alarm.Properties["Anchor"]);
    }

    [Fact]
    public async Task Anchors_are_written_only_when_the_chain_moved_and_the_log_carries_both_heads_without_content()
    {
        await using var api = await HashChainTests.StartAsync();
        var anchors = Anchors(api);
        Assert.False((await anchors.AnchorAsync(Ct)).AnchorWritten);

        var first = await AppendAsync(api, 3, question: "Can I buy shares of ACME during the blackout period?");
        var moved = await anchors.AnchorAsync(Ct);
        var unchanged = await anchors.AnchorAsync(Ct);
        await AppendAsync(api, 1);
        var movedAgain = await anchors.AnchorAsync(Ct);

        Assert.Equal((true, false, true), (moved.AnchorWritten, unchanged.AnchorWritten, movedAgain.AnchorWritten));
        Assert.False(unchanged.HeadsLogged);
        var stored = await ReadAnchorsAsync(api);
        Assert.Equal([4L, 3L], stored.Select(a => a.Sequence));
        Assert.Equal(first[2].Hash, stored[1].Hash);
        Assert.Equal(movedAgain.QueryLog.Hash, stored[0].Hash);

        // A second instance on the same database sees the head already anchored.
        await using (var second = new ComplianceApiFactory { DatabaseOverride = api.DatabaseConnectionString })
        {
            await second.InitializeAsync();
            Assert.False((await Anchors(second).AnchorAsync(Ct)).AnchorWritten);
        }
        Assert.Equal(2, (await ReadAnchorsAsync(api)).Count);

        var lines = api.Logs.Entries.Where(e => e.Category == typeof(ChainAnchors).FullName && e.Level == LogLevel.Information).ToList();
        Assert.Equal(3, lines.Count);
        var last = lines[^1];
        var system = await api.VerifySystemLogAsync();
        Assert.Equal((4L, movedAgain.QueryLog.Hash), ((long)last.Properties["QueryLogSequence"]!, (string?)last.Properties["QueryLogHash"]));
        // The logged system head already includes the anchor this round wrote.
        Assert.Equal((system.LastSequence, system.LastHash), ((long)last.Properties["SystemLogSequence"]!, (string?)last.Properties["SystemLogHash"]));
        Assert.DoesNotContain(api.Logs.Entries, e => e.Message.Contains("ACME", StringComparison.Ordinal));
        Assert.True((await api.VerifyQueryLogAsync()).Intact);
    }

    [Fact]
    public async Task Truncating_both_chains_is_caught_by_comparing_verify_with_the_logged_heads()
    {
        await using var api = await HashChainTests.StartAsync();
        await AppendAsync(api, 6);
        await Anchors(api).AnchorAsync(Ct);
        var anchor = Assert.Single(await ReadAnchorsAsync(api));
        var logged = api.Logs.Entries.Last(e => e.Category == typeof(ChainAnchors).FullName && e.Level == LogLevel.Information);

        // The attacker also removes the anchor (the system chain's newest record): the database alone cannot tell.
        await api.SqlAsync("""DELETE FROM query_logs WHERE "Sequence" > 4""");
        await api.SqlAsync($"""DELETE FROM system_audit_logs WHERE "Sequence" >= {anchor.SystemSequence}""");
        var queryLog = await api.VerifyQueryLogAsync();
        var system = await api.VerifySystemLogAsync();
        Assert.True(queryLog.Intact && system.Intact);

        // What the auditor compares (docs/audit.md): the off-box log line's heads are ahead of what verify reports.
        Assert.Equal(6L, (long)logged.Properties["QueryLogSequence"]!);
        Assert.Equal(anchor.SystemSequence, (long)logged.Properties["SystemLogSequence"]!);
        Assert.True(queryLog.LastSequence < (long)logged.Properties["QueryLogSequence"]!);
        Assert.True(system.LastSequence < (long)logged.Properties["SystemLogSequence"]!);
    }

    [Fact]
    public async Task Erasure_after_an_anchor_keeps_both_chains_verifying()
    {
        await using var api = await HashChainTests.StartAsync();
        var user = AuditRecords.NewDiscordId();
        await AppendAsync(api, 3, user, "Was my trade in NVDA on Friday allowed?");
        await Anchors(api).AnchorAsync(Ct);
        using var admin = api.CreateAdminClient();

        Assert.Equal(HttpStatusCode.OK, (await admin.DeleteAsync($"/admin/users/{user}/queries", Ct)).StatusCode);
        await api.AllStoredAsync();
        var round = await Anchors(api).AnchorAsync(Ct);
        var response = (await admin.GetFromJsonAsync<AuditLogResponse>("/admin/audit-log?verify=true", Ct))!;

        Assert.False(round.AnchorWritten);
        Assert.All(response.Verification!, v => Assert.True(v.Intact, v.FirstBreak?.Detail));
        Assert.Empty(await api.WithDbAsync(db => db.QueryLogs.Where(q => q.Question != null).ToListAsync(Ct)));
    }

    [Fact]
    public async Task The_background_service_anchors_the_head_every_interval()
    {
        await using var api = new ComplianceApiFactory().WithSetting("AUDIT_ANCHOR_INTERVAL", "0.2");
        await api.InitializeAsync();
        var logs = await AppendAsync(api, 2);

        // Bounded wait for the timer, not a timing assertion: the anchor must come, however slow the machine.
        var deadline = DateTimeOffset.UtcNow.AddSeconds(30);
        List<ChainAnchor> anchors;
        while (!(anchors = await ReadAnchorsAsync(api)).Any(a => a.Sequence == 2) && DateTimeOffset.UtcNow < deadline)
        {
            await Task.Delay(100, Ct);
        }

        // The timer may have caught the head between the two questions as well; it never anchors one head twice.
        Assert.Equal((2L, logs[1].Hash), (anchors[0].Sequence, anchors[0].Hash));
        Assert.Equal(anchors.Count, anchors.Select(a => a.Sequence).Distinct().Count());
        var record = await api.WithDbAsync(db => db.SystemAuditLogs.Where(a => a.Sequence == anchors[0].SystemSequence)
            .Select(a => new { a.Actor, a.Target }).SingleAsync(Ct));
        Assert.Equal(("system", "query_log"), (record.Actor, record.Target));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("90000")]
    public async Task An_out_of_range_anchor_interval_is_refused_at_start(string value)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Test" });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["AUDIT_ANCHOR_INTERVAL"] = value });
        builder.AddAudit();
        await using var app = builder.Build();

        var failure = Assert.Throws<OptionsValidationException>(() => app.Services.GetRequiredService<IOptions<AuditOptions>>().Value);

        Assert.Contains($"AUDIT_ANCHOR_INTERVAL is {value}; expected seconds from 0.1 to 86400", failure.Message, StringComparison.Ordinal);
    }

    private static ChainAnchors Anchors(ComplianceApiFactory api) => api.Services.GetRequiredService<ChainAnchors>();

    private static Task<List<ChainAnchor>> ReadAnchorsAsync(ComplianceApiFactory api) => api.WithDbAsync(db => ChainAnchors.ReadAllAsync(db, Ct));

    /// <summary>Appends <paramref name="count"/> questions and returns the whole chain as stored, in sequence order.</summary>
    private static async Task<List<QueryLog>> AppendAsync(ComplianceApiFactory api, int count, string? user = null, string question = "Question number")
    {
        user ??= AuditRecords.NewDiscordId();
        for (var i = 0; i < count; i++)
        {
            await api.AppendStoredAsync(AuditRecords.Question(user, $"{question} {i} {Guid.NewGuid():N}"));
        }
        return await api.WithDbAsync(db => db.QueryLogs.AsNoTracking().OrderBy(q => q.Sequence).ToListAsync(Ct));
    }
}
