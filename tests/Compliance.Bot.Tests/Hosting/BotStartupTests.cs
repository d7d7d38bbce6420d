using Compliance.Testing.Processes;
using System.Diagnostics;

namespace Compliance.Bot.Tests.Hosting;

/// <summary>
/// Starts the real bot executable as a separate process, as a platform would: a bad configuration stops it with exit
/// code 1 and one line on stderr naming the variable, and no stack trace anywhere (the host's own log included).
/// </summary>
public sealed class BotStartupTests
{
    private static readonly string[] InheritedSettings =
    [
        "ENVIRONMENT", "ASPNETCORE_ENVIRONMENT", "DOTNET_ENVIRONMENT", "DISCORD_TOKEN", "DISCORD_CLIENT_ID",
        "DISCORD_DEV_GUILD_ID", "API_URL", "HEROKU_API_URL", "SERVICE_TOKEN", "LOG_LEVEL", "DYNO",
    ];

    [Fact]
    public async Task Missing_DISCORD_TOKEN_stops_the_bot_with_one_line_naming_it()
    {
        // Validated by the host as it starts (ValidateOnStart), after logging is up: the host logs it too.
        var run = await RunBot(new()
        {
            ["ENVIRONMENT"] = "Production",
            ["DISCORD_CLIENT_ID"] = "123456789012345678",
            ["API_URL"] = "http://127.0.0.1:9",
            ["SERVICE_TOKEN"] = "0123456789abcdef0123456789abcdef",
        });

        AssertOneLine(run, "Start-up failed: DISCORD_TOKEN is not set; copy the bot token from the Discord developer portal");
    }

    [Fact]
    public async Task A_malformed_LOG_LEVEL_stops_the_bot_with_one_line_naming_it()
    {
        // Read while the host is built, before logging starts.
        var run = await RunBot(new()
        {
            ["ENVIRONMENT"] = "Production",
            ["LOG_LEVEL"] = "loud",
        });

        AssertOneLine(run, "Start-up failed: LOG_LEVEL is 'loud'; expected one of Trace, Debug, Information, Warning, Error, Critical.");
    }

    private static void AssertOneLine(ProcessRun run, string expectedStart)
    {
        Assert.Equal(1, run.ExitCode);
        var line = Assert.Single(run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.StartsWith(expectedStart, line, StringComparison.Ordinal);
        var everything = run.Stdout + run.Stderr;
        Assert.DoesNotContain("Unhandled exception", everything, StringComparison.Ordinal);
        // Stack frames: "   at " at a line's start on stderr, or after an escaped newline in a JSON log line on stdout.
        Assert.DoesNotMatch(@"(?m)^\s+at |\\n\s+at ", everything);
    }


    private static async Task<ProcessRun> RunBot(Dictionary<string, string> settings)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            // Away from the repository, so no .env is found and read.
            WorkingDirectory = Path.GetTempPath(),
        };
        start.ArgumentList.Add(BotAssemblyPath());
        foreach (var name in InheritedSettings)
        {
            start.Environment.Remove(name);
        }
        foreach (var (name, value) in settings)
        {
            start.Environment[name] = value;
        }

        return await ProcessRun.ToExitAsync(start, TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);
    }

    /// <summary>The bot's own build output (same configuration as this test assembly).</summary>
    private static string BotAssemblyPath()
    {
        var testBin = new DirectoryInfo(AppContext.BaseDirectory); // tests/X/bin/<Configuration>/net10.0/
        var configuration = testBin.Parent!.Name;
        var root = testBin;
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "Compliance.sln")))
        {
            root = root.Parent;
        }
        var path = Path.Combine(root!.FullName, "src", "Compliance.Bot", "bin", configuration, testBin.Name, "Compliance.Bot.dll");
        return File.Exists(path) ? path : throw new FileNotFoundException("Build the bot first.", path);
    }
}
