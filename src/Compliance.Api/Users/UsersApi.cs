using Compliance.Api.Problems;
using Compliance.Api.Persistence.Entities;
using Compliance.Contracts.Users;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Compliance.Api.Users;

/// <summary><c>/api/v1/users/{userId}/settings</c>: the bot's /settings (answer privately by default).</summary>
public static class UsersApi
{
    /// <summary>Maps into the <c>/api/v1</c> group (service token).</summary>
    public static RouteGroupBuilder MapUsersApi(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/users").WithTags("Users");
        group.MapGet("/{userId}/settings", GetAsync).WithName("GetUserSettings")
            .WithSummary("The user's settings (defaults if they were never seen).").ProducesProblem(StatusCodes.Status400BadRequest);
        group.MapPut("/{userId}/settings", PutAsync).WithName("PutUserSettings")
            .WithSummary("Store the user's settings: answerPrivately makes answers visible only to them by default.")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status403Forbidden);
        return api;
    }

    private static async Task<Results<Ok<UserSettingsResponse>, ProblemHttpResult>> GetAsync(
        string userId, UserDirectory users, CancellationToken cancellationToken)
    {
        if (!DiscordIds.IsValid(userId))
        {
            return ApiProblems.Validation(DiscordIds.Expected("userId"));
        }
        var status = await users.FindAsync(userId, cancellationToken);
        return TypedResults.Ok(new UserSettingsResponse(userId, status?.Preferences.AnswerPrivately ?? false));
    }

    private static async Task<Results<Ok<UserSettingsResponse>, ProblemHttpResult>> PutAsync(
        string userId, UserSettingsRequest request, UserDirectory users, CancellationToken cancellationToken)
    {
        if (!DiscordIds.IsValid(userId))
        {
            return ApiProblems.Validation(DiscordIds.Expected("userId"));
        }
        if (request is null)
        {
            return ApiProblems.Validation("Send a JSON body with answerPrivately (true/false).");
        }
        if (await users.FindAsync(userId, cancellationToken) is { IsBanned: true } banned)
        {
            return UserProblems.Banned(banned.BanReason);
        }
        var status = await users.SavePreferencesAsync(userId, new UserPreferences { AnswerPrivately = request.AnswerPrivately }, cancellationToken);
        return TypedResults.Ok(new UserSettingsResponse(userId, status.Preferences.AnswerPrivately));
    }
}
