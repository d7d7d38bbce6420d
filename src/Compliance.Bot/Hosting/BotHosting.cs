using Compliance.Bot.Account;
using Compliance.Bot.Admin;
using Compliance.Bot.Api;
using Compliance.Bot.Ask;
using Compliance.Bot.Commands;
using Compliance.Bot.Configuration;
using Compliance.Bot.Feedback;
using Compliance.Bot.FollowUps;
using Compliance.Bot.Gateway;
using Compliance.Bot.Interactions;
using Discord;
using Discord.Interactions;
using Discord.WebSocket;
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
    /// Discord.Net's socket client (pointed at <c>Discord:ApiBaseUrl</c>/<c>Discord:GatewayUrl</c> when set, as
    /// tests do) and its interaction service with the feature modules, the API client, the handlers and the worker.
    /// </summary>
    public static HostApplicationBuilder AddBotServices(this HostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddOptions<DiscordClientOptions>()
            .Bind(builder.Configuration.GetSection(DiscordClientOptions.SectionName))
            // One name per value for users, as DISCORD_TOKEN: DISCORD_INTENTS (validated with the other BotOptions).
            .Configure<IOptions<BotOptions>>((discord, bot) => discord.Intents = bot.Value.ParsedIntents ?? discord.Intents);
        services.AddSingleton<ResumeFallback>();
        services.AddSingleton(provider =>
        {
            var discord = provider.GetRequiredService<IOptions<DiscordClientOptions>>().Value;
            var resumeFallback = provider.GetRequiredService<ResumeFallback>();
            resumeFallback.GatewayUrl = discord.GatewayHost;
            return new DiscordSocketClient(new DiscordSocketConfig
            {
                WebSocketProvider = resumeFallback.Provider(),
                GatewayIntents = discord.Intents,
                GatewayHost = discord.GatewayHost,
                RestClientProvider = InteractionSafeRestClient.Provider(discord.ApiBaseUrl),
                // Request lines (with interaction tokens) are logged below Info; keep them out.
                LogLevel = LogSeverity.Info,
                // The bot reads what it needs from each event; no message cache, no member download.
                MessageCacheSize = 0,
                AlwaysDownloadUsers = false,
                // The 3-second deadline counts from when the interaction arrived here, not from the snowflake's
                // clock on Discord's side (a skewed host clock would otherwise refuse every deferral).
                UseInteractionSnowflakeDate = false,
                LogGatewayIntentWarnings = false,
            });
        });
        services.AddSingleton(provider => new InteractionService(provider.GetRequiredService<DiscordSocketClient>().Rest, new InteractionServiceConfig
        {
            // Each interaction already runs on its own task (BotWorker); the router wants the outcome and exceptions.
            DefaultRunMode = RunMode.Sync,
            ThrowOnError = true,
            LogLevel = LogSeverity.Info,
            UseCompiledLambda = false,
        }));
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
        services.AddSingleton<Compliance.Bot.Threads.AnswerThreads>();
        services.AddSingleton<BotWorker>();
        services.AddHostedService(provider => provider.GetRequiredService<BotWorker>());
        services.AddSingleton<IdleMemoryTrimmer>();
        services.AddHostedService(provider => provider.GetRequiredService<IdleMemoryTrimmer>());
        // Give handlers time to finish answers before the host gives up on shutdown.
        services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(30));
        return builder;
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
