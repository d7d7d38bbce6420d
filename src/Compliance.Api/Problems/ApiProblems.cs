using Microsoft.AspNetCore.Http.HttpResults;

namespace Compliance.Api.Problems;

/// <summary>
/// Stable problem-details <c>type</c> URIs. Clients (the bot, the ingest tool) branch on these, never on titles
/// or details, so the wording can improve without breaking them.
/// </summary>
public static class ProblemTypes
{
    private const string Base = "https://compliance.example/problems/";

    public const string Validation = Base + "validation";
    public const string UnsupportedMediaType = Base + "unsupported-media-type";
    public const string DocumentUnreadable = Base + "document-unreadable";
    public const string PayloadTooLarge = Base + "payload-too-large";
    public const string NotFound = Base + "not-found";
    public const string Conflict = Base + "conflict";
    public const string DependencyUnavailable = Base + "dependency-unavailable";
}

/// <summary>Builders for the problem responses the endpoints return.</summary>
public static class ApiProblems
{
    public static ProblemHttpResult Create(int status, string type, string title, string detail, IDictionary<string, object?>? extensions = null) =>
        TypedResults.Problem(detail: detail, statusCode: status, title: title, type: type, extensions: extensions);

    public static ProblemHttpResult NotFound(string what) =>
        Create(StatusCodes.Status404NotFound, ProblemTypes.NotFound, "Not found", $"{what} does not exist.");

    public static ProblemHttpResult Validation(string detail) =>
        Create(StatusCodes.Status400BadRequest, ProblemTypes.Validation, "The request is not valid", detail);
}
