using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Serilog.Core;
using Serilog.Events;
using Serilog.Formatting.Display;

namespace Compliance.Bot.Tests.Infrastructure;

/// <summary>A log line with the scope values that were active when it was written.</summary>
public sealed record CapturedLog(string Category, LogLevel Level, string Message, string? Exception, IReadOnlyDictionary<string, object?> Scope);

/// <summary>
/// Keeps every log line with its scopes, for assertions about what is (not) logged. The bot logs through Serilog,
/// which hands each event to sinks registered as services; there, scope values arrive as event properties.
/// </summary>
public sealed class CapturedLogs : ILogEventSink
{
    // "l" renders strings without quotes, as Microsoft.Extensions.Logging formats them.
    private static readonly MessageTemplateTextFormatter MessageFormatter = new("{Message:lj}", CultureInfo.InvariantCulture);

    private readonly ConcurrentQueue<CapturedLog> _entries = new();

    public IReadOnlyList<CapturedLog> Entries => [.. _entries];

    public void Emit(LogEvent logEvent)
    {
        ArgumentNullException.ThrowIfNull(logEvent);
        // As before, only Information and above are kept.
        if (logEvent.Level < LogEventLevel.Information)
        {
            return;
        }
        using var message = new StringWriter(CultureInfo.InvariantCulture);
        MessageFormatter.Format(logEvent, message);
        var category = logEvent.Properties.TryGetValue("SourceContext", out var context) && context is ScalarValue { Value: string name } ? name : string.Empty;
        // Scope values and message arguments both become properties; a message's own arguments are not scope.
        var arguments = logEvent.MessageTemplate.Tokens.OfType<Serilog.Parsing.PropertyToken>().Select(t => t.PropertyName).ToHashSet(StringComparer.Ordinal);
        var scope = logEvent.Properties
            .Where(p => p.Key != "SourceContext" && !arguments.Contains(p.Key))
            .ToDictionary(p => p.Key, p => p.Value is ScalarValue scalar ? scalar.Value : (object?)p.Value.ToString(), StringComparer.Ordinal);
        _entries.Enqueue(new CapturedLog(category, ToLogLevel(logEvent.Level), message.ToString(), logEvent.Exception?.ToString(), scope));
    }

    private static LogLevel ToLogLevel(LogEventLevel level) => level switch
    {
        LogEventLevel.Verbose => LogLevel.Trace,
        LogEventLevel.Debug => LogLevel.Debug,
        LogEventLevel.Information => LogLevel.Information,
        LogEventLevel.Warning => LogLevel.Warning,
        LogEventLevel.Error => LogLevel.Error,
        _ => LogLevel.Critical,
    };
}
