using System.Net;
using System.Net.Http.Json;
using System.Text;
using Compliance.Api.Audit;
using Compliance.Api.Persistence.Entities;
using Compliance.Api.Tests.Audit;
using Compliance.Api.Tests.Infrastructure;
using Compliance.Contracts.Admin;
using Compliance.Contracts.Common;
using Compliance.Contracts.Documents;
using Microsoft.EntityFrameworkCore;

namespace Compliance.Api.Tests.Admin;

/// <summary>
/// The <c>/admin</c> group audits every change: each non-GET admin route leaves one system audit record naming the
/// actor, action, target and outcome — refused and failed attempts included.
/// </summary>
public sealed class AdminAuditTests(ComplianceApiFactory api) : IClassFixture<ComplianceApiFactory>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Document_upload_delete_and_reindex_are_audited_whether_they_succeed_or_fail()
    {
        using var admin = api.CreateAdminClient();
        var marker = "zq" + Guid.NewGuid().ToString("N")[..10];

        var uploaded = await admin.IngestAsync("audited.md", $"# Audited\n\n## 1 Scope\nThe {marker} rule.");
        var badTenant = await admin.UploadAsync("audited.md", "# x", tenant: "not-a-guild");
        var reindexed = await admin.PostAsync($"/admin/documents/{uploaded.Id}/reindex", null, Ct);
        var reindexMissing = await admin.PostAsync($"/admin/documents/{Guid.NewGuid()}/reindex", null, Ct);
        var deleted = await admin.DeleteAsync($"/admin/documents/{uploaded.Id}", Ct);
        var missing = Guid.NewGuid();
        var deleteMissing = await admin.DeleteAsync($"/admin/documents/{missing}", Ct);
        var job = await (await admin.PostAsync("/admin/documents/reindex", null, Ct)).Content.ReadFromJsonAsync<JobResponse>(Ct);

        Assert.Equal(HttpStatusCode.BadRequest, badTenant.StatusCode);
        Assert.Equal(HttpStatusCode.OK, reindexed.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, reindexMissing.StatusCode);
        Assert.True(deleted.IsSuccessStatusCode, $"delete answered {deleted.StatusCode}");
        Assert.Equal(HttpStatusCode.NotFound, deleteMissing.StatusCode);
        await api.AllStoredAsync();

        var byDocument = await RecordsAsync(uploaded.Id.ToString());
        Assert.Equal([("document.upload", AuditOutcomes.Success), ("document.reindex", AuditOutcomes.Success), ("document.delete", AuditOutcomes.Success)],
            byDocument.Select(r => (r.Action, r.Outcome)));
        Assert.All(byDocument, r => Assert.Equal("admin", r.Actor));

        var failedDelete = Assert.Single(await RecordsAsync(missing.ToString()));
        Assert.Equal(("admin", "document.delete", AuditOutcomes.Failure), (failedDelete.Actor, failedDelete.Action, failedDelete.Outcome));
        Assert.Contains("404", failedDelete.Details, StringComparison.Ordinal);
        Assert.Contains(ProblemTypes.NotFound, failedDelete.Details, StringComparison.Ordinal);

        var failedUploads = await api.WithDbAsync(db => db.SystemAuditLogs.AsNoTracking()
            .Where(a => a.Action == "document.upload" && a.Outcome == AuditOutcomes.Failure).Select(a => a.Details!).ToListAsync(Ct));
        Assert.Contains(failedUploads, d => d.Contains(ProblemTypes.Validation, StringComparison.Ordinal) && d.Contains("400", StringComparison.Ordinal));

        // A job already running is returned, not started twice: match the record by action too.
        var reindexAll = Assert.Single(await RecordsAsync(job!.Id.ToString()), r => r.Action == "documents.reindex");
        Assert.Equal(("admin", "documents.reindex", AuditOutcomes.Success), (reindexAll.Actor, reindexAll.Action, reindexAll.Outcome));
    }

    [Fact]
    public async Task User_changes_erasure_review_and_retrain_are_audited_once_each_with_their_outcome()
    {
        using var admin = api.CreateAdminClient();
        var user = AuditRecords.NewDiscordId();
        var query = await api.AppendStoredAsync(AuditRecords.Question(user, "private question"));

        var ban = await admin.PutAsJsonAsync($"/admin/users/{user}", new UpdateUserRequest(Banned: true, BanReason: "spam"), Ct);
        var role = await admin.PutAsJsonAsync($"/admin/users/{user}", new UpdateUserRequest(Role: "reviewer"), Ct);
        var leadingZero = await admin.PutAsJsonAsync($"/admin/users/0{user}", new UpdateUserRequest(Banned: true), Ct);
        var malformed = await admin.PutAsync($"/admin/users/{user}", new StringContent("{not json", Encoding.UTF8, "application/json"), Ct);
        var erase = await admin.DeleteAsync($"/admin/users/{user}/queries", Ct);
        var review = await admin.PostAsJsonAsync($"/admin/queries/{query.Id}/review", new ReviewRequest("checked"), Ct);
        var missingQuery = Guid.NewGuid();
        var reviewMissing = await admin.PostAsJsonAsync($"/admin/queries/{missingQuery}/review", new ReviewRequest("checked"), Ct);
        var retrain = await (await admin.PostAsync("/admin/model/retrain", null, Ct)).Content.ReadFromJsonAsync<JobResponse>(Ct);

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (ban.StatusCode, role.StatusCode));
        Assert.Equal((HttpStatusCode.BadRequest, HttpStatusCode.BadRequest), (leadingZero.StatusCode, malformed.StatusCode));
        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.NotFound), (erase.StatusCode, review.StatusCode, reviewMissing.StatusCode));
        await api.AllStoredAsync();

        var onUser = await RecordsAsync("discord:" + user);
        Assert.Equal(
            [("user.ban", AuditOutcomes.Success), ("user.role", AuditOutcomes.Success), ("user.update", AuditOutcomes.Failure), ("queries.erase", AuditOutcomes.Success)],
            onUser.Select(r => (r.Action, r.Outcome)));
        Assert.All(onUser, r => Assert.Equal("admin", r.Actor));
        Assert.Contains("spam", onUser[0].Details, StringComparison.Ordinal);
        Assert.Contains("reviewer", onUser[1].Details, StringComparison.Ordinal);
        Assert.Contains("400", onUser[2].Details, StringComparison.Ordinal);

        var zero = Assert.Single(await RecordsAsync($"discord:0{user}"));
        Assert.Equal(("user.update", AuditOutcomes.Failure), (zero.Action, zero.Outcome));
        Assert.Contains(ProblemTypes.Validation, zero.Details, StringComparison.Ordinal);

        var reviewed = Assert.Single(await RecordsAsync(query.Id.ToString()));
        Assert.Equal(("admin", "query.review", AuditOutcomes.Success), (reviewed.Actor, reviewed.Action, reviewed.Outcome));
        var notReviewed = Assert.Single(await RecordsAsync(missingQuery.ToString()));
        Assert.Equal(("query.review", AuditOutcomes.Failure), (notReviewed.Action, notReviewed.Outcome));

        var retrained = Assert.Single(await RecordsAsync(retrain!.Id.ToString()), r => r.Action == "model.retrain");
        Assert.Equal(("admin", "model.retrain", AuditOutcomes.Success), (retrained.Actor, retrained.Action, retrained.Outcome));
    }

    [Fact]
    public async Task Reads_are_not_audited_as_changes()
    {
        using var admin = api.CreateAdminClient();
        var user = AuditRecords.NewDiscordId();
        await admin.GetAsync($"/admin/users?search={user}", Ct);
        await admin.GetAsync($"/admin/model/retrain/{Guid.NewGuid()}", Ct);
        await api.AllStoredAsync();

        Assert.Empty(await RecordsAsync("discord:" + user));
        Assert.Equal(0, await api.WithDbAsync(db => db.SystemAuditLogs.CountAsync(a => a.Action.StartsWith("GET "), Ct)));
    }

    [Fact]
    public async Task A_refused_admin_change_is_audited_as_denied()
    {
        // A host of its own: refused requests are audited at most 20 a minute per client address.
        await using var api = new ComplianceApiFactory();
        await api.InitializeAsync();
        using var bot = api.CreateServiceClient();
        var document = Guid.NewGuid();

        Assert.Equal(HttpStatusCode.Forbidden, (await bot.DeleteAsync($"/admin/documents/{document}", Ct)).StatusCode);
        await api.AllStoredAsync();

        var denied = await api.WithDbAsync(db => db.SystemAuditLogs.AsNoTracking().SingleAsync(a => a.Target == "DELETE /admin/documents/{id:guid}", Ct));
        Assert.Equal(("service", "auth.forbidden", AuditOutcomes.Denied), (denied.Actor, denied.Action, denied.Outcome));
    }

    private Task<List<SystemAuditLog>> RecordsAsync(string target) =>
        api.WithDbAsync(db => db.SystemAuditLogs.AsNoTracking().Where(a => a.Target == target).OrderBy(a => a.Sequence).ToListAsync(Ct));
}
