using Compliance.Bot.Configuration;
using Compliance.ServiceDefaults.Configuration;
using Compliance.ServiceDefaults.Logging;
using Compliance.ServiceDefaults.Redaction;
using Compliance.ServiceDefaults.Telemetry;
using Microsoft.Extensions.Options;

namespace Compliance.Bot.Hosting;

public static class BotHosting
{
    /// <summary>ENVIRONMENT, redacted logging, telemetry and validated options for the worker.</summary>
    public static HostApplicationBuilder AddBotDefaults(this HostApplicationBuilder builder)
    {
        if (EnvironmentNames.Normalize(builder.Configuration["ENVIRONMENT"]) is { } environment)
        {
            builder.Environment.EnvironmentName = environment;
        }

        builder.Logging.AddServiceLogging(builder.Configuration, builder.Environment.IsDevelopment());
        builder.Services.AddServiceTelemetry(builder.Configuration, "compliance-bot",
            activitySources: ["System.Net.Http"], meters: ["System.Net.Http"]);

        builder.Services.AddSingleton<IValidateOptions<BotOptions>, BotOptionsValidation>();
        builder.Services.AddOptions<BotOptions>().Bind(builder.Configuration).ValidateOnStart();
        foreach (var key in new[] { "DISCORD_TOKEN", "SERVICE_TOKEN" })
        {
            SensitiveDataRedactor.Shared.AddKnownSecret(builder.Configuration[key]);
        }
        return builder;
    }
}
