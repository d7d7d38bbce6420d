using Compliance.Api.Audit;
using Compliance.Api.Documents;
using Compliance.Api.Persistence;
using Compliance.Api.Persistence.Entities;
using Compliance.Api.Persistence.EntityConfigurations;
using Compliance.Api.Problems;
using Compliance.Api.Users;
using Compliance.Contracts.Admin;
using Compliance.Contracts.Common;
using Compliance.Contracts.Documents;
using Compliance.Contracts.Users;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Compliance.Api.Admin;

/// <summary>
/// Operator endpoints: stats, users and roles, the review queue, the audit log with chain verification, re-indexing
/// and GDPR erasure, mapped into the <c>/admin</c> group: an admin token (either of the two), and every change recorded
/// in the system audit log by the group's filter. The bot's service token reaches only <c>GET /admin/stats</c>, for a
/// Discord user whose stored role is admin.
/// </summary>
public static class AdminApi
{
    private const int MaxReviewNote = 1000;

    /// <summary>Maps into the <c>/admin</c> group, which carries the admin policy and audits every non-GET call.</summary>
    public static RouteGroupBuilder MapAdminApi(this RouteGroupBuilder admin)
    {
        var group = admin.MapGroup("").WithTags("Admin");
        // The one admin read the bot makes, for its /stats command, on behalf of a Discord user whose stored role is admin.
        group.MapGet("/stats", AdminStats.GetAsync).WithName("GetStats").AllowBotActingForAdmin()
            .WithSummary("Per-day questions, outcome rates, latency p50/p95, feedback ratio, tokens and cost; most-cited documents; coverage gaps.")
            .ProducesProblem(StatusCodes.Status400BadRequest);
        group.MapGet("/users", ListUsersAsync).WithName("ListUsers")
            .WithSummary("Users, most recently seen first; search by name or Discord id.").ProducesProblem(StatusCodes.Status400BadRequest);
        group.MapPut("/users/{userId}", UpdateUserAsync).WithName("UpdateUser").Audited("user.update")
            .WithSummary("Set a user's role (user, reviewer, admin) and ban state.").ProducesProblem(StatusCodes.Status400BadRequest);
        group.MapDelete("/users/{userId}/queries", EraseAsync).WithName("EraseUserQueries").Audited("queries.erase")
            .WithSummary("GDPR erasure of a user's questions, answers and comments; the audit chain still verifies.")
            .ProducesProblem(StatusCodes.Status400BadRequest);
        group.MapGet("/audit-log", AuditLogAsync).WithName("GetAuditLog")
            .WithSummary("System audit records, newest first; filter by actor, action, from, to; verify=true checks both hash chains.")
            .ProducesProblem(StatusCodes.Status400BadRequest);
        group.MapPost("/model/retrain", StartRetrain).WithName("StartRetrain").Audited("model.retrain")
            .WithSummary("Re-embed and re-index every document as a background job.");
        group.MapGet("/model/retrain/{jobId:guid}", GetRetrain).WithName("GetRetrain")
            .WithSummary("Progress of a re-index job.").ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/queries/flagged", FlaggedQueries.ListAsync).WithName("ListFlaggedQueries")
            .WithSummary("Answers with negative feedback, uncertain or refused; unreviewed first, then newest.")
            .ProducesProblem(StatusCodes.Status400BadRequest);
        group.MapPost("/queries/{id:guid}/review", ReviewAsync).WithName("ReviewQuery").Audited("query.review")
            .WithSummary("Mark a flagged answer reviewed, with a note.")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound);
        return admin;
    }

    private static async Task<Results<Ok<PagedResponse<AdminUser>>, ProblemHttpResult>> ListUsersAsync(
        string? search, int? page, int? pageSize, ComplianceDbContext db, CancellationToken cancellationToken)
    {
        if (Paging(page, pageSize, 200) is not var (number, size))
        {
            return ApiProblems.Validation("page starts at 1; pageSize is 1-200.");
        }
        if (search is { Length: > 100 })
        {
            return ApiProblems.Validation("search is at most 100 characters.");
        }
        var query = db.Users.AsNoTracking();
        if (CanonicalForm.Text(search?.Trim(), 100) is { Length: > 0 } term)
        {
            // LIKE metacharacters in the search are matched literally.
            var pattern = "%" + term.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal)
                .Replace("_", "\\_", StringComparison.Ordinal) + "%";
            query = query.Where(u => u.DiscordUserId.StartsWith(term) || EF.Functions.ILike(u.UserName!, pattern, "\\") ||
                EF.Functions.ILike(u.DisplayName!, pattern, "\\"));
        }
        var total = await query.LongCountAsync(cancellationToken);
        var users = await query.OrderByDescending(u => u.LastSeenAt).ThenBy(u => u.Id).Skip((number - 1) * size).Take(size).ToListAsync(cancellationToken);
        return TypedResults.Ok(new PagedResponse<AdminUser>(users.Select(ToAdminUser).ToList(), number, size, total));
    }

    private static async Task<Results<Ok<AdminUser>, ProblemHttpResult>> UpdateUserAsync(
        string userId, UpdateUserRequest request, HttpContext context, UserDirectory users, ComplianceDbContext db,
        CancellationToken cancellationToken)
    {
        if (!DiscordIds.IsValid(userId))
        {
            return ApiProblems.Validation(DiscordIds.Expected("userId"));
        }
        if (request is null || (request.Role is null && request.Banned is null && request.BanReason is null))
        {
            return ApiProblems.Validation("Send role (user, reviewer, admin), banned (true/false) and/or banReason.");
        }
        UserRole? role = null;
        if (request.Role is { } roleText)
        {
            if (roleText.Trim().ToLowerInvariant() is not ("user" or "reviewer" or "admin"))
            {
                return ApiProblems.Validation("role is user, reviewer or admin.");
            }
            role = Enum.Parse<UserRole>(roleText.Trim(), ignoreCase: true);
        }
        if (request.BanReason is { Length: > 500 })
        {
            return ApiProblems.Validation("banReason is at most 500 characters.");
        }

        var before = await users.FindAsync(userId, cancellationToken);
        var after = await users.UpdateAccessAsync(userId, role, request.Banned, request.BanReason, cancellationToken);
        // One record per call (the /admin group's filter writes it), naming what changed.
        var roleChanged = role is not null && before?.Role != role;
        var banChanged = request.Banned is { } banned && (before?.IsBanned ?? false) != banned;
        var action = banChanged ? (after.IsBanned ? "user.ban" : "user.unban") : roleChanged ? "user.role" : "user.update";
        AdminAudit.Describe(context, action, null, new
        {
            role = roleChanged ? new { from = Name(before?.Role ?? UserRole.User), to = Name(after.Role) } : null,
            reason = banChanged ? after.BanReason : null,
        });
        var user = await db.Users.AsNoTracking().FirstAsync(u => u.Id == after.Id, cancellationToken);
        return TypedResults.Ok(ToAdminUser(user));
    }

    private static async Task<Results<Ok<ErasureResponse>, ProblemHttpResult>> EraseAsync(
        string userId, HttpContext context, QueryErasure erasure, CancellationToken cancellationToken)
    {
        if (!DiscordIds.IsValid(userId))
        {
            return ApiProblems.Validation(DiscordIds.Expected("userId"));
        }
        var result = await erasure.EraseAsync(userId, context, cancellationToken);
        return TypedResults.Ok(new ErasureResponse(result.UserId, result.QueriesErased, result.FeedbackCommentsErased, result.ErasedAt));
    }

    private static async Task<Results<Ok<AuditLogResponse>, ProblemHttpResult>> AuditLogAsync(
        string? actor, string? action, DateTimeOffset? from, DateTimeOffset? to, int? page, int? pageSize, bool? verify,
        HttpContext context, ComplianceDbContext db, ChainVerifier verifier, SystemAuditWriter audit, CancellationToken cancellationToken)
    {
        if (Paging(page, pageSize, 500) is not var (number, size))
        {
            return ApiProblems.Validation("page starts at 1; pageSize is 1-500.");
        }
        if (actor is { Length: > 64 } || action is { Length: > 64 })
        {
            return ApiProblems.Validation("actor and action are at most 64 characters.");
        }
        if (from > to)
        {
            return ApiProblems.Validation("from is after to.");
        }
        var query = db.SystemAuditLogs.AsNoTracking();
        if (CanonicalForm.Text(actor, 64) is { Length: > 0 } a)
        {
            query = query.Where(e => e.Actor == a);
        }
        if (CanonicalForm.Text(action, 64) is { Length: > 0 } act)
        {
            query = query.Where(e => e.Action == act);
        }
        if (from is { } f)
        {
            query = query.Where(e => e.OccurredAt >= f.ToUniversalTime());
        }
        if (to is { } t)
        {
            query = query.Where(e => e.OccurredAt <= t.ToUniversalTime());
        }
        var total = await query.LongCountAsync(cancellationToken);
        var items = await query.OrderByDescending(e => e.Sequence).Skip((number - 1) * size).Take(size)
            .Select(e => new AuditLogEntry(e.Sequence, e.OccurredAt, e.Actor, e.Action, e.Target, e.Details, e.Outcome, e.ClientAddress, e.Hash))
            .ToListAsync(cancellationToken);

        List<ChainVerificationResult>? verification = null;
        if (verify == true)
        {
            verification = [ToResult(await verifier.VerifyQueryLogAsync(cancellationToken)), ToResult(await verifier.VerifySystemLogAsync(cancellationToken))];
            await audit.RecordAsync(context, "audit.verify", null,
                new { intact = verification.All(v => v.Intact), breaks = verification.Where(v => !v.Intact).Select(v => v.Chain).ToList() }, AuditOutcomes.Success);
        }
        return TypedResults.Ok(new AuditLogResponse(items, number, size, total, verification));
    }

    private static Accepted<JobResponse> StartRetrain(ReindexJobs jobs)
    {
        var job = jobs.Start("retrain");
        return TypedResults.Accepted($"/admin/model/retrain/{job.Id}", job);
    }

    private static Results<Ok<JobResponse>, ProblemHttpResult> GetRetrain(Guid jobId, ReindexJobs jobs) =>
        jobs.Get(jobId) is { } job ? TypedResults.Ok(job) : ApiProblems.NotFound($"Job {jobId}");

    private static async Task<Results<Ok<FlaggedQuery>, ProblemHttpResult>> ReviewAsync(
        Guid id, ReviewRequest? request, HttpContext context, ComplianceDbContext db, SystemAuditWriter audit, TimeProvider clock,
        CancellationToken cancellationToken)
    {
        var note = CanonicalForm.Text(request?.Note?.Trim(), int.MaxValue);
        if (note is { Length: > MaxReviewNote })
        {
            return ApiProblems.Validation($"note is at most {MaxReviewNote} characters.");
        }
        if (!await db.QueryLogs.AnyAsync(q => q.Id == id, cancellationToken))
        {
            return ApiProblems.NotFound($"Query {id}");
        }
        var reviewer = AuditActors.Of(context);
        await db.QueryFeedback.Where(f => f.QueryLogId == id).ExecuteUpdateAsync(set => set
            .SetProperty(f => f.ReviewState, ReviewState.Reviewed)
            .SetProperty(f => f.ReviewedBy, reviewer)
            .SetProperty(f => f.ReviewedAt, clock.GetUtcNow())
            .SetProperty(f => f.ReviewNote, note), cancellationToken);
        // The review itself lives in the tamper-evident system log; the queue reads it from there.
        var key = await AdminAudit.RecordNowAsync(context, "query.review", id.ToString(), new { note }, AuditOutcomes.Success);
        await audit.WaitUntilStoredAsync(key, TimeSpan.FromSeconds(5), cancellationToken);
        return await FlaggedQueries.GetAsync(db, id, cancellationToken) is { } flagged
            ? TypedResults.Ok(flagged)
            : ApiProblems.NotFound($"Query {id}");
    }

    internal static (int Page, int Size)? Paging(int? page, int? pageSize, int maxSize)
    {
        var (number, size) = (page ?? 1, pageSize ?? 50);
        return number is < 1 or > 1_000_000 || size < 1 || size > maxSize ? null : (number, size);
    }

    private static ChainVerificationResult ToResult(ChainVerification v) => new(v.Chain, v.Intact, v.RecordsChecked, v.LastSequence, v.LastHash,
        v.FirstBreak is { } b ? new ChainBreakInfo(b.Sequence, b.Record, b.Kind, b.Detail) : null);

    private static string Name(UserRole role) => SnakeCase.From(role.ToString());

    private static AdminUser ToAdminUser(User u) => new(u.DiscordUserId, u.UserName, u.DisplayName, Name(u.Role), u.IsBanned, u.BanReason,
        u.FirstSeenAt, u.LastSeenAt, u.QuestionCount, u.FeedbackCount, u.Preferences.AnswerPrivately, u.ErasedAt);
}
