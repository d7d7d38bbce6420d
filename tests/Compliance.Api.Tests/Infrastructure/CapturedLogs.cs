using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Compliance.Api.Tests.Infrastructure;

/// <summary>A logger provider that keeps every formatted log line (category, level, message, exception).</summary>
public sealed class CapturedLogs : ILoggerProvider
{
    private readonly ConcurrentQueue<CapturedLog> _entries = new();

    public IReadOnlyList<CapturedLog> Entries => [.. _entries];

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _entries);

    public void Dispose()
    {
    }

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
