namespace Compliance.Contracts.Search;

/// <summary><c>POST /api/v1/search</c>: retrieval only, no model.</summary>
public sealed record SearchRequest(
    string Query,
    string? GuildId = null,
    int? TopK = null,
    IReadOnlyList<Guid>? DocumentIds = null,
    IReadOnlyList<string>? Tags = null);

/// <summary>The ranked passages and how they were found.</summary>
public sealed record SearchResponse(
    string Query,
    string Mode,
    IReadOnlyList<SearchHit> Results,
    SearchTimings Timings);

/// <summary>
/// One passage with its source and its place in each ranked list (text/BM25 and vector), for diagnostics.
/// <see cref="Score"/> is the fused score; list ranks are 1-based and null when the passage was not in that list.
/// </summary>
public sealed record SearchHit(
    int Rank,
    string ChunkId,
    Guid DocumentId,
    int DocumentVersion,
    string Title,
    string? Section,
    int? PageStart,
    int? PageEnd,
    string Text,
    double Score,
    int? TextRank,
    double? TextScore,
    int? VectorRank,
    double? VectorScore);

/// <summary>Milliseconds spent embedding the query and searching each list.</summary>
public sealed record SearchTimings(double EmbedMs, double TextMs, double VectorMs, double TotalMs);
