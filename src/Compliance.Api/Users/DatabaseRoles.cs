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

    public const string Reviewer = "reviewer";

    /// <summary>Policy: an admin token, or a Discord user whose database role is reviewer or admin.</summary>
    public const string ReviewerPolicy = "reviewer";
}

/// <summary>
/// Roles come from the database: when the bot (service token) names the Discord user it acts for in
/// <c>X-Discord-User-Id</c>, that user's stored role is added to the request (admin, reviewer), unless they are
/// banned. The service token alone never carries an admin role, so it gets 403 on admin routes.
/// Delegated roles apply to reads only (GET/HEAD): the bot needs them for /stats and /health, and a leaked service
/// token must never be able to ban, erase, delete documents or retrain in an admin's name — those need an admin token.
/// </summary>
internal sealed class DatabaseRoleClaims(IHttpContextAccessor accessor) : IClaimsTransformation
{
    private const string MarkerType = "compliance:database-roles";

    public async Task<ClaimsPrincipal> TransformAsync(ClaimsPrincipal principal)
    {
        var context = accessor.HttpContext;
        if (context is null || !principal.IsInRole(ApiRoles.Service) || principal.HasClaim(c => c.Type == MarkerType) ||
            !(HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method)) ||
            context.Request.Headers[DatabaseRoles.ActingUserHeader].ToString() is not { Length: > 0 } actingUser || !DiscordIds.IsValid(actingUser))
        {
            return principal;
        }

        var status = await context.RequestServices.GetRequiredService<UserDirectory>().FindAsync(actingUser, context.RequestAborted);
        var identity = new ClaimsIdentity([new Claim(MarkerType, actingUser)]);
        if (status is { IsBanned: false })
        {
            if (status.Role == UserRole.Admin)
            {
                identity.AddClaim(new Claim(ClaimTypes.Role, ApiRoles.Admin));
                identity.AddClaim(new Claim(ClaimTypes.Role, DatabaseRoles.Reviewer));
            }
            else if (status.Role == UserRole.Reviewer)
            {
                identity.AddClaim(new Claim(ClaimTypes.Role, DatabaseRoles.Reviewer));
            }
        }
        context.Items[AuditActors.DiscordUserItem] = actingUser;
        var transformed = principal.Clone();
        transformed.AddIdentity(identity);
        return transformed;
    }
}
