namespace Compliance.Contracts.Feedback;

/// <summary>
/// <c>POST /api/v1/feedback</c>: a rating of one answer by the user who asked it. Give <see cref="Rating"/> 1–5,
/// or <see cref="Helpful"/> (thumbs up = 5, down = 1). One rating per user per answer; a later one replaces it.
/// </summary>
public sealed record FeedbackRequest(
    Guid QueryId,
    string UserId,
    int? Rating = null,
    bool? Helpful = null,
    string? Category = null,
    string? Comment = null);

/// <summary>What a rating (1-5) means.</summary>
public static class FeedbackRatings
{
    /// <summary>A rating at or below this is negative: the answer goes to the review queue.</summary>
    public const int Negative = 2;
}

/// <summary>Categories a rating may carry.</summary>
public static class FeedbackCategories
{
    public const string Incorrect = "incorrect";
    public const string Outdated = "outdated";
    public const string Unclear = "unclear";
    public const string Helpful = "helpful";
    public const string Other = "other";

    public static readonly IReadOnlyList<string> All = [Incorrect, Outdated, Unclear, Helpful, Other];
}

public sealed record FeedbackResponse(Guid QueryId, int Rating, string? Category, bool Replaced, bool Flagged);

/// <summary>One line of <c>GET /api/v1/history/{userId}</c>.</summary>
public sealed record HistoryItem(Guid QueryId, DateTimeOffset AskedAt, string? Question, string Status, string? AnswerPreview, int Citations);
