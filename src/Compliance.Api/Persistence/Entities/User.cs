namespace Compliance.Api.Persistence.Entities;

/// <summary>What a user may do. Stored as lower-case text so the audit trail reads without a lookup table.</summary>
public enum UserRole
{
    User,
    Reviewer,
    Admin,
}

/// <summary>A Discord user who has asked a question or been given a role. Roles live here, not in Discord.</summary>
public sealed class User
{
    public long Id { get; set; }

    /// <summary>The Discord snowflake, as text (snowflakes exceed JavaScript's safe integers).</summary>
    public required string DiscordUserId { get; set; }

    public string? UserName { get; set; }

    public string? DisplayName { get; set; }

    public UserRole Role { get; set; } = UserRole.User;

    public bool IsBanned { get; set; }

    public string? BanReason { get; set; }

    public DateTimeOffset FirstSeenAt { get; set; }

    public DateTimeOffset LastSeenAt { get; set; }

    public int QuestionCount { get; set; }

    public int FeedbackCount { get; set; }

    /// <summary>Per-user settings such as answering privately by default (JSON).</summary>
    public UserPreferences Preferences { get; set; } = new();

    /// <summary>When the user's question content was erased on request (GDPR); null if never.</summary>
    public DateTimeOffset? ErasedAt { get; set; }

    public List<QueryLog> Queries { get; } = [];
}

/// <summary>Settings a user chooses with /settings.</summary>
public sealed class UserPreferences
{
    public bool AnswerPrivately { get; set; }
}
