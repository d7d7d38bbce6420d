using System.Security.Claims;
using Compliance.Api.Audit;
using Compliance.Api.Persistence.Entities;
using Compliance.Api.Security;
using Microsoft.AspNetCore.Authentication;

namespace Compliance.Api.Users;

/// <summary>Roles held in the database, beyond the token roles.</summary>
public static class DatabaseRoles
{
    /// <summary>The header in which the bot (service token) names the Discord user it acts for on admin routes.</summary>
    public const string ActingUserHeader = "X-Discord-User-Id";

    /// <summary>
    /// Lets the bot's service token read this route for a Discord user whose stored role is admin (named in
    /// <see cref="ActingUserHeader"/>). Only the reads the bot's commands make carry it: <c>GET /admin/stats</c>.
    /// </summary>
    public static RouteHandlerBuilder AllowBotActingForAdmin(this RouteHandlerBuilder builder) =>
        builder.WithMetadata(new BotActingForAdmin());
}

/// <summary>Endpoint metadata: see <see cref="DatabaseRoles.AllowBotActingForAdmin"/>.</summary>
public sealed class BotActingForAdmin;

/// <summary>
/// Roles come from the database: when the bot (service token) names the Discord user it acts for in
/// <c>X-Discord-User-Id</c> on a route marked <see cref="BotActingForAdmin"/>, and that user's stored role is admin
/// (and they are not banned), the request gets the admin role. Anywhere else the header changes nothing: Discord ids
/// are public, so a leaked service token plus an admin's id must not read the audit log, the users, the flagged
/// questions or the detailed health — let alone ban, erase, delete documents or retrain.
/// </summary>
internal sealed class DatabaseRoleClaims(IHttpContextAccessor accessor) : IClaimsTransformation
{
    private const string MarkerType = "compliance:database-roles";

    public async Task<ClaimsPrincipal> TransformAsync(ClaimsPrincipal principal)
    {
        var context = accessor.HttpContext;
        if (context is null || !principal.IsInRole(ApiRoles.Service) || principal.HasClaim(c => c.Type == MarkerType) ||
            context.GetEndpoint()?.Metadata.GetMetadata<BotActingForAdmin>() is null ||
            !(HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method)) ||
            context.Request.Headers[DatabaseRoles.ActingUserHeader].ToString() is not { Length: > 0 } actingUser || !DiscordIds.IsValid(actingUser))
        {
            return principal;
        }

        var status = await context.RequestServices.GetRequiredService<UserDirectory>().FindAsync(actingUser, context.RequestAborted);
        var identity = new ClaimsIdentity([new Claim(MarkerType, actingUser)]);
        if (status is { IsBanned: false, Role: UserRole.Admin })
        {
            identity.AddClaim(new Claim(ClaimTypes.Role, ApiRoles.Admin));
        }
        context.Items[AuditActors.DiscordUserItem] = actingUser;
        var transformed = principal.Clone();
        transformed.AddIdentity(identity);
        return transformed;
    }
}
