namespace Compliance.Contracts.Common;

/// <summary>
/// The stable RFC 7807 <c>type</c> URIs the API answers with, in one place. Clients (the bot, the ingest tool) branch
/// on these, never on titles, details or bare status codes, so the wording can improve without breaking them.
/// </summary>
public static class ProblemTypes
{
    private const string Base = "https://compliance.example/problems/";

    /// <summary>400: the request (body, route value or query string) is not valid; the detail says what to fix.</summary>
    public const string Validation = Base + "validation";

    /// <summary>403: the user is banned; the detail is written for them.</summary>
    public const string Banned = Base + "banned";

    /// <summary>403: the caller may not act on this resource (e.g. rate someone else's answer).</summary>
    public const string Forbidden = Base + "forbidden";

    /// <summary>404: the resource does not exist.</summary>
    public const string NotFound = Base + "not-found";

    /// <summary>409: the resource is not in a state that allows this (e.g. re-index a failed document).</summary>
    public const string Conflict = Base + "conflict";

    /// <summary>413: the body, or the document's content, is over a limit.</summary>
    public const string PayloadTooLarge = Base + "payload-too-large";

    /// <summary>415: the document is of a type the API does not read.</summary>
    public const string UnsupportedMediaType = Base + "unsupported-media-type";

    /// <summary>422: the document could not be read (scanned, corrupt, empty).</summary>
    public const string DocumentUnreadable = Base + "document-unreadable";

    /// <summary>429: a per-user or global limit; <c>Retry-After</c> says when to try again.</summary>
    public const string RateLimited = Base + "rate-limited";

    /// <summary>503: Postgres or Redis is unavailable; <c>Retry-After: 30</c>.</summary>
    public const string DependencyUnavailable = Base + "dependency-unavailable";

    /// <summary>503: the ingestion queue is full (<c>INGEST_QUEUE_CAPACITY</c>); <c>Retry-After</c> says when to try again.</summary>
    public const string IngestionBusy = Base + "ingestion-busy";

    /// <summary>503: the record is still on its way to the database (e.g. a rating that beat its answer there).</summary>
    public const string NotYetStored = Base + "not-yet-stored";
}
