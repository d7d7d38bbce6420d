using Compliance.Contracts.Common;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Compliance.Api.Problems;

/// <summary>Builders for the problem responses the endpoints return; the <c>type</c> URIs are <see cref="ProblemTypes"/> in Contracts.</summary>
public static class ApiProblems
{
    public static ProblemHttpResult Create(int status, string type, string title, string detail, IDictionary<string, object?>? extensions = null) =>
        TypedResults.Problem(detail: detail, statusCode: status, title: title, type: type, extensions: extensions);

    public static ProblemHttpResult NotFound(string what) =>
        Create(StatusCodes.Status404NotFound, ProblemTypes.NotFound, "Not found", $"{what} does not exist.");

    public static ProblemHttpResult Validation(string detail) =>
        Create(StatusCodes.Status400BadRequest, ProblemTypes.Validation, "The request is not valid", detail);
}
