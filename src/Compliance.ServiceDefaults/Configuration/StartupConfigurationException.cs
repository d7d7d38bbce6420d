namespace Compliance.ServiceDefaults.Configuration;

/// <summary>
/// A required setting is missing or malformed. The message always names the environment variable so an operator
/// can fix the deployment without reading code.
/// </summary>
public sealed class StartupConfigurationException : Exception
{
    public StartupConfigurationException(string variable, string problem)
        : base($"Configuration error: {variable} {problem}")
    {
        Variable = variable;
    }

    public StartupConfigurationException()
    {
        Variable = string.Empty;
    }

    public StartupConfigurationException(string message, Exception innerException) : base(message, innerException)
    {
        Variable = string.Empty;
    }

    /// <summary>The environment variable at fault.</summary>
    public string Variable { get; }
}
