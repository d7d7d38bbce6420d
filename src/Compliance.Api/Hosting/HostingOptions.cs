using System.Globalization;
using Compliance.ServiceDefaults.Configuration;
using Microsoft.Extensions.Options;

namespace Compliance.Api.Hosting;

/// <summary>Where and how the API listens. Bound from environment variables of the same names.</summary>
public sealed class HostingOptions
{
    /// <summary><c>PORT</c>: the TCP port to bind on all interfaces (Heroku assigns it). Default 8080.</summary>
    [ConfigurationKeyName("PORT")]
    public int Port { get; set; } = 8080;

    /// <summary><c>CORS_ORIGINS</c>: comma-separated origins allowed to call the API from a browser; <c>*</c> for any. Empty: none.</summary>
    [ConfigurationKeyName("CORS_ORIGINS")]
    public string? CorsOrigins { get; set; }

    /// <summary>The parsed <see cref="CorsOrigins"/>.</summary>
    public IReadOnlyList<string> CorsOriginList =>
        (CorsOrigins ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>
    /// <c>PORT</c> as Kestrel needs it before the host is built (options validate only when it starts): a value that
    /// is not a port is a start-up error naming the variable.
    /// </summary>
    internal static int PortFrom(IConfiguration configuration)
    {
        var text = configuration["PORT"];
        if (string.IsNullOrWhiteSpace(text))
        {
            return new HostingOptions().Port;
        }
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is >= 1 and <= 65535
            ? port
            : throw new StartupConfigurationException("PORT", $"is '{text}'; expected a TCP port number (1-65535).");
    }
}

/// <summary>Start-up validation of <see cref="HostingOptions"/>; each failure names the variable to fix.</summary>
internal sealed class HostingOptionsValidation : IValidateOptions<HostingOptions>
{
    public ValidateOptionsResult Validate(string? name, HostingOptions options)
    {
        var failures = new List<string>();
        if (options.Port is < 1 or > 65535)
        {
            failures.Add($"PORT is {options.Port}; expected 1-65535.");
        }
        foreach (var origin in options.CorsOriginList)
        {
            if (origin != "*" && (!Uri.TryCreate(origin, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")))
            {
                failures.Add($"CORS_ORIGINS contains '{origin}', which is not an http(s) origin such as https://example.com.");
            }
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
