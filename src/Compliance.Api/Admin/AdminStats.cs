using Compliance.Api.Persistence;
using Compliance.Api.Problems;
using Compliance.Contracts.Admin;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;

namespace Compliance.Api.Admin;

/// <summary><c>GET /admin/stats</c>: how the assistant is doing, per UTC day, and what the policies miss.</summary>
internal static class AdminStats
{
    private const int MaxDays = 366;
    private const int GapSampleSize = 2000;

    // Latency percentiles leave out rate-limited questions, which never reached the pipeline.
    private const string DailySql = """
        WITH days AS (
            SELECT ("CreatedAt" AT TIME ZONE 'UTC')::date AS day, count(*) AS questions,
                   count(*) FILTER (WHERE "Status" = 'answered') AS answered,
                   count(*) FILTER (WHERE "Status" = 'uncertain') AS uncertain,
                   count(*) FILTER (WHERE "Status" = 'refused') AS refused,
                   count(*) FILTER (WHERE "Status" = 'error') AS errors,
                   percentile_cont(0.5) WITHIN GROUP (ORDER BY "TotalMs") FILTER (WHERE "Status" <> 'rate_limited') AS p50,
                   percentile_cont(0.95) WITHIN GROUP (ORDER BY "TotalMs") FILTER (WHERE "Status" <> 'rate_limited') AS p95,
                   sum("TokensIn")::bigint AS tokens_in, sum("TokensOut")::bigint AS tokens_out, sum("CostUsd") AS cost
            FROM query_logs WHERE "CreatedAt" >= @from AND "CreatedAt" < @to
            GROUP BY 1),
        ratings AS (
            SELECT (q."CreatedAt" AT TIME ZONE 'UTC')::date AS day, count(*) AS ratings, count(*) FILTER (WHERE f."Rating" >= 4) AS positive
            FROM query_feedback f JOIN query_logs q ON q."Id" = f."QueryLogId"
            WHERE q."CreatedAt" >= @from AND q."CreatedAt" < @to
            GROUP BY 1)
        SELECT d.day, d.questions, d.answered, d.uncertain, d.refused, d.errors, d.p50, d.p95,
               COALESCE(r.ratings, 0), COALESCE(r.positive, 0), d.tokens_in, d.tokens_out, d.cost
        FROM days d LEFT JOIN ratings r ON r.day = d.day ORDER BY d.day
        """;

    private const string CitedSql = """
        SELECT (c->>'DocumentId')::uuid, max(c->>'Title'), count(*), count(DISTINCT q."Id")
        FROM query_logs q CROSS JOIN LATERAL jsonb_array_elements(CASE WHEN jsonb_typeof(q."Citations") = 'array' THEN q."Citations" ELSE '[]'::jsonb END) c
        WHERE q."CreatedAt" >= @from AND q."CreatedAt" < @to
        GROUP BY 1 ORDER BY 3 DESC, 2 LIMIT 10
        """;

    private const string GapSql = """
        SELECT "Question", "Status" FROM query_logs
        WHERE "CreatedAt" >= @from AND "CreatedAt" < @to AND "Status" IN ('refused', 'uncertain') AND "Question" IS NOT NULL
        ORDER BY "CreatedAt" DESC LIMIT @limit
        """;

    public static async Task<Results<Ok<StatsResponse>, ProblemHttpResult>> GetAsync(
        DateOnly? from, DateOnly? to, ComplianceDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (from is { Year: < 2000 or > 9000 } || to is { Year: < 2000 or > 9000 })
        {
            return ApiProblems.Validation("from and to are dates (yyyy-MM-dd) between the years 2000 and 9000.");
        }
        var last = to ?? DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        var first = from ?? last.AddDays(-29);
        if (first > last || last.DayNumber - first.DayNumber >= MaxDays)
        {
            return ApiProblems.Validation($"from must not be after to, and the period is at most {MaxDays} days.");
        }
        var range = new[]
        {
            new NpgsqlParameter("from", new DateTimeOffset(first.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero)),
            new NpgsqlParameter("to", new DateTimeOffset(last.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero)),
        };
        NpgsqlParameter[] Range() => [.. range.Select(p => p.Clone())];

        var days = await PostgresReader.ReadAsync(db, DailySql, r =>
        {
            var questions = (int)r.GetInt64(1);
            var ratings = (int)r.GetInt64(8);
            return new DailyStats(DateOnly.FromDateTime(r.GetDateTime(0)), questions,
                Rate(r.GetInt64(2), questions), Rate(r.GetInt64(3), questions), Rate(r.GetInt64(4), questions), Rate(r.GetInt64(5), questions),
                r.Nullable<double>(6), r.Nullable<double>(7), ratings, ratings == 0 ? null : Rate(r.GetInt64(9), ratings),
                r.GetInt64(10), r.GetInt64(11), r.GetDecimal(12));
        }, cancellationToken, Range());

        var cited = await PostgresReader.ReadAsync(db, CitedSql,
            r => new CitedDocument(r.GetGuid(0), r.NullableString(1) ?? string.Empty, (int)r.GetInt64(2), (int)r.GetInt64(3)), cancellationToken, Range());

        var gapQuestions = await PostgresReader.ReadAsync(db, GapSql, r => (Question: r.GetString(0), Status: r.GetString(1)),
            cancellationToken, [.. Range(), new NpgsqlParameter("limit", GapSampleSize)]);

        return TypedResults.Ok(new StatsResponse(first, last, days, cited, CoverageGaps.Group(gapQuestions)));
    }

    private static double Rate(long part, int whole) => whole == 0 ? 0 : Math.Round((double)part / whole, 4);
}
