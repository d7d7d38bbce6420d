using System.Text.Json;
using Compliance.ServiceDefaults.Configuration;
using Compliance.ServiceDefaults.Logging;
using Compliance.ServiceDefaults.Redaction;
using Serilog.Events;
using Serilog.Formatting.Compact;
using Serilog.Parsing;

namespace Compliance.ServiceDefaults.Tests;

public sealed class LoggingTests
{
    [Fact]
    public void Json_lines_are_valid_json_with_the_compact_fields_and_no_sensitive_values()
    {
        var redactor = new SensitiveDataRedactor();
        redactor.AddKnownSecret("admin-token-1234567890");
        var formatter = new RedactingFormatter(new CompactJsonFormatter(), redactor);
        var logEvent = new LogEvent(
            DateTimeOffset.Parse("2026-11-21T09:00:00Z", System.Globalization.CultureInfo.InvariantCulture),
            LogEventLevel.Warning,
            new InvalidOperationException("login failed for bob@example.com with admin-token-1234567890"),
            new MessageTemplateParser().Parse("User {Email} asked {Question}"),
            [
                new LogEventProperty("Email", new ScalarValue("bob@example.com")),
                new LogEventProperty("Question", new ScalarValue("can I trade? call +1 415 555 2671")),
            ]);

        using var output = new StringWriter();
        formatter.Format(logEvent, output);
        var line = output.ToString();

        Assert.EndsWith("\n", line, StringComparison.Ordinal);
        var json = JsonDocument.Parse(line).RootElement;
        Assert.Equal("Warning", json.GetProperty("@l").GetString());
        Assert.Equal("User {Email} asked {Question}", json.GetProperty("@mt").GetString());
        Assert.Equal("[redacted-email]", json.GetProperty("Email").GetString());
        Assert.DoesNotContain("bob@example.com", line, StringComparison.Ordinal);
        Assert.DoesNotContain("admin-token-1234567890", line, StringComparison.Ordinal);
        Assert.DoesNotContain("555 2671", line, StringComparison.Ordinal);
        Assert.Contains("InvalidOperationException", json.GetProperty("@x").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, LogEventLevel.Information)]
    [InlineData("debug", LogEventLevel.Debug)]
    [InlineData("Warning", LogEventLevel.Warning)]
    [InlineData("TRACE", LogEventLevel.Verbose)]
    [InlineData("critical", LogEventLevel.Fatal)]
    public void LOG_LEVEL_accepts_microsoft_and_serilog_names(string? value, LogEventLevel expected) =>
        Assert.Equal(expected, ServiceLogging.ParseLevel(value));

    [Fact]
    public void Unknown_LOG_LEVEL_names_the_variable()
    {
        var error = Assert.Throws<StartupConfigurationException>(() => ServiceLogging.ParseLevel("chatty"));
        Assert.Equal("LOG_LEVEL", error.Variable);
        Assert.Contains("LOG_LEVEL is 'chatty'", error.Message, StringComparison.Ordinal);
    }
}
