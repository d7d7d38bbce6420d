using Compliance.Api.Knowledge;
using Compliance.Api.Problems;
using Compliance.Contracts.Search;
using Compliance.Knowledge.Indexing;
using Compliance.Knowledge.Search;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Compliance.Api.Search;

/// <summary><c>POST /api/v1/search</c>: retrieval only — the ranked passages a question would be answered from.</summary>
public static class SearchApi
{
    public const int MaxQueryLength = 1000;

    /// <summary>Maps into the <c>/api/v1</c> group (service token).</summary>
    public static RouteGroupBuilder MapSearchApi(this RouteGroupBuilder api)
    {
        api.MapPost("/search", SearchAsync).WithTags("Questions").WithName("Search")
            .WithSummary("Hybrid BM25 + vector search over the tenant's and global documents; no language model.")
            .ProducesProblem(StatusCodes.Status400BadRequest);
        return api;
    }

    private static async Task<Results<Ok<SearchResponse>, ProblemHttpResult>> SearchAsync(
        SearchRequest request, KnowledgeRuntime knowledge, CancellationToken cancellationToken)
    {
        if (Validate(request) is { } problem)
        {
            return ApiProblems.Validation(problem);
        }

        var filter = new SearchFilter(request.GuildId ?? Tenants.Global, request.DocumentIds, request.Tags);
        var result = await knowledge.Search.SearchAsync(request.Query.Trim(), filter, request.TopK, cancellationToken);
        var hits = result.Hits.Select(hit => new SearchHit(
            hit.Rank, hit.Chunk.ChunkId, hit.Chunk.DocumentId, hit.Chunk.DocumentVersion, hit.Chunk.Title, hit.Chunk.SectionPath,
            hit.Chunk.PageStart, hit.Chunk.PageEnd, hit.Chunk.Text, hit.FusedScore, hit.TextRank, hit.TextScore, hit.VectorRank, hit.VectorScore)).ToList();
        var timings = result.Timings;
        return TypedResults.Ok(new SearchResponse(request.Query, ModeName(result.Mode), hits,
            new Compliance.Contracts.Search.SearchTimings(Ms(timings.Embed), Ms(timings.Text), Ms(timings.Vector), Ms(timings.Total))));
    }

    /// <summary>The mode as the API reports it: hybrid, lexical-only or vector-only.</summary>
    public static string ModeName(SearchMode mode) => mode switch
    {
        SearchMode.Hybrid => "hybrid",
        SearchMode.LexicalOnly => "lexical-only",
        _ => "vector-only",
    };

    private static double Ms(TimeSpan span) => Math.Round(span.TotalMilliseconds, 2);

    internal static string? Validate(SearchRequest? request)
    {
        if (request is null)
        {
            return "Send a JSON body with a 'query'.";
        }
        if (string.IsNullOrWhiteSpace(request.Query))
        {
            return "query is required.";
        }
        if (request.Query.Length > MaxQueryLength)
        {
            return $"query is longer than {MaxQueryLength} characters.";
        }
        if (request.GuildId is not null && !Users.DiscordIds.IsValid(request.GuildId))
        {
            return Users.DiscordIds.Expected("guildId");
        }
        if (request.TopK is < 1 or > 20)
        {
            return "topK is 1-20.";
        }
        if (request.DocumentIds is { Count: > 20 })
        {
            return "documentIds has at most 20 ids.";
        }
        if (request.Tags is { } tags && (tags.Count > 10 || tags.Any(t => string.IsNullOrWhiteSpace(t) || t.Length > 50)))
        {
            return "tags has at most 10 tags of 1-50 characters.";
        }
        return null;
    }
}
