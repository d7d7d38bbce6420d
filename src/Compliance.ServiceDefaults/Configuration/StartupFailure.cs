using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace Compliance.ServiceDefaults.Configuration;

/// <summary>
/// An exception whose message alone says why the process could not start, naming the variable at fault (a database
/// that <c>DATABASE_URL</c> does not lead to, say): a deployment's problem, reported like a bad setting.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1040:Avoid empty interfaces", Justification = "A marker: what matters is the type, read by StartupFailure.")]
public interface IStartupFailure
{
}

/// <summary>
/// Recognises start-up failures caused by the deployment (a bad setting, an unusable model or index, an unreachable
/// database) and describes them the way the rule asks: one line naming the variable and the reason, no stack trace.
/// Both deployables' <c>Program</c> print it on stderr and exit 1; <see cref="Logging.ServiceLogging"/> keeps the
/// host's own log of the same failure, which carries the stack trace, off the console.
/// </summary>
public static partial class StartupFailure
{
    public static bool IsKnown(Exception exception) => exception switch
    {
        StartupConfigurationException or OptionsValidationException or IStartupFailure => true,
        // The configuration binder's own refusal of a value it cannot convert (EMBED_SPINNING=sometimes).
        InvalidOperationException conversion when BinderConversion(conversion) is not null => true,
        // Other services cancelled while the host gave up on the start come along with the real cause: they are its
        // consequence, not a second failure (seen in CI: an unusable INDEX_PATH beside a TaskCanceledException).
        AggregateException aggregate => aggregate.InnerExceptions.Any(IsKnown) &&
            aggregate.InnerExceptions.All(inner => IsKnown(inner) || inner is OperationCanceledException),
        _ => false,
    };

    /// <summary>
    /// A cancellation the host reports while a start is being abandoned (a hosted service stopped part way): noise
    /// beside the one line that names the cause, never a cause itself.
    /// </summary>
    public static bool IsCancellation(Exception exception) => exception is OperationCanceledException ||
        exception is AggregateException aggregate && aggregate.InnerExceptions.All(IsCancellation);

    /// <summary>
    /// <c>Start-up failed: PORT is 'eighty'; expected a TCP port number (1-65535).</c> Several failures (options are
    /// validated together) follow one another on the same line, each ending with a full stop.
    /// </summary>
    public static string Describe(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var reasons = Reasons(exception).Select(OneSentence).Distinct(StringComparer.Ordinal);
        return "Start-up failed: " + string.Join(' ', reasons);
    }

    private static IEnumerable<string> Reasons(Exception exception) => exception switch
    {
        StartupConfigurationException configuration => [configuration.Reason],
        InvalidOperationException conversion when BinderConversion(conversion) is { } reason => [reason],
        OptionsValidationException options => options.Failures,
        AggregateException aggregate => aggregate.InnerExceptions.Where(inner => inner is not OperationCanceledException).SelectMany(Reasons),
        _ => [exception.Message],
    };

    /// <summary>
    /// "Failed to convert configuration value 'x' at 'KEY' to type 'System.Boolean'." (Microsoft.Extensions.Configuration's
    /// binder) as "KEY is 'x'; expected true or false"; null for any other exception. The value is left out for a key
    /// that may hold a secret.
    /// </summary>
    private static string? BinderConversion(InvalidOperationException exception)
    {
        var match = BinderConversionMessage().Match(exception.Message);
        if (!match.Success || exception.InnerException is null)
        {
            return null;
        }

        var key = match.Groups["key"].Value;
        var type = match.Groups["type"].Value;
        // Nullable<T> is reported by its full name: System.Nullable`1[[System.Boolean, System.Private.CoreLib, …]].
        if (type.StartsWith(NullablePrefix, StringComparison.Ordinal) && type.IndexOf(',', StringComparison.Ordinal) is > 0 and var comma)
        {
            type = type[NullablePrefix.Length..comma];
        }

        var expected = type switch
        {
            "System.Boolean" => "true or false",
            "System.Int32" or "System.Int64" => "a whole number",
            "System.Double" or "System.Single" or "System.Decimal" => "a number",
            "System.TimeSpan" => "a duration such as 00:00:30",
            "System.Uri" => "an absolute URL",
            _ => "a value of type " + type,
        };
        var secret = key.Contains("TOKEN", StringComparison.OrdinalIgnoreCase) || key.Contains("KEY", StringComparison.OrdinalIgnoreCase)
            || key.Contains("PASSWORD", StringComparison.OrdinalIgnoreCase) || key.Contains("SECRET", StringComparison.OrdinalIgnoreCase);
        return secret ? $"{key} is not {expected}" : $"{key} is '{match.Groups["value"].Value}'; expected {expected}";
    }

    private const string NullablePrefix = "System.Nullable`1[[";

    [GeneratedRegex(@"^Failed to convert configuration value '(?<value>.*)' at '(?<key>[^']+)' to type '(?<type>[^']+)'\.?$", RegexOptions.Singleline)]
    private static partial Regex BinderConversionMessage();

    // The line is the process's only output on stderr: whatever a message contains, it stays one line.
    private static string OneSentence(string reason)
    {
        var text = string.Join(' ', reason.Split((char[])['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        return text.EndsWith('.') ? text : text + ".";
    }
}
