using Compliance.ServiceDefaults.Configuration;
using Npgsql;

namespace Compliance.Api.Persistence;

/// <summary>
/// The database named by <c>DATABASE_URL</c> could not be connected to at start-up: nothing listening, a wrong
/// password, a missing database. An operator's problem to fix, not a bug, so it is reported as one line naming the
/// variable and the reason, and exits with code 1 (see <c>StartupFailure</c>).
/// </summary>
public sealed class DatabaseUnavailableException : Exception, IStartupFailure
{
    public DatabaseUnavailableException(NpgsqlException cause, int attempts)
        : base(Describe(cause, attempts), cause)
    {
        ArgumentNullException.ThrowIfNull(cause);
        IsTransient = cause.IsTransient;
    }

    public DatabaseUnavailableException()
    {
    }

    public DatabaseUnavailableException(string message) : base(message)
    {
    }

    public DatabaseUnavailableException(string message, Exception innerException) : base(message, innerException)
    {
    }

    /// <summary>Whether trying again may succeed (the server is starting or unreachable), as opposed to a refusal.</summary>
    public bool IsTransient { get; }

    /// <summary>
    /// The message alone, wherever it is logged: for a database that is simply not there, the stack trace (and
    /// Npgsql's inner one) only buries the line that matters.
    /// The cause stays in <see cref="Exception.InnerException"/> for a debugger.
    /// </summary>
    public override string ToString() => $"{GetType().Name}: {Message}";

    private static string Describe(NpgsqlException cause, int attempts)
    {
        // The server's refusal as "SQLSTATE: text" (28P01: password authentication failed for user "x"); a socket
        // failure as Npgsql's "Failed to connect to host:port" with the OS reason from the inner exception.
        var reason = cause switch
        {
            PostgresException refused => $"{refused.SqlState}: {refused.MessageText}",
            { InnerException: { } inner } => $"{cause.Message.TrimEnd('.')} ({inner.Message.TrimEnd('.')})",
            _ => cause.Message.TrimEnd('.'),
        };
        var tries = attempts == 1 ? "" : $" after {attempts} attempts";
        // One line whatever the server sent: it is printed as the process's only line on stderr.
        return $"DATABASE_URL: could not connect to the database{tries}: {string.Join(' ', reason.Split((char[])['\r', '\n'], StringSplitOptions.RemoveEmptyEntries))}.";
    }
}
