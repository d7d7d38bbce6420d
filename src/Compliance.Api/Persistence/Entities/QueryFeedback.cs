namespace Compliance.Api.Persistence.Entities;

/// <summary>Where a piece of feedback is in the compliance team's review.</summary>
public enum ReviewState
{
    Unreviewed,
    Reviewed,
    Dismissed,
}

/// <summary>A user's rating of an answer; one per user per answer (a later rating replaces it).</summary>
public sealed class QueryFeedback
{
    public long Id { get; set; }

    public Guid QueryLogId { get; set; }

    public QueryLog? QueryLog { get; set; }

    public long UserId { get; set; }

    public User? User { get; set; }

    /// <summary>1 (worst) to 5 (best); a thumbs-down is 1 and a thumbs-up 5.</summary>
    public short Rating { get; set; }

    /// <summary>incorrect, outdated, unclear, helpful, other.</summary>
    public string? Category { get; set; }

    public string? Comment { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public ReviewState ReviewState { get; set; } = ReviewState.Unreviewed;

    public string? ReviewedBy { get; set; }

    public DateTimeOffset? ReviewedAt { get; set; }

    public string? ReviewNote { get; set; }
}
