namespace Compliance.Api.Persistence.Entities;

/// <summary>How a question ended. Every question is logged with one of these, failures included.</summary>
public enum QueryStatus
{
    Answered,
    Uncertain,
    Refused,
    Error,
    RateLimited,
}

/// <summary>
/// One question and its answer: the core audit record. It carries everything needed to explain an answer later
/// (sources with versions and scores, model, prompt version, latencies) and is a link in a hash chain so an edited,
/// inserted or deleted record is detectable.
/// </summary>
public sealed class QueryLog
{
    /// <summary>The query id given to users and shown in Discord footers.</summary>
    public Guid Id { get; set; }

    /// <summary>Position in the hash chain; assigned in commit order.</summary>
    public long Sequence { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public long? UserId { get; set; }

    public User? User { get; set; }

    public required string DiscordUserId { get; set; }

    /// <summary>The tenant: the Discord guild, or null for a direct message.</summary>
    public string? GuildId { get; set; }

    public string? ChannelId { get; set; }

    /// <summary>The conversation (Discord thread or channel plus user) for follow-ups.</summary>
    public string? ConversationId { get; set; }

    /// <summary>The question as asked. Null once erased.</summary>
    public string? Question { get; set; }

    /// <summary>The answer after the citation check. Null once erased or when none was produced.</summary>
    public string? Answer { get; set; }

    public List<QueryCitation> Citations { get; set; } = [];

    /// <summary>How retrieval went (list sizes, ranks, scores, fusion, lexical-only mode), as JSON.</summary>
    public string? RetrievalDiagnostics { get; set; }

    public QueryStatus Status { get; set; }

    /// <summary>A stable code for a failure (e.g. <c>llm_timeout</c>), null when answered.</summary>
    public string? ErrorCode { get; set; }

    public string? Model { get; set; }

    /// <summary>The hash-based id of the prompt template that produced the answer.</summary>
    public string? PromptVersion { get; set; }

    public int TokensIn { get; set; }

    public int TokensOut { get; set; }

    public decimal CostUsd { get; set; }

    public int? EmbedMs { get; set; }

    public int? SearchMs { get; set; }

    public int? FirstTokenMs { get; set; }

    public int TotalMs { get; set; }

    public bool CacheHit { get; set; }

    /// <summary>
    /// SHA-256 of the record's canonical content. Kept after erasure so the chain still verifies. Set by
    /// <c>QueryLogWriter</c>, like the two links below (assigned at commit): callers leave all three alone.
    /// </summary>
    public string ContentHash { get; set; } = string.Empty;

    /// <summary>The previous record's <see cref="Hash"/> (64 zeros for the first record).</summary>
    public string PreviousHash { get; set; } = string.Empty;

    /// <summary>SHA-256 of <see cref="PreviousHash"/> and <see cref="ContentHash"/>.</summary>
    public string Hash { get; set; } = string.Empty;

    public DateTimeOffset? ErasedAt { get; set; }

    public List<QueryFeedback> Feedback { get; } = [];
}

/// <summary>A source an answer cites, frozen at answer time (documents change; the record must not).</summary>
public sealed class QueryCitation
{
    public int Number { get; set; }

    public Guid DocumentId { get; set; }

    public int DocumentVersion { get; set; }

    public string Title { get; set; } = string.Empty;

    public string? Section { get; set; }

    public int? Page { get; set; }

    public string ChunkId { get; set; } = string.Empty;

    public double Score { get; set; }
}
