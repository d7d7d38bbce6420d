namespace Compliance.Contracts.Questions;

/// <summary>
/// <c>POST /api/v1/query</c>. The bot asserts who asks (<see cref="UserId"/>, a Discord user id) and where
/// (<see cref="GuildId"/> is the tenant; null for a direct message). <see cref="ConversationId"/> ties follow-ups
/// together (the bot passes the Discord thread, or channel plus user). Send <c>Accept: text/event-stream</c> to
/// receive <see cref="QueryStreamEvents"/> instead of one JSON body.
/// </summary>
public sealed record QueryRequest(
    string Question,
    string UserId,
    string? GuildId = null,
    string? ChannelId = null,
    string? ConversationId = null,
    string? UserName = null);

/// <summary>How a question ended; the same words the query log stores.</summary>
public static class QueryStatuses
{
    public const string Answered = "answered";
    public const string Uncertain = "uncertain";
    public const string Refused = "refused";
    public const string Error = "error";
    public const string RateLimited = "rate_limited";
}

/// <summary>How the answer text was produced.</summary>
public static class AnswerModes
{
    /// <summary>Written by the language model from the numbered sources, citations checked.</summary>
    public const string Generated = "generated";

    /// <summary>No model configured (or it failed): the best passages quoted, clearly labelled as not generated.</summary>
    public const string RetrievalOnly = "retrieval-only";

    /// <summary>The policies do not cover the question: closest passages and a pointer to the compliance team.</summary>
    public const string Refusal = "refusal";
}

/// <summary>
/// A source an answer cites: number <see cref="Number"/> in the answer's <c>[n]</c> markers, with what a reader
/// needs to open it at the right place.
/// </summary>
public sealed record Citation(
    int Number,
    Guid DocumentId,
    string Title,
    int Version,
    string? Section,
    int? Page,
    string ChunkId,
    double Score,
    string Snippet,
    DateOnly? EffectiveDate = null);

public sealed record QueryUsage(int TokensIn, int TokensOut, decimal CostUsd);

/// <summary>
/// Where an answer's time went, in milliseconds from the start of answering. <see cref="ModelMs"/> is the time spent
/// waiting on the language model (its stream), so <c>TotalMs - ModelMs</c> is the service's own time; null when no
/// model was called.
/// </summary>
public sealed record QueryTimings(double EmbedMs, double SearchMs, double? FirstTokenMs, double TotalMs, double? ModelMs = null);

/// <summary>
/// The answer after the citation check. <see cref="Warning"/> is a sentence to show the user as is (e.g. that no
/// source supported the answer, or that the model was unavailable). <see cref="Sources"/> lists every passage
/// given to the model (or quoted); <see cref="Citations"/> only those the answer actually cites. For a generated
/// answer, <see cref="Model"/> is the model that wrote it and <see cref="Provider"/> says whether the primary provider
/// (<c>primary</c>) or the configured fallback (<c>fallback</c>, asked when the primary failed before its first word) did.
/// </summary>
public sealed record QueryResponse(
    Guid QueryId,
    string Status,
    string Mode,
    string Answer,
    IReadOnlyList<Citation> Citations,
    IReadOnlyList<Citation> Sources,
    string? Warning,
    string? Model,
    string PromptVersion,
    QueryUsage Usage,
    QueryTimings Timings,
    bool CacheHit,
    string? ConversationId,
    string? Provider = null);

/// <summary>Server-Sent Event names of the streamed answer, in the order they arrive.</summary>
public static class QueryStreamEvents
{
    /// <summary>First: <see cref="QueryStreamMeta"/> (query id and the numbered sources).</summary>
    public const string Meta = "meta";

    /// <summary>Then zero or more: <see cref="QueryStreamDelta"/> (text to append).</summary>
    public const string Delta = "delta";

    /// <summary>Last on success: the final <see cref="QueryResponse"/> (text after the citation check replaces the deltas).</summary>
    public const string Done = "done";

    /// <summary>Last on failure: <see cref="QueryStreamError"/>.</summary>
    public const string Error = "error";
}

public sealed record QueryStreamMeta(Guid QueryId, string Mode, IReadOnlyList<Citation> Sources);

public sealed record QueryStreamDelta(string Text);

/// <summary>A failure in words a user can read (<see cref="Message"/>) and a stable <see cref="Code"/> for programs.</summary>
public sealed record QueryStreamError(Guid QueryId, string Code, string Message);

/// <summary><c>DELETE /api/v1/conversations/{conversationId}?userId=&amp;guildId=</c> body-less reset of that user's conversation; this is its reply.</summary>
public sealed record ConversationResetResponse(string ConversationId, int TurnsForgotten);
