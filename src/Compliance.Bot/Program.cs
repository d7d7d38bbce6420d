using Compliance.Bot.Hosting;
using Compliance.ServiceDefaults.Configuration;
using Microsoft.Extensions.Options;

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

    using var host = builder.Build();
    await host.RunAsync();
    return 0;
}
catch (Exception ex) when (ex is OptionsValidationException or StartupConfigurationException)
{
    // A deployment mistake: name the variable, no stack trace, non-zero exit.
    var failures = ex is OptionsValidationException options ? options.Failures : [ex.Message];
    await Console.Error.WriteLineAsync("Start-up failed because of the configuration:" + Environment.NewLine +
        string.Join(Environment.NewLine, failures.Select(f => "  - " + f)));
    return 1;
}
