using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Compliance.Bot.Configuration;

/// <summary>The bot's settings, bound from the environment variables of the same names.</summary>
public sealed class BotOptions
{
    /// <summary><c>DISCORD_TOKEN</c>: the bot token from the Discord developer portal. Required.</summary>
    [ConfigurationKeyName("DISCORD_TOKEN")]
    public string? DiscordToken { get; set; }

    /// <summary><c>DISCORD_CLIENT_ID</c>: the application (client) id, a snowflake. Required.</summary>
    [ConfigurationKeyName("DISCORD_CLIENT_ID")]
    public string? DiscordClientId { get; set; }

    /// <summary><c>API_URL</c>: the Compliance API's base URL. <c>HEROKU_API_URL</c> is accepted as a fallback.</summary>
    [ConfigurationKeyName("API_URL")]
    public string? ApiUrl { get; set; }

    /// <summary><c>HEROKU_API_URL</c>: the API's URL on Heroku, used when <c>API_URL</c> is not set.</summary>
    [ConfigurationKeyName("HEROKU_API_URL")]
    public string? HerokuApiUrl { get; set; }

    /// <summary><c>SERVICE_TOKEN</c>: the bearer token the API expects from the bot. Required.</summary>
    [ConfigurationKeyName("SERVICE_TOKEN")]
    public string? ServiceToken { get; set; }

    /// <summary><c>DISCORD_DEV_GUILD_ID</c>: register commands to this guild only (instant updates while developing).</summary>
    [ConfigurationKeyName("DISCORD_DEV_GUILD_ID")]
    public string? DevGuildId { get; set; }

    /// <summary>
    /// <c>DISCORD_INTENTS</c>: gateway intents by name, comma-separated (default: Guilds, GuildMessages,
    /// DirectMessages). Add MessageContent, after enabling it in the Developer Portal, to read replies that do not
    /// mention the bot.
    /// </summary>
    [ConfigurationKeyName("DISCORD_INTENTS")]
    public string? DiscordIntents { get; set; }

    /// <summary>The intents <c>DISCORD_INTENTS</c> names, if it is set and valid.</summary>
    public Discord.GatewayIntents? ParsedIntents =>
        !string.IsNullOrWhiteSpace(DiscordIntents) && Enum.TryParse<Discord.GatewayIntents>(DiscordIntents, ignoreCase: true, out var intents)
            && intents.ToString().All(c => !char.IsAsciiDigit(c)) ? intents : null;

    /// <summary>The API base URL in effect.</summary>
    public Uri ApiBaseUri => new(string.IsNullOrWhiteSpace(ApiUrl) ? HerokuApiUrl! : ApiUrl);
}

/// <summary>Start-up validation: each failure names the variable; token values are never echoed.</summary>
internal sealed class BotOptionsValidation : IValidateOptions<BotOptions>
{
    public ValidateOptionsResult Validate(string? name, BotOptions options)
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.DiscordToken))
        {
            failures.Add("DISCORD_TOKEN is not set; copy the bot token from the Discord developer portal (Bot > Reset Token).");
        }
        else if (options.DiscordToken.Any(char.IsWhiteSpace) || options.DiscordToken.StartsWith("Bot ", StringComparison.Ordinal))
        {
            failures.Add("DISCORD_TOKEN must be the raw token, without spaces or a 'Bot ' prefix.");
        }

        if (!IsSnowflake(options.DiscordClientId))
        {
            failures.Add("DISCORD_CLIENT_ID is not set or not a Discord id (digits only, e.g. 1234567890123456789).");
        }
        if (!string.IsNullOrWhiteSpace(options.DevGuildId) && !IsSnowflake(options.DevGuildId))
        {
            failures.Add("DISCORD_DEV_GUILD_ID is not a Discord id (digits only).");
        }

        if (!string.IsNullOrWhiteSpace(options.DiscordIntents) && options.ParsedIntents is null)
        {
            failures.Add($"DISCORD_INTENTS is '{options.DiscordIntents}'; expected intent names separated by commas, e.g. Guilds, GuildMessages, DirectMessages, MessageContent.");
        }

        var apiUrl = string.IsNullOrWhiteSpace(options.ApiUrl) ? options.HerokuApiUrl : options.ApiUrl;
        var variable = string.IsNullOrWhiteSpace(options.ApiUrl) ? "HEROKU_API_URL" : "API_URL";
        if (string.IsNullOrWhiteSpace(apiUrl))
        {
            failures.Add("API_URL is not set (nor HEROKU_API_URL); expected the Compliance API's URL, e.g. http://localhost:8080.");
        }
        else if (!Uri.TryCreate(apiUrl, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            failures.Add($"{variable} is '{apiUrl}'; expected an http(s) URL such as https://compliance-api.herokuapp.com.");
        }

        if (string.IsNullOrWhiteSpace(options.ServiceToken))
        {
            failures.Add("SERVICE_TOKEN is not set; it must equal the API's SERVICE_TOKEN.");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static bool IsSnowflake(string? value) =>
        !string.IsNullOrWhiteSpace(value) && value.Length is >= 15 and <= 21 && value.All(char.IsAsciiDigit);
}
