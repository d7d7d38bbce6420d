using Microsoft.AspNetCore.Authentication;

namespace Compliance.Api.Users;

public static class UsersExtensions
{
    /// <summary>
    /// The user directory (first/last seen, counters, roles, bans, preferences), and the stored admin role for a
    /// Discord user the bot acts for on the one route that allows it (<see cref="DatabaseRoles.AllowBotActingForAdmin"/>).
    /// </summary>
    public static WebApplicationBuilder AddUsers(this WebApplicationBuilder builder)
    {
        builder.Services.AddScoped<UserDirectory>();
        builder.Services.AddHttpContextAccessor();
        builder.Services.AddTransient<IClaimsTransformation, DatabaseRoleClaims>();
        return builder;
    }
}
