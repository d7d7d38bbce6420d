using Compliance.ServiceDefaults.Configuration;
using Compliance.ServiceDefaults.Redaction;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Serilog;
using Serilog.Events;
using Serilog.Formatting;
using Serilog.Formatting.Display;

namespace Compliance.ServiceDefaults.Logging;

/// <summary>Serilog set up the same way for both deployables: JSON in production, readable text in development, always redacted.</summary>
public static class ServiceLogging
{
    private static readonly string[] QuietCategories =
        ["Microsoft.AspNetCore", "Microsoft.EntityFrameworkCore", "System.Net.Http.HttpClient", "Microsoft.Extensions.Http"];

    private const string DevelopmentTemplate =
        "[{Timestamp:HH:mm:ss} {Level:u3}] {SourceContext}: {Message:lj} {TraceId}{NewLine}{Exception}";

    /// <summary>
    /// Replaces the default providers with Serilog. <c>LOG_LEVEL</c> sets the minimum level; framework categories
    /// are held at Warning because the request log line already records every request.
    /// </summary>
    public static Serilog.Core.Logger AddServiceLogging(this ILoggingBuilder logging, IConfiguration configuration, bool development)
    {
        ArgumentNullException.ThrowIfNull(logging);
        ArgumentNullException.ThrowIfNull(configuration);

        var level = ParseLevel(configuration["LOG_LEVEL"]);
        ITextFormatter formatter = development
            ? new MessageTemplateTextFormatter(DevelopmentTemplate, System.Globalization.CultureInfo.InvariantCulture)
            : new JsonLogFormatter();

        var logger = new LoggerConfiguration()
            .MinimumLevel.Is(level)
            .MinimumLevel.Override(QuietCategories[0], LevelAtLeast(level, LogEventLevel.Warning))
            .MinimumLevel.Override(QuietCategories[1], LevelAtLeast(level, LogEventLevel.Warning))
            .MinimumLevel.Override(QuietCategories[2], LevelAtLeast(level, LogEventLevel.Warning))
            .MinimumLevel.Override(QuietCategories[3], LevelAtLeast(level, LogEventLevel.Warning))
            .Enrich.FromLogContext()
            .WriteTo.Console(new RedactingFormatter(formatter, SensitiveDataRedactor.Shared))
            .CreateLogger();

        logging.ClearProviders();
        logging.AddSerilog(logger, dispose: true);

        // The same floors for every provider, not only Serilog: the framework's request diagnostics log raw paths
        // (which can hold ids or user text), and our request log line replaces them.
        var floor = (LogLevel)Math.Max((int)LogLevel.Warning, (int)level);
        foreach (var category in QuietCategories)
        {
            logging.AddFilter(category, floor);
        }
        return logger;
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

    private static LogEventLevel LevelAtLeast(LogEventLevel configured, LogEventLevel floor) =>
        configured > floor ? configured : floor;
}
