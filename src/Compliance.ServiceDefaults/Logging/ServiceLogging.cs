using System.Globalization;
using Compliance.ServiceDefaults.Configuration;
using Compliance.ServiceDefaults.Redaction;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Serilog;
using Serilog.Events;
using Serilog.Formatting;
using Serilog.Formatting.Compact;
using Serilog.Formatting.Display;

namespace Compliance.ServiceDefaults.Logging;

/// <summary>Serilog set up the same way for both deployables: compact JSON in production, readable text in development, always redacted.</summary>
public static class ServiceLogging
{
    private static readonly string[] QuietCategories =
        ["Microsoft.AspNetCore", "Microsoft.EntityFrameworkCore", "System.Net.Http.HttpClient", "Microsoft.Extensions.Http"];

    private const string DevelopmentTemplate =
        "[{Timestamp:HH:mm:ss} {Level:u3}] {SourceContext}: {Message:lj} {TraceId}{NewLine}{Exception}";

    /// <summary>
    /// Makes Serilog the host's logger factory. <c>LOG_LEVEL</c> sets the minimum level; framework categories are
    /// held at Warning because the request log line already records every request. Sinks and enrichers registered
    /// as services (<see cref="Serilog.Core.ILogEventSink"/>) receive events too, which is how tests read the log.
    /// </summary>
    public static TBuilder AddServiceLogging<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        // Parsed now, not inside the factory, so a bad value stops the start with the variable's name.
        var level = ParseLevel(builder.Configuration["LOG_LEVEL"]);
        var development = builder.Environment.IsDevelopment();

        builder.Logging.ClearProviders();
        // preserveStaticLogger: each host (tests run several in one process) keeps its own logger instead of
        // replacing the process-wide Log.Logger.
        builder.Services.AddSerilog((services, logger) => Configure(logger, level, development).ReadFrom.Services(services),
            preserveStaticLogger: true);
        return builder;
    }

    /// <summary>The logger configuration itself: levels, context, and the console behind redaction.</summary>
    public static LoggerConfiguration Configure(LoggerConfiguration logger, LogEventLevel level, bool development)
    {
        ArgumentNullException.ThrowIfNull(logger);
        logger.MinimumLevel.Is(level).Enrich.FromLogContext();
        foreach (var category in QuietCategories)
        {
            logger.MinimumLevel.Override(category, LevelAtLeast(level, LogEventLevel.Warning));
        }

        // The host logs a failed start ("Hosting failed to start") with the exception's stack trace, then Program
        // prints the one line that names the variable. For a deployment mistake the trace only buries that line.
        logger.Filter.ByExcluding(IsHostReportOfKnownStartupFailure);

        ITextFormatter formatter = development
            ? new MessageTemplateTextFormatter(DevelopmentTemplate, CultureInfo.InvariantCulture)
            : new CompactJsonFormatter();
        // Redaction wraps the formatter, so it sees the finished line: message, every property and the exception.
        return logger.WriteTo.Console(new RedactingFormatter(formatter, SensitiveDataRedactor.Shared));
    }

    /// <summary>Maps <c>LOG_LEVEL</c> (Serilog or Microsoft names, any case) to a level; unknown text is a start-up error.</summary>
    public static LogEventLevel ParseLevel(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return LogEventLevel.Information;
        }

        return value.Trim().ToUpperInvariant() switch
        {
            "TRACE" or "VERBOSE" => LogEventLevel.Verbose,
            "DEBUG" => LogEventLevel.Debug,
            "INFORMATION" or "INFO" => LogEventLevel.Information,
            "WARNING" or "WARN" => LogEventLevel.Warning,
            "ERROR" => LogEventLevel.Error,
            "CRITICAL" or "FATAL" => LogEventLevel.Fatal,
            _ => throw new StartupConfigurationException("LOG_LEVEL",
                $"is '{value}'; expected one of Trace, Debug, Information, Warning, Error, Critical."),
        };
    }

    private static bool IsHostReportOfKnownStartupFailure(LogEvent logEvent) =>
        logEvent.Exception is { } exception && (StartupFailure.IsKnown(exception) || StartupFailure.IsCancellation(exception)) &&
        logEvent.Properties.TryGetValue("SourceContext", out var source) &&
        source is ScalarValue { Value: "Microsoft.Extensions.Hosting.Internal.Host" };

    private static LogEventLevel LevelAtLeast(LogEventLevel configured, LogEventLevel floor) =>
        configured > floor ? configured : floor;
}
