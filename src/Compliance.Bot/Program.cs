using Compliance.Bot.Configuration;
using Compliance.Bot.Health;
using Compliance.Bot.Hosting;
using Compliance.ServiceDefaults.Configuration;

// `dotnet Compliance.Bot.dll health` (or --check): the container probe. Reads the liveness file only; starts nothing.
if (args is ["health" or "--check", ..])
{
    var settings = new ConfigurationBuilder().AddEnvironmentVariables().Build().GetSection(BotSettings.SectionName).Get<BotSettings>() ?? new BotSettings();
    return LivenessFile.Check(settings.LivenessFile, settings.LivenessMaxAge, DateTimeOffset.UtcNow, Console.Out);
}

try
{
    DotEnvFile.ClearEmptyVariables();
    if (EnvironmentNames.ShouldReadDotEnv())
    {
        DotEnvFile.LoadNearest(Directory.GetCurrentDirectory());
    }

    var builder = Host.CreateApplicationBuilder(args);

    // Environment, redacted logs, telemetry and validated options
    builder.AddBotDefaults();
    // Discord client, API client, command handlers and the gateway worker
    builder.AddBotServices();

    using var host = builder.Build();
    await host.RunAsync();
    return Environment.ExitCode;
}
catch (Exception ex) when (StartupFailure.IsKnown(ex))
{
    // A deployment mistake: one line naming the variable, no stack trace, non-zero exit.
    await Console.Error.WriteLineAsync(StartupFailure.Describe(ex));
    return 1;
}
