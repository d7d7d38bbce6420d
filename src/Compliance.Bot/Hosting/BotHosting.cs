using Compliance.Bot.Account;
using Compliance.Bot.Admin;
using Compliance.Bot.Api;
using Compliance.Bot.Ask;
using Compliance.Bot.Commands;
using Compliance.Bot.Configuration;
using Compliance.Bot.FollowUps;
using Compliance.Bot.Gateway;
using Compliance.Bot.Interactions;
using Compliance.Discord;
using Compliance.Discord.Hosting;
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
        ArgumentNullException.ThrowIfNull(builder);
        if (EnvironmentNames.Normalize(builder.Configuration["ENVIRONMENT"]) is { } environment)
        {
            builder.Environment.EnvironmentName = environment;
        }

        builder.AddServiceLogging();
        builder.AddServiceTelemetry("compliance-bot");

        builder.Services.AddSingleton<IValidateOptions<BotOptions>, BotOptionsValidation>();
        builder.Services.AddOptions<BotOptions>().Bind(builder.Configuration).ValidateOnStart();
        builder.Services.AddOptions<BotSettings>().Bind(builder.Configuration.GetSection(BotSettings.SectionName)).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<BotSettings>, BotSettingsValidation>();
        foreach (var key in new[] { "DISCORD_TOKEN", "SERVICE_TOKEN" })
        {
            SensitiveDataRedactor.Shared.AddKnownSecret(builder.Configuration[key]);
        }
        return builder;
    }

    /// <summary>
    /// The Discord client fed from DISCORD_TOKEN and DISCORD_CLIENT_ID (users set one name per value; the client's
    /// own <c>Discord</c> section remains for tuning), the API client, the handlers and the worker.
    /// </summary>
    public static HostApplicationBuilder AddBotServices(this HostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddDiscordClient(builder.Configuration);
        services.AddSingleton<IConfigureOptions<DiscordOptions>, DiscordOptionsFromBot>();
        services.AddSingleton(TimeProvider.System);

        services.AddSingleton(provider => provider.GetRequiredService<IOptions<BotSettings>>().Value);
        services.AddComplianceApiClient();

        services.AddSingleton<ConversationState>();
        services.AddSingleton<UserPreferences>();
        services.AddSingleton<InteractionLimiter>();
        services.AddSingleton<CommandRegistration>();
        services.AddSingleton<AskHandler>();
        services.AddSingleton<FeedbackInteractions>();
        services.AddSingleton<AccountCommands>();
        services.AddSingleton<AdminCommands>();
        services.AddSingleton<InteractionRouter>();
        services.AddSingleton<FollowUpHandler>();
        services.AddSingleton<BotWorker>();
        services.AddHostedService(provider => provider.GetRequiredService<BotWorker>());
        services.AddSingleton<IdleMemoryTrimmer>();
        services.AddHostedService(provider => provider.GetRequiredService<IdleMemoryTrimmer>());
        // Give handlers time to finish answers before the host gives up on shutdown.
        services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(30));
        return builder;
    }
}

/// <summary>Maps DISCORD_TOKEN and DISCORD_CLIENT_ID onto the Discord client's options.</summary>
internal sealed class DiscordOptionsFromBot(IOptions<BotOptions> bot) : IConfigureOptions<DiscordOptions>
{
    public void Configure(DiscordOptions options)
    {
        var values = bot.Value;
        if (!string.IsNullOrWhiteSpace(values.DiscordToken))
        {
            options.BotToken = values.DiscordToken;
        }
        if (ulong.TryParse(values.DiscordClientId, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var applicationId))
        {
            options.ApplicationId = applicationId;
        }
    }
}

/// <summary>Names every invalid <c>Bot</c> setting at start.</summary>
internal sealed class BotSettingsValidation : IValidateOptions<BotSettings>
{
    public ValidateOptionsResult Validate(string? name, BotSettings options)
    {
        var failures = options.Validate().ToList();
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
