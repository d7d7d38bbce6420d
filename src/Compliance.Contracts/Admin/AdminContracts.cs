namespace Compliance.Contracts.Admin;

/// <summary>One UTC day of <c>GET /admin/stats</c>. Rates are fractions of <see cref="Questions"/> (0–1).</summary>
public sealed record DailyStats(
    DateOnly Day,
    int Questions,
    double AnsweredRate,
    double UncertainRate,
    double RefusedRate,
    double ErrorRate,
    double? LatencyP50Ms,
    double? LatencyP95Ms,
    int Ratings,
    double? PositiveFeedbackRatio,
    long TokensIn,
    long TokensOut,
    decimal CostUsd);

/// <summary>A document by how often answers cited it in the period.</summary>
public sealed record CitedDocument(Guid DocumentId, string Title, int Citations, int Queries);

/// <summary>
/// Refused or uncertain questions that share key terms: what the policies do not cover. <see cref="Examples"/>
/// are the most recent such questions (erased ones are left out).
/// </summary>
public sealed record CoverageGap(IReadOnlyList<string> Terms, int Questions, int Refused, int Uncertain, IReadOnlyList<string> Examples);

/// <summary><c>GET /admin/stats</c>.</summary>
public sealed record StatsResponse(
    DateOnly From,
    DateOnly To,
    IReadOnlyList<DailyStats> Days,
    IReadOnlyList<CitedDocument> MostCitedDocuments,
    IReadOnlyList<CoverageGap> CoverageGaps);

/// <summary>A user as administrators see them.</summary>
public sealed record AdminUser(
    string UserId,
    string? UserName,
    string? DisplayName,
    string Role,
    bool Banned,
    string? BanReason,
    DateTimeOffset FirstSeenAt,
    DateTimeOffset LastSeenAt,
    int Questions,
    int Ratings,
    bool AnswerPrivately,
    DateTimeOffset? ErasedAt);

/// <summary><c>PUT /admin/users/{userId}</c>: omitted fields stay as they are. Role is user, reviewer or admin.</summary>
public sealed record UpdateUserRequest(string? Role = null, bool? Banned = null, string? BanReason = null);

/// <summary>A question in the review queue and why it is there (negative_feedback, uncertain, refused).</summary>
public sealed record FlaggedQuery(
    Guid QueryId,
    DateTimeOffset AskedAt,
    string UserId,
    string? Question,
    string? Answer,
    string Status,
    IReadOnlyList<string> Reasons,
    int? LowestRating,
    IReadOnlyList<string> Comments,
    bool Reviewed,
    string? ReviewedBy,
    DateTimeOffset? ReviewedAt,
    string? ReviewNote);

/// <summary><c>POST /admin/queries/{id}/review</c>: the reviewer's note (up to 1,000 characters).</summary>
public sealed record ReviewRequest(string? Note);

/// <summary>One record of the system audit log.</summary>
public sealed record AuditLogEntry(
    long Sequence,
    DateTimeOffset OccurredAt,
    string Actor,
    string Action,
    string? Target,
    string? Details,
    string Outcome,
    string? ClientAddress,
    string Hash);

/// <summary>The first broken link of a chain: which record, how (edited, inserted, deleted) and in words.</summary>
public sealed record ChainBreakInfo(long Sequence, string Record, string Kind, string Detail);

/// <summary>The result of walking one hash chain.</summary>
public sealed record ChainVerificationResult(string Chain, bool Intact, long RecordsChecked, long LastSequence, string? LastHash, ChainBreakInfo? FirstBreak);

/// <summary><c>GET /admin/audit-log</c>: a page of records and, with <c>verify=true</c>, both chains checked end to end.</summary>
public sealed record AuditLogResponse(
    IReadOnlyList<AuditLogEntry> Items,
    int Page,
    int PageSize,
    long Total,
    IReadOnlyList<ChainVerificationResult>? Verification);
