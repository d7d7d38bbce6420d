using Compliance.Bot.Configuration;

namespace Compliance.Bot.Tests;

public sealed class BotOptionsValidationTests
{
    private static BotOptions Valid() => new()
    {
        DiscordToken = "MTExMTExMTExMTExMTExMTEx.GhIjKl.abcdefghijklmnopqrstuvwxyz",
        DiscordClientId = "123456789012345678",
        ApiUrl = "http://localhost:8080",
        ServiceToken = "service-token-0123456789",
    };

    [Fact]
    public void A_complete_configuration_is_accepted() =>
        Assert.True(new BotOptionsValidation().Validate(null, Valid()).Succeeded);

    [Fact]
    public void HEROKU_API_URL_is_used_when_API_URL_is_absent()
    {
        var options = Valid();
        options.ApiUrl = null;
        options.HerokuApiUrl = "https://compliance-api.herokuapp.com";

        Assert.True(new BotOptionsValidation().Validate(null, options).Succeeded);
        Assert.Equal("https://compliance-api.herokuapp.com/", options.ApiBaseUri.ToString());
    }

    [Theory]
    [InlineData(nameof(BotOptions.DiscordToken), null, "DISCORD_TOKEN is not set")]
    [InlineData(nameof(BotOptions.DiscordToken), "Bot abc.def", "DISCORD_TOKEN must be the raw token")]
    [InlineData(nameof(BotOptions.DiscordClientId), "my-bot", "DISCORD_CLIENT_ID")]
    [InlineData(nameof(BotOptions.DevGuildId), "guild", "DISCORD_DEV_GUILD_ID")]
    [InlineData(nameof(BotOptions.ApiUrl), null, "API_URL is not set")]
    [InlineData(nameof(BotOptions.ApiUrl), "localhost:8080", "API_URL is 'localhost:8080'")]
    [InlineData(nameof(BotOptions.ServiceToken), "", "SERVICE_TOKEN is not set")]
    [InlineData(nameof(BotOptions.DiscordIntents), "Guilds, MessageText", "DISCORD_INTENTS is 'Guilds, MessageText'")]
    [InlineData(nameof(BotOptions.DiscordIntents), "12345678901", "DISCORD_INTENTS is '12345678901'")]
    public void Each_problem_names_its_variable(string property, string? value, string expected)
    {
        var options = Valid();
        typeof(BotOptions).GetProperty(property)!.SetValue(options, value);

        var result = new BotOptionsValidation().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains(result.Failures!, f => f.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void The_token_value_is_never_echoed()
    {
        var options = Valid();
        options.DiscordToken = "Bot secret-token-value";
        var result = new BotOptionsValidation().Validate(null, options);
        Assert.DoesNotContain(result.Failures!, f => f.Contains("secret-token-value", StringComparison.Ordinal));
    }
}
