using Compliance.Api.Audit;
using Compliance.Api.Persistence;
using Compliance.Api.Persistence.EntityConfigurations;
using Compliance.Api.Problems;
using Compliance.Api.Users;
using Compliance.Contracts.Common;
using Compliance.Contracts.Feedback;
using Compliance.Contracts.Users;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Compliance.Api.History;

/// <summary>
/// A user's own questions, for the bot's /history and /forget. The bot asserts who the caller is; the API only ever
/// returns or erases that user's records.
/// </summary>
public static class HistoryApi
{
    public const int AnswerPreviewLength = 200;

    /// <summary>Maps into the <c>/api/v1</c> group (service token).</summary>
    public static RouteGroupBuilder MapHistoryApi(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/history").WithTags("History");
        group.MapGet("/{userId}", ListAsync).WithName("GetHistory")
            .WithSummary("The user's own questions, newest first (paged: page from 1, pageSize 1-50).")
            .ProducesProblem(StatusCodes.Status400BadRequest);
        group.MapDelete("/{userId}", EraseAsync).WithName("ForgetHistory")
            .WithSummary("Erase the user's questions, answers and comments (GDPR); the audit chain keeps their hashes and still verifies.")
            .ProducesProblem(StatusCodes.Status400BadRequest);
        return api;
    }

    private static async Task<Results<Ok<PagedResponse<HistoryItem>>, ProblemHttpResult>> ListAsync(
        string userId, int? page, int? pageSize, ComplianceDbContext db, CancellationToken cancellationToken)
    {
        if (!DiscordIds.IsValid(userId))
        {
            return ApiProblems.Validation(DiscordIds.Expected("userId"));
        }
        var (number, size) = (page ?? 1, pageSize ?? 10);
        if (number is < 1 or > 100_000 || size is < 1 or > 50)
        {
            return ApiProblems.Validation("page starts at 1; pageSize is 1-50.");
        }

        var query = db.QueryLogs.AsNoTracking().Where(q => q.DiscordUserId == userId);
        var total = await query.LongCountAsync(cancellationToken);
        var rows = await query.OrderByDescending(q => q.CreatedAt).ThenByDescending(q => q.Sequence)
            .Skip((number - 1) * size).Take(size)
            .Select(q => new { q.Id, q.CreatedAt, q.Question, q.Status, Preview = q.Answer!.Substring(0, AnswerPreviewLength), q.Citations })
            .ToListAsync(cancellationToken);
        var items = rows.Select(r => new HistoryItem(r.Id, r.CreatedAt, r.Question, SnakeCase.From(r.Status.ToString()), r.Preview, r.Citations.Count)).ToList();
        return TypedResults.Ok(new PagedResponse<HistoryItem>(items, number, size, total));
    }

    private static async Task<Results<Ok<ErasureResponse>, ProblemHttpResult>> EraseAsync(
        string userId, HttpContext context, QueryErasure erasure, CancellationToken cancellationToken)
    {
        if (!DiscordIds.IsValid(userId))
        {
            return ApiProblems.Validation(DiscordIds.Expected("userId"));
        }
        context.Items[AuditActors.DiscordUserItem] = userId;
        var result = await erasure.EraseAsync(userId, context, cancellationToken);
        return TypedResults.Ok(new ErasureResponse(result.UserId, result.QueriesErased, result.FeedbackCommentsErased, result.ErasedAt));
    }
}
