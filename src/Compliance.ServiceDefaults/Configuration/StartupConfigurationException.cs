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
        Reason = $"{variable} {problem}";
    }

    public StartupConfigurationException()
    {
        Variable = string.Empty;
        Reason = Message;
    }

    public StartupConfigurationException(string message, Exception innerException) : base(message, innerException)
    {
        Variable = string.Empty;
        Reason = message;
    }

    /// <summary>The environment variable at fault.</summary>
    public string Variable { get; }

    /// <summary>The variable and what is wrong with it, without the "Configuration error:" prefix (for the start-up line).</summary>
    public string Reason { get; }
}
