using Compliance.Api.Persistence;
using Compliance.Api.Problems;
using Compliance.Contracts.Admin;
using Compliance.Contracts.Common;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;

namespace Compliance.Api.Admin;

/// <summary>
/// The review queue: answers rated negatively (2 or less), and answers that were uncertain or refused. A query is
/// reviewed once a <c>query.review</c> record for it is in the (tamper-evident) system audit log.
/// </summary>
internal static class FlaggedQueries
{
    // One row per query: why it is flagged, its lowest rating and comments, and its latest review, if any.
    private const string Select = """
        SELECT q."Id", q."CreatedAt", q."DiscordUserId", q."Question", left(q."Answer", 500), q."Status",
               fb.lowest, COALESCE(fb.comments, ARRAY[]::text[]), r."Actor", r."OccurredAt", r."Details"->>'note'
        FROM query_logs q
        LEFT JOIN LATERAL (
            SELECT min(f."Rating")::int AS lowest, array_agg(f."Comment" ORDER BY f."UpdatedAt") FILTER (WHERE f."Comment" IS NOT NULL) AS comments
            FROM query_feedback f WHERE f."QueryLogId" = q."Id") fb ON true
        LEFT JOIN LATERAL (
            SELECT a."Actor", a."OccurredAt", a."Details" FROM system_audit_logs a
            WHERE a."Action" = 'query.review' AND a."Target" = q."Id"::text ORDER BY a."Sequence" DESC LIMIT 1) r ON true
        """;

    private const string Flagged = """
        (q."Status" IN ('uncertain', 'refused') OR EXISTS (SELECT 1 FROM query_feedback nf WHERE nf."QueryLogId" = q."Id" AND nf."Rating" <= 2))
        """;

    public static async Task<Results<Ok<PagedResponse<FlaggedQuery>>, ProblemHttpResult>> ListAsync(
        int? page, int? pageSize, ComplianceDbContext db, CancellationToken cancellationToken)
    {
        if (AdminApi.Paging(page, pageSize, 200) is not var (number, size))
        {
            return ApiProblems.Validation("page starts at 1; pageSize is 1-200.");
        }
        var total = (await PostgresReader.ReadAsync(db, $"SELECT count(*) FROM query_logs q WHERE {Flagged}", r => r.GetInt64(0), cancellationToken))[0];
        var items = await PostgresReader.ReadAsync(db,
            $"{Select} WHERE {Flagged} ORDER BY (r.\"Actor\" IS NULL) DESC, q.\"CreatedAt\" DESC, q.\"Sequence\" DESC LIMIT @limit OFFSET @offset",
            Read, cancellationToken, new NpgsqlParameter("limit", size), new NpgsqlParameter("offset", (long)(number - 1) * size));
        return TypedResults.Ok(new PagedResponse<FlaggedQuery>(items, number, size, total));
    }

    /// <summary>One query as the review queue shows it (whether or not it is flagged), or null if it does not exist.</summary>
    public static async Task<FlaggedQuery?> GetAsync(ComplianceDbContext db, Guid id, CancellationToken cancellationToken) =>
        (await PostgresReader.ReadAsync(db, $"{Select} WHERE q.\"Id\" = @id", Read, cancellationToken, new NpgsqlParameter("id", id))).FirstOrDefault();

    private static FlaggedQuery Read(System.Data.Common.DbDataReader r)
    {
        var status = r.GetString(5);
        var lowest = r.Nullable<int>(6);
        var reasons = new List<string>();
        if (lowest <= Compliance.Contracts.Feedback.FeedbackRatings.Negative)
        {
            reasons.Add("negative_feedback");
        }
        if (status is "uncertain" or "refused")
        {
            reasons.Add(status);
        }
        return new FlaggedQuery(r.GetGuid(0), r.GetFieldValue<DateTimeOffset>(1), r.GetString(2), r.NullableString(3), r.NullableString(4), status,
            reasons, lowest, r.GetFieldValue<string[]>(7), !r.IsDBNull(8), r.NullableString(8), r.Nullable<DateTimeOffset>(9), r.NullableString(10));
    }
}
