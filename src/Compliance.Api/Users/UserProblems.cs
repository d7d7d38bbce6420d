using Compliance.Api.Problems;
using Compliance.Contracts.Common;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Compliance.Api.Users;

/// <summary>Problems about who the caller is or may act for.</summary>
public static class UserProblems
{
    /// <summary>The user is banned; the detail is written for them and the bot shows it as is.</summary>
    public const string BannedType = ProblemTypes.Banned;

    /// <summary>The user may not act on this resource (e.g. rate someone else's answer).</summary>
    public const string ForbiddenType = ProblemTypes.Forbidden;

    /// <summary>The record is still on its way to the database (e.g. Postgres is briefly unavailable).</summary>
    public const string NotYetStoredType = ProblemTypes.NotYetStored;

    public static ProblemHttpResult Banned(string? reason) =>
        ApiProblems.Create(StatusCodes.Status403Forbidden, BannedType, "Access withdrawn",
            "You can no longer use the compliance assistant" + (string.IsNullOrWhiteSpace(reason) ? "." : $": {reason}.") +
            " Contact the compliance team if you think this is a mistake.");

    public static ProblemHttpResult Forbidden(string detail) =>
        ApiProblems.Create(StatusCodes.Status403Forbidden, ForbiddenType, "Not allowed", detail);

    public static ProblemHttpResult NotYetStored(string detail) =>
        ApiProblems.Create(StatusCodes.Status503ServiceUnavailable, NotYetStoredType, "Not recorded yet", detail);
}
