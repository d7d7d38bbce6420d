using Compliance.Api.Audit;
using Compliance.Api.Persistence;
using Compliance.Api.Problems;
using Compliance.Api.RateLimiting;
using Compliance.Api.Users;
using Compliance.Contracts.Feedback;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Compliance.Api.Feedback;

/// <summary><c>POST /api/v1/feedback</c>: a user's rating of an answer they received.</summary>
public static class FeedbackApi
{
    public const int MaxCommentLength = 1000;

    // Feedback buttons appear with the answer, so a click can beat the query log to Postgres: wait a little for it.
    private static readonly TimeSpan QueryLogWait = TimeSpan.FromSeconds(3);

    /// <summary>Maps into the <c>/api/v1</c> group (service token).</summary>
    public static RouteGroupBuilder MapFeedbackApi(this RouteGroupBuilder api)
    {
        api.MapPost("/feedback", SubmitAsync).WithTags("Feedback").WithName("SubmitFeedback")
            .WithSummary("Rate an answer (1-5 or helpful up/down) with an optional category and comment; a later rating replaces the earlier one.")
            .RequireUserRateLimit<FeedbackRequest>(RateLimitBuckets.Ratings, r => r.UserId)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return api;
    }

    private static async Task<Results<Ok<FeedbackResponse>, ProblemHttpResult>> SubmitAsync(
        FeedbackRequest request, HttpContext context, ComplianceDbContext db, UserDirectory users, QueryLogWriter queryLogs,
        SystemAuditWriter audit, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (Validate(request) is { } problem)
        {
            return ApiProblems.Validation(problem);
        }
        var rating = request.Rating ?? (request.Helpful == true ? 5 : 1);
        var category = request.Category?.Trim().ToLowerInvariant() is { Length: > 0 } c ? c : null;
        var comment = CanonicalForm.Text(request.Comment?.Trim(), MaxCommentLength) is { Length: > 0 } text ? text : null;
        context.Items[AuditActors.DiscordUserItem] = request.UserId;

        var asker = await FindAskerAsync(db, request.QueryId, cancellationToken);
        if (asker is null)
        {
            if (!await queryLogs.WaitUntilStoredAsync(request.QueryId, QueryLogWait, cancellationToken))
            {
                return UserProblems.NotYetStored("That answer is still being recorded. Please try rating it again in a minute.");
            }
            asker = await FindAskerAsync(db, request.QueryId, cancellationToken);
        }
        if (asker is null)
        {
            return ApiProblems.NotFound($"Query {request.QueryId}");
        }
        if (asker != request.UserId)
        {
            await audit.RecordAsync(context, "feedback.submit", request.QueryId.ToString(), new { reason = "not the asker" }, AuditOutcomes.Denied);
            return UserProblems.Forbidden("Only the person who asked the question can rate its answer.");
        }

        var user = await users.TouchAsync(request.UserId, cancellationToken: cancellationToken);
        if (user.IsBanned)
        {
            return UserProblems.Banned(user.BanReason);
        }

        var replaced = await UpsertAsync(db, request.QueryId, user.Id, rating, category, comment, clock.GetUtcNow(), cancellationToken);
        if (!replaced)
        {
            await db.Users.Where(u => u.Id == user.Id).ExecuteUpdateAsync(s => s.SetProperty(u => u.FeedbackCount, u => u.FeedbackCount + 1), cancellationToken);
        }
        var flagged = rating <= FeedbackRatings.Negative;
        await audit.RecordAsync(context, "feedback.submit", request.QueryId.ToString(),
            new { rating, category, replaced, flagged, hasComment = comment is not null }, AuditOutcomes.Success);
        return TypedResults.Ok(new FeedbackResponse(request.QueryId, rating, category, replaced, flagged));
    }

    private static Task<string?> FindAskerAsync(ComplianceDbContext db, Guid queryId, CancellationToken cancellationToken) =>
        db.QueryLogs.AsNoTracking().Where(q => q.Id == queryId).Select(q => q.DiscordUserId).FirstOrDefaultAsync(cancellationToken);

    /// <summary>One statement, so two clicks at once end as one rating; returns true when an earlier rating was replaced.</summary>
    private static async Task<bool> UpsertAsync(ComplianceDbContext db, Guid queryId, long userId, int rating, string? category, string? comment,
        DateTimeOffset now, CancellationToken cancellationToken)
    {
        // A new negative rating (FeedbackRatings.Negative) reopens review; "xmax <> 0" is Postgres's way of saying the
        // row was updated, not inserted.
        const string sql = """
            INSERT INTO query_feedback ("QueryLogId", "UserId", "Rating", "Category", "Comment", "CreatedAt", "UpdatedAt", "ReviewState")
            VALUES (@query, @user, @rating, @category, @comment, @now, @now, 'unreviewed')
            ON CONFLICT ("QueryLogId", "UserId") DO UPDATE SET
                "Rating" = EXCLUDED."Rating", "Category" = EXCLUDED."Category", "Comment" = EXCLUDED."Comment", "UpdatedAt" = EXCLUDED."UpdatedAt",
                "ReviewState" = CASE WHEN EXCLUDED."Rating" <= 2 AND query_feedback."Rating" > 2 THEN 'unreviewed' ELSE query_feedback."ReviewState" END
            RETURNING xmax <> 0
            """;
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        await connection.OpenAsync(cancellationToken);
        try
        {
            await using var command = new NpgsqlCommand(sql, connection);
            command.Parameters.Add(new NpgsqlParameter("query", queryId));
            command.Parameters.Add(new NpgsqlParameter("user", userId));
            command.Parameters.Add(new NpgsqlParameter("rating", (short)rating));
            command.Parameters.Add(new NpgsqlParameter("category", NpgsqlTypes.NpgsqlDbType.Text) { Value = (object?)category ?? DBNull.Value });
            command.Parameters.Add(new NpgsqlParameter("comment", NpgsqlTypes.NpgsqlDbType.Text) { Value = (object?)comment ?? DBNull.Value });
            command.Parameters.Add(new NpgsqlParameter("now", now));
            return (bool)(await command.ExecuteScalarAsync(cancellationToken))!;
        }
        finally
        {
            await connection.CloseAsync();
        }
    }

    internal static string? Validate(FeedbackRequest? request)
    {
        if (request is null)
        {
            return "Send a JSON body with queryId, userId and a rating (1-5) or helpful (true/false).";
        }
        if (request.QueryId == Guid.Empty)
        {
            return "queryId is required.";
        }
        if (!DiscordIds.IsValid(request.UserId))
        {
            return DiscordIds.Expected("userId");
        }
        if (request.Rating is null == request.Helpful is null)
        {
            return "Give either rating (1-5) or helpful (true/false), not both.";
        }
        if (request.Rating is < 1 or > 5)
        {
            return "rating is 1 (worst) to 5 (best).";
        }
        if (request.Category is { } category && !FeedbackCategories.All.Contains(category.Trim().ToLowerInvariant()))
        {
            return $"category is one of {string.Join(", ", FeedbackCategories.All)}.";
        }
        if (request.Comment is { } comment && (comment.Trim().Length > MaxCommentLength || comment.Contains('\0', StringComparison.Ordinal)))
        {
            return $"comment is at most {MaxCommentLength} characters of text.";
        }
        return null;
    }
}
