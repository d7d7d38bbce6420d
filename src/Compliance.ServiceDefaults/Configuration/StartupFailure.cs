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
public static class StartupFailure
{
    public static bool IsKnown(Exception exception) => exception switch
    {
        StartupConfigurationException or OptionsValidationException or IStartupFailure => true,
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
        OptionsValidationException options => options.Failures,
        AggregateException aggregate => aggregate.InnerExceptions.Where(inner => inner is not OperationCanceledException).SelectMany(Reasons),
        _ => [exception.Message],
    };

    // The line is the process's only output on stderr: whatever a message contains, it stays one line.
    private static string OneSentence(string reason)
    {
        var text = string.Join(' ', reason.Split((char[])['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        return text.EndsWith('.') ? text : text + ".";
    }
}
