using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Compliance.Api.Security;

/// <summary>The roles a bearer token can carry.</summary>
public static class ApiRoles
{
    public const string Admin = "admin";
    public const string Service = "service";
}

/// <summary>Authorization policy names used on route groups.</summary>
public static class ApiPolicies
{
    public const string Admin = "admin";
    public const string Service = "service";
}

/// <summary>
/// Authenticates <c>Authorization: Bearer</c> against the configured admin tokens (two, for rotation) and the bot's
/// service token. Tokens are compared as SHA-256 digests with a fixed-time comparison, and every candidate is
/// compared every time, so neither a wrong token nor a missing one answers faster.
/// </summary>
public sealed class BearerTokenAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    IOptions<SecurityOptions> security)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Bearer";

    private readonly (byte[] Digest, string Role, bool Configured)[] _tokens =
    [
        Digest(security.Value.AdminToken, ApiRoles.Admin),
        Digest(security.Value.AdminTokenSecondary, ApiRoles.Admin),
        Digest(security.Value.ServiceToken, ApiRoles.Service),
    ];

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        var presented = header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header[7..].Trim() : string.Empty;
        var presentedDigest = SHA256.HashData(Encoding.UTF8.GetBytes(presented));

        string? role = null;
        foreach (var (digest, tokenRole, configured) in _tokens)
        {
            // No early exit: the work done is the same whichever token (if any) matches.
            var match = CryptographicOperations.FixedTimeEquals(digest, presentedDigest) & configured;
            if (match && role is null)
            {
                role = tokenRole;
            }
        }

        if (role is null)
        {
            return Task.FromResult(header.Length == 0
                ? AuthenticateResult.NoResult()
                : AuthenticateResult.Fail("The bearer token is not valid."));
        }

        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, role), new Claim(ClaimTypes.Role, role)], SchemeName);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }

    private static (byte[], string, bool) Digest(string? token, string role) =>
        string.IsNullOrEmpty(token)
            ? (SHA256.HashData(RandomNumberGenerator.GetBytes(32)), role, false)
            : (SHA256.HashData(Encoding.UTF8.GetBytes(token)), role, true);
}

public static class SecurityExtensions
{
    /// <summary>
    /// The tokens (validated at start), bearer-token authentication and the admin/service policies. An admin token
    /// also passes service routes.
    /// </summary>
    public static WebApplicationBuilder AddApiSecurity(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<SecurityOptions>().Bind(builder.Configuration).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<SecurityOptions>, SecurityOptionsValidation>();
        builder.Services.AddAuthentication(BearerTokenAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, BearerTokenAuthenticationHandler>(BearerTokenAuthenticationHandler.SchemeName, null);
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(ApiPolicies.Admin, p => p.RequireRole(ApiRoles.Admin))
            .AddPolicy(ApiPolicies.Service, p => p.RequireRole(ApiRoles.Service, ApiRoles.Admin));
        return builder;
    }
}
