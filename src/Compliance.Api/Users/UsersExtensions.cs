namespace Compliance.Api.Users;

public static class UsersExtensions
{
    /// <summary>The user directory: first/last seen, counters, roles, bans and preferences, from the database.</summary>
    public static WebApplicationBuilder AddUsers(this WebApplicationBuilder builder)
    {
        builder.Services.AddScoped<UserDirectory>();
        return builder;
    }
}
