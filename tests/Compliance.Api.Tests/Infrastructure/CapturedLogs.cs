using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Serilog.Core;
using Serilog.Events;
using Serilog.Formatting.Display;

namespace Compliance.Api.Tests.Infrastructure;

/// <summary>
/// Keeps every log line (category, level, message, exception, properties). The API host logs through Serilog,
/// which hands each event to sinks registered as services; code under test without a host uses the
/// <see cref="ILoggerProvider"/> side.
/// </summary>
public sealed class CapturedLogs : ILoggerProvider, ILogEventSink
{
    // "l" renders strings without quotes, as Microsoft.Extensions.Logging formats them.
    private static readonly MessageTemplateTextFormatter MessageFormatter = new("{Message:lj}", CultureInfo.InvariantCulture);

    private readonly ConcurrentQueue<CapturedLog> _entries = new();

    public IReadOnlyList<CapturedLog> Entries => [.. _entries];

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _entries);

    public void Emit(LogEvent logEvent)
    {
        ArgumentNullException.ThrowIfNull(logEvent);
        using var message = new StringWriter(CultureInfo.InvariantCulture);
        MessageFormatter.Format(logEvent, message);
        var category = logEvent.Properties.TryGetValue("SourceContext", out var context) && context is ScalarValue { Value: string name } ? name : string.Empty;
        _entries.Enqueue(new CapturedLog(category, ToLogLevel(logEvent.Level), message.ToString(), logEvent.Exception?.ToString(),
            logEvent.Properties.ToDictionary(p => p.Key, p => p.Value is ScalarValue scalar ? scalar.Value : (object?)p.Value.ToString())));
    }

    public void Dispose()
    {
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

    private sealed class Logger(string category, ConcurrentQueue<CapturedLog> entries) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var properties = state as IReadOnlyList<KeyValuePair<string, object?>>;
            entries.Enqueue(new CapturedLog(category, logLevel, formatter(state, exception), exception?.ToString(),
                properties?.DistinctBy(p => p.Key).ToDictionary(p => p.Key, p => p.Value) ?? []));
        }
    }
}

public sealed record CapturedLog(string Category, LogLevel Level, string Message, string? Exception, IReadOnlyDictionary<string, object?> Properties);
