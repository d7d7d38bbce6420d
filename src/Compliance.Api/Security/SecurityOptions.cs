using Microsoft.Extensions.Options;

namespace Compliance.Api.Security;

/// <summary>Bearer tokens. Admin routes accept either admin token so a rotation never locks operators out.</summary>
public sealed class SecurityOptions
{
    /// <summary>Minimum token length accepted in production: shorter tokens are guessable.</summary>
    public const int MinimumTokenLength = 24;

    /// <summary><c>ADMIN_TOKEN</c>: bearer token for /admin and /health/detailed. Required in production.</summary>
    [ConfigurationKeyName("ADMIN_TOKEN")]
    public string? AdminToken { get; set; }

    /// <summary><c>ADMIN_TOKEN_SECONDARY</c>: a second admin token, accepted alongside the first during rotation.</summary>
    [ConfigurationKeyName("ADMIN_TOKEN_SECONDARY")]
    public string? AdminTokenSecondary { get; set; }

    /// <summary><c>SERVICE_TOKEN</c>: the token the Discord bot presents. Required in production.</summary>
    [ConfigurationKeyName("SERVICE_TOKEN")]
    public string? ServiceToken { get; set; }
}

/// <summary>Start-up validation of <see cref="SecurityOptions"/>; failures name the variable, never echo a token.</summary>
internal sealed class SecurityOptionsValidation(IHostEnvironment environment) : IValidateOptions<SecurityOptions>
{
    public ValidateOptionsResult Validate(string? name, SecurityOptions options)
    {
        var failures = new List<string>();
        var production = environment.IsProduction();
        CheckToken("ADMIN_TOKEN", options.AdminToken, required: production, failures);
        CheckToken("ADMIN_TOKEN_SECONDARY", options.AdminTokenSecondary, required: false, failures);
        CheckToken("SERVICE_TOKEN", options.ServiceToken, required: production, failures);
        if (!string.IsNullOrEmpty(options.ServiceToken) &&
            (options.ServiceToken == options.AdminToken || options.ServiceToken == options.AdminTokenSecondary))
        {
            failures.Add("SERVICE_TOKEN equals an admin token; the bot's token must not grant admin rights.");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);

        void CheckToken(string variable, string? value, bool required, List<string> list)
        {
            if (string.IsNullOrEmpty(value))
            {
                if (required)
                {
                    list.Add($"{variable} is not set; it is required in production (generate one with: openssl rand -hex 32).");
                }
                return;
            }
            if (production && value.Length < SecurityOptions.MinimumTokenLength)
            {
                list.Add($"{variable} is shorter than {SecurityOptions.MinimumTokenLength} characters; use a long random value (openssl rand -hex 32).");
            }
            if (value.Any(char.IsWhiteSpace))
            {
                list.Add($"{variable} contains whitespace, which a bearer token cannot carry.");
            }
        }
    }
}
