using System.Net;
using System.Net.Http.Json;
using Compliance.Api.Audit;
using Compliance.Api.Persistence.Entities;
using Compliance.Api.Tests.Audit;
using Compliance.Api.Tests.Infrastructure;
using Compliance.Api.Users;
using Compliance.Contracts.Admin;
using Compliance.Contracts.Common;
using Compliance.Contracts.Documents;
using Compliance.Contracts.Feedback;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Compliance.Api.Tests.Admin;

/// <summary>The operator endpoints against the real Postgres, with real tokens.</summary>
public sealed class AdminApiTests(ComplianceApiFactory api) : IClassFixture<ComplianceApiFactory>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Stats_report_daily_rates_latency_percentiles_feedback_citations_and_coverage_gaps()
    {
        // A day of its own, far from other tests' data.
        var day = new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero).AddDays(Random.Shared.Next(0, 300));
        var user = AuditRecords.NewDiscordId();
        var document = Guid.NewGuid();
        var latencies = new[] { 100, 200, 300, 400, 1000 };
        var logs = new List<QueryLog>();
        for (var i = 0; i < latencies.Length; i++)
        {
            var log = AuditRecords.Question(user, $"Where is the gifts limit {i}?");
            log.CreatedAt = day.AddHours(i);
            log.TotalMs = latencies[i];
            log.Citations[0].DocumentId = document;
            log.Citations[0].Title = "Gifts and Entertainment";
            logs.Add(await api.AppendStoredAsync(log));
        }
        foreach (var (question, status) in new[]
        {
            ("Can I stake crypto tokens in my pension?", QueryStatus.Refused),
            ("Are crypto tokens personal trading?", QueryStatus.Uncertain),
            ("Must I report crypto tokens held by my spouse?", QueryStatus.Refused),
            ("What about the weather?", QueryStatus.Refused),
        })
        {
            var log = AuditRecords.Question(user, question, status);
            log.CreatedAt = day.AddHours(10);
            log.Citations.Clear();
            await api.AppendStoredAsync(log);
        }
        using var bot = api.CreateServiceClient();
        await bot.PostAsJsonAsync("/api/v1/feedback", new FeedbackRequest(logs[0].Id, user, Rating: 5), Ct);
        await bot.PostAsJsonAsync("/api/v1/feedback", new FeedbackRequest(logs[1].Id, user, Rating: 1), Ct);
        using var admin = api.CreateAdminClient();

        var date = DateOnly.FromDateTime(day.UtcDateTime).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var stats = (await admin.GetFromJsonAsync<StatsResponse>($"/admin/stats?from={date}&to={date}", Ct))!;

        var only = Assert.Single(stats.Days);
        Assert.Equal(9, only.Questions);
        Assert.Equal(5.0 / 9, only.AnsweredRate, 3);
        Assert.Equal(3.0 / 9, only.RefusedRate, 3);
        Assert.Equal(1.0 / 9, only.UncertainRate, 3);
        Assert.Equal(2, only.Ratings);
        Assert.Equal(0.5, only.PositiveFeedbackRatio);
        Assert.Equal(9 * 120, only.TokensIn);
        Assert.NotNull(only.LatencyP50Ms);
        var cited = Assert.Single(stats.MostCitedDocuments);
        Assert.Equal((document, "Gifts and Entertainment", 5), (cited.DocumentId, cited.Title, cited.Citations));
        var gap = Assert.Single(stats.CoverageGaps);
        Assert.Equal(["crypto", "token"], gap.Terms);
        Assert.Equal((3, 2, 1), (gap.Questions, gap.Refused, gap.Uncertain));
    }

    [Fact]
    public async Task Roles_and_bans_are_set_listed_searched_and_audited()
    {
        var user = AuditRecords.NewDiscordId();
        await using (var scope = api.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<UserDirectory>().TouchAsync(user, "compliance_100%_bob", cancellationToken: Ct);
        }
        using var admin = api.CreateAdminClient();

        var update = await admin.PutAsJsonAsync($"/admin/users/{user}", new UpdateUserRequest("reviewer", true, "spamming the channel"), Ct);
        var found = (await admin.GetFromJsonAsync<PagedResponse<AdminUser>>("/admin/users?search=100%25_B", Ct))!;
        var none = (await admin.GetFromJsonAsync<PagedResponse<AdminUser>>("/admin/users?search=100__b", Ct))!;

        Assert.Equal(HttpStatusCode.OK, update.StatusCode);
        var updated = (await update.Content.ReadFromJsonAsync<AdminUser>(Ct))!;
        Assert.Equal(("reviewer", true, "spamming the channel"), (updated.Role, updated.Banned, updated.BanReason));
        Assert.Equal(user, Assert.Single(found.Items).UserId);
        Assert.Empty(none.Items);
        await api.AllStoredAsync();
        var log = (await admin.GetFromJsonAsync<AuditLogResponse>($"/admin/audit-log?actor=admin&action=user.ban", Ct))!;
        var ban = Assert.Single(log.Items, e => e.Target == "discord:" + user);
        Assert.Equal(AuditOutcomes.Success, ban.Outcome);
        Assert.Contains("spamming the channel", ban.Details, StringComparison.Ordinal);

        var bad = await admin.PutAsJsonAsync($"/admin/users/{user}", new UpdateUserRequest("superuser"), Ct);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
    }

    [Fact]
    public async Task The_review_queue_holds_negative_uncertain_and_refused_answers_unreviewed_first()
    {
        var user = AuditRecords.NewDiscordId();
        var disliked = await api.AppendStoredAsync(AuditRecords.Question(user, "disliked answer"));
        var uncertain = await api.AppendStoredAsync(AuditRecords.Question(user, "uncertain answer", QueryStatus.Uncertain));
        var fine = await api.AppendStoredAsync(AuditRecords.Question(user, "fine answer"));
        using var bot = api.CreateServiceClient();
        await bot.PostAsJsonAsync("/api/v1/feedback", new FeedbackRequest(disliked.Id, user, Rating: 1, Comment: "wrong limit"), Ct);
        await bot.PostAsJsonAsync("/api/v1/feedback", new FeedbackRequest(fine.Id, user, Rating: 5), Ct);
        using var admin = api.CreateAdminClient();

        var review = await admin.PostAsJsonAsync($"/admin/queries/{uncertain.Id}/review", new ReviewRequest("Added to the policy backlog"), Ct);
        var queue = (await admin.GetFromJsonAsync<PagedResponse<FlaggedQuery>>("/admin/queries/flagged?pageSize=200", Ct))!;

        Assert.Equal(HttpStatusCode.OK, review.StatusCode);
        var mine = queue.Items.Where(q => q.UserId == user).ToList();
        Assert.Equal([disliked.Id, uncertain.Id], mine.Select(q => q.QueryId));
        Assert.Equal(["negative_feedback"], mine[0].Reasons);
        Assert.Equal(["wrong limit"], mine[0].Comments);
        Assert.False(mine[0].Reviewed);
        Assert.True(mine[1].Reviewed);
        Assert.Equal(("admin", "Added to the policy backlog"), (mine[1].ReviewedBy, mine[1].ReviewNote));
        // Unreviewed items of every user come before reviewed ones.
        Assert.True(queue.Items.SkipWhile(q => !q.Reviewed).All(q => q.Reviewed));
        Assert.Equal(HttpStatusCode.NotFound, (await admin.PostAsJsonAsync($"/admin/queries/{Guid.NewGuid()}/review", new ReviewRequest("x"), Ct)).StatusCode);
    }

    [Fact]
    public async Task The_audit_log_verifies_both_chains_on_request()
    {
        await api.AppendStoredAsync(AuditRecords.Question(AuditRecords.NewDiscordId(), "anything"));
        using var admin = api.CreateAdminClient();

        var response = (await admin.GetFromJsonAsync<AuditLogResponse>("/admin/audit-log?verify=true&pageSize=5", Ct))!;

        Assert.NotNull(response.Verification);
        Assert.Equal(["query_log", "system_audit_log"], response.Verification!.Select(v => v.Chain));
        Assert.All(response.Verification, v => Assert.True(v.Intact, v.FirstBreak?.Detail));
        Assert.True(response.Verification[0].RecordsChecked >= 1);
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.GetAsync("/admin/audit-log?pageSize=10000", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.GetAsync("/admin/audit-log?from=2026-01-02&to=2026-01-01", Ct)).StatusCode);
    }

    [Fact]
    public async Task Retrain_runs_a_job_to_completion_over_the_indexed_documents()
    {
        using var admin = api.CreateAdminClient();
        var marker = "zq" + Guid.NewGuid().ToString("N")[..10];
        var upload = await admin.UploadAsync("retrain.md", $"# Retrain policy\n\n## 1 Scope\nThe {marker} rule applies to every desk.");
        Assert.Equal("indexed", (await admin.IngestedAsync(upload)).Status);

        var start = await admin.PostAsync("/admin/model/retrain", null, Ct);
        Assert.Equal(HttpStatusCode.Accepted, start.StatusCode);
        var job = (await start.Content.ReadFromJsonAsync<JobResponse>(Ct))!;
        Assert.Equal($"/admin/model/retrain/{job.Id}", start.Headers.Location?.OriginalString);

        // Poll the Location until the job ends: it must finish, and finish well.
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (job.FinishedAt is null && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100, Ct);
            var status = await admin.GetAsync(start.Headers.Location!.OriginalString, Ct);
            Assert.Equal(HttpStatusCode.OK, status.StatusCode);
            job = (await status.Content.ReadFromJsonAsync<JobResponse>(Ct))!;
        }

        Assert.NotNull(job.FinishedAt);
        Assert.Equal("succeeded", job.Status);
        Assert.True(job.Total >= 1, $"the job re-indexed {job.Total} documents; at least the one uploaded was expected");
        Assert.Equal((job.Total, 0), (job.Completed, job.Failed));
        Assert.Null(job.Error);
        // The re-indexed document is still found.
        using var bot = api.CreateServiceClient();
        var search = await bot.PostAsJsonAsync("/api/v1/search", new Compliance.Contracts.Search.SearchRequest(marker), Ct);
        Assert.Contains(marker, await search.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync($"/admin/model/retrain/{Guid.NewGuid()}", Ct)).StatusCode);
    }

    [Fact]
    public async Task An_admin_erases_a_users_queries()
    {
        var user = AuditRecords.NewDiscordId();
        await api.AppendStoredAsync(AuditRecords.Question(user, "private"));
        using var admin = api.CreateClient(ComplianceApiFactory.SecondaryAdminToken);

        var response = await admin.DeleteAsync($"/admin/users/{user}/queries", Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Null(await api.WithDbAsync(db => db.QueryLogs.Where(q => q.DiscordUserId == user).Select(q => q.Question).SingleAsync(Ct)));
    }

    public static TheoryData<string, string> AdminRoutes => new()
    {
        { "GET", "/admin/stats" },
        { "GET", "/admin/users" },
        { "PUT", "/admin/users/123456789012345678" },
        { "DELETE", "/admin/users/123456789012345678/queries" },
        { "GET", "/admin/queries/flagged" },
        { "POST", $"/admin/queries/{Guid.Empty}/review" },
        { "DELETE", $"/admin/documents/{Guid.Empty}" },
        { "POST", $"/admin/documents/{Guid.Empty}/reindex" },
        { "POST", "/admin/documents/reindex" },
        { "GET", "/admin/audit-log" },
        { "POST", "/admin/model/retrain" },
        { "GET", $"/admin/model/retrain/{Guid.Empty}" },
    };

    [Theory]
    [MemberData(nameof(AdminRoutes))]
    public async Task Admin_routes_are_401_anonymous_and_403_with_the_service_token(string method, string path)
    {
        using var anonymous = api.CreateClient(token: null);
        using var wrong = api.CreateClient("not-the-admin-token-at-all-0123456789");
        using var bot = api.CreateServiceClient();

        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.SendAsync(Request(method, path), Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await wrong.SendAsync(Request(method, path), Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await bot.SendAsync(Request(method, path), Ct)).StatusCode);
    }

    [Fact]
    public async Task A_wrong_token_and_a_missing_token_get_the_same_answer_and_are_both_audited()
    {
        // A host of its own: refused requests are audited at most 20 a minute per client address, and every request
        // of the shared fixture comes from the same (absent) address, so the other tests could use up that budget.
        await using var api = new ComplianceApiFactory();
        await api.InitializeAsync();
        using var anonymous = api.CreateClient(token: null);
        using var wrong = api.CreateClient(ComplianceApiFactory.AdminTokenValue[..^1] + "X");

        var missing = await anonymous.GetAsync("/admin/stats", Ct);
        var invalid = await wrong.GetAsync("/admin/stats", Ct);

        // Same status, headers and body: nothing tells a prober that a token was close, or present at all.
        Assert.Equal(missing.StatusCode, invalid.StatusCode);
        Assert.Equal(Describe(missing), Describe(invalid));
        Assert.Equal(WithoutTraceId(await missing.ReadJsonAsync()), WithoutTraceId(await invalid.ReadJsonAsync()));
        await api.AllStoredAsync();
        var reasons = await api.WithDbAsync(db => db.SystemAuditLogs.Where(a => a.Action == "auth.failed" && a.Target == "GET /admin/stats")
            .Select(a => a.Details!).ToListAsync(Ct));
        Assert.Contains(reasons, r => r.Contains("missing_token", StringComparison.Ordinal));
        Assert.Contains(reasons, r => r.Contains("invalid_token", StringComparison.Ordinal));
        Assert.DoesNotContain(reasons, r => r.Contains(ComplianceApiFactory.AdminTokenValue[..10], StringComparison.Ordinal));

        static string WithoutTraceId(System.Text.Json.JsonElement problem) =>
            string.Join(";", problem.EnumerateObject().Where(p => p.Name != "traceId").Select(p => p.Name + "=" + p.Value.GetRawText()));

        static string Describe(HttpResponseMessage r) => string.Join(";", r.Headers.Where(h => h.Key != "X-Trace-Id").OrderBy(h => h.Key)
            .Select(h => h.Key + "=" + string.Join(",", h.Value))) + "|" + r.Content.Headers.ContentType;
    }

    [Fact]
    public async Task The_bot_acting_for_a_database_admin_reads_stats_and_nothing_else()
    {
        var adminUser = AuditRecords.NewDiscordId();
        var reviewer = AuditRecords.NewDiscordId();
        var bannedAdmin = AuditRecords.NewDiscordId();
        await using (var scope = api.Services.CreateAsyncScope())
        {
            var directory = scope.ServiceProvider.GetRequiredService<UserDirectory>();
            await directory.UpdateAccessAsync(adminUser, UserRole.Admin, null, null, Ct);
            await directory.UpdateAccessAsync(reviewer, UserRole.Reviewer, null, null, Ct);
            await directory.UpdateAccessAsync(bannedAdmin, UserRole.Admin, true, "left the firm", Ct);
        }

        // What the bot's /stats needs.
        Assert.Equal(HttpStatusCode.OK, await StatusAsActing(adminUser, "/admin/stats"));
        Assert.Equal(HttpStatusCode.Forbidden, await StatusAsActing(reviewer, "/admin/stats"));
        Assert.Equal(HttpStatusCode.Forbidden, await StatusAsActing(bannedAdmin, "/admin/stats"));
        Assert.Equal(HttpStatusCode.Forbidden, await StatusAsActing("0" + adminUser, "/admin/stats"));

        // Discord ids are public: the service token plus an admin's id reads no admin data.
        foreach (var path in (string[])["/admin/audit-log", "/admin/users", "/admin/queries/flagged", "/health/detailed", "/health/metrics",
            "/admin/documents", $"/admin/model/retrain/{Guid.Empty}"])
        {
            Assert.Equal((path, HttpStatusCode.Forbidden), (path, await StatusAsActing(adminUser, path)));
        }
        Assert.Equal(HttpStatusCode.Forbidden, await StatusAsActing(reviewer, "/admin/queries/flagged"));

        // Nor does it change anything in their name.
        using (var bot = api.CreateServiceClient())
        {
            bot.DefaultRequestHeaders.Add(DatabaseRoles.ActingUserHeader, adminUser);
            var target = AuditRecords.NewDiscordId();
            Assert.Equal(HttpStatusCode.Forbidden,
                (await bot.PutAsJsonAsync($"/admin/users/{target}", new UpdateUserRequest(Banned: true), Ct)).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await bot.DeleteAsync($"/admin/users/{target}/queries", Ct)).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await bot.PostAsync("/admin/model/retrain", null, Ct)).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await bot.PostAsJsonAsync($"/admin/queries/{Guid.NewGuid()}/review", new ReviewRequest("ok"), Ct)).StatusCode);
        }

        async Task<HttpStatusCode> StatusAsActing(string discordUser, string path)
        {
            using var bot = api.CreateServiceClient();
            bot.DefaultRequestHeaders.Add(DatabaseRoles.ActingUserHeader, discordUser);
            return (await bot.GetAsync(path, Ct)).StatusCode;
        }
    }

    private static HttpRequestMessage Request(string method, string path) =>
        new(new HttpMethod(method), path) { Content = method is "PUT" or "POST" ? JsonContent.Create(new { role = "admin" }) : null };
}
