using Compliance.ServiceDefaults.Redaction;
using Serilog.Events;
using Serilog.Formatting;

namespace Compliance.ServiceDefaults.Logging;

/// <summary>
/// Wraps another formatter and redacts secrets and personal data from the finished text. Redacting the whole
/// rendered line, rather than chosen properties, also covers exception messages and values nobody thought to tag.
/// </summary>
public sealed class RedactingFormatter(ITextFormatter inner, SensitiveDataRedactor redactor) : ITextFormatter
{
    [ThreadStatic]
    private static StringWriter? t_buffer;

    public void Format(LogEvent logEvent, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var buffer = t_buffer ??= new StringWriter(System.Globalization.CultureInfo.InvariantCulture);
        var builder = buffer.GetStringBuilder();
        builder.Clear();
        inner.Format(logEvent, buffer);
        output.Write(redactor.Redact(builder.ToString()));

        // Don't let one huge event pin a large buffer to the thread forever.
        if (builder.Capacity > 64 * 1024)
        {
            t_buffer = null;
        }
    }
}
