namespace Compliance.ServiceDefaults.Configuration;

/// <summary>Maps the <c>ENVIRONMENT</c> variable (any case, short forms) onto .NET's environment names.</summary>
public static class EnvironmentNames
{
    public static string? Normalize(string? value) => value?.Trim().ToUpperInvariant() switch
    {
        null or "" => null,
        "PRODUCTION" or "PROD" => "Production",
        "DEVELOPMENT" or "DEV" or "LOCAL" => "Development",
        "STAGING" or "STAGE" => "Staging",
        "TEST" or "TESTING" => "Test",
        _ => throw new StartupConfigurationException("ENVIRONMENT",
            $"is '{value}'; expected Production, Staging, Development or Test."),
    };

    /// <summary>
    /// Whether <c>.env</c> should be read: not when the real environment says production or when running on
    /// Heroku (a dyno has <c>DYNO</c> set), where configuration comes only from the platform.
    /// </summary>
    public static bool ShouldReadDotEnv() =>
        Environment.GetEnvironmentVariable("DYNO") is null &&
        Normalize(Environment.GetEnvironmentVariable("ENVIRONMENT")) is null or "Development" or "Test";
}
