using Compliance.Api.Security;
using Microsoft.AspNetCore.Authentication;

namespace Compliance.Api.Users;

public static class UsersExtensions
{
    /// <summary>
    /// The user directory (first/last seen, counters, roles, bans, preferences) and database roles for Discord users
    /// acting through the bot, with the reviewer policy.
    /// </summary>
    public static WebApplicationBuilder AddUsers(this WebApplicationBuilder builder)
    {
        builder.Services.AddScoped<UserDirectory>();
        builder.Services.AddHttpContextAccessor();
        builder.Services.AddTransient<IClaimsTransformation, DatabaseRoleClaims>();
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(DatabaseRoles.ReviewerPolicy, p => p.RequireRole(ApiRoles.Admin, DatabaseRoles.Reviewer));
        return builder;
    }
}
