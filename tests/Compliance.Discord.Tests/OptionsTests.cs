using System.ComponentModel.DataAnnotations;
using Compliance.Discord.Hosting;
using Compliance.Discord.Rest;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Compliance.Discord.Tests;

public sealed class OptionsTests
{
    [Fact]
    public void A_missing_token_names_the_setting()
    {
        var error = Assert.Throws<ValidationException>(() => new DiscordOptions().ThrowIfInvalid());
        Assert.Contains("Discord:BotToken", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Bot abc")]
    [InlineData("abc def")]
    public void A_token_with_a_prefix_or_whitespace_is_rejected(string token)
    {
        var error = Assert.Throws<ValidationException>(() => new DiscordOptions { BotToken = token }.ThrowIfInvalid());
        Assert.DoesNotContain(token, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_shard_id_outside_the_count_is_rejected()
    {
        var error = Assert.Throws<ValidationException>(() => new DiscordOptions { BotToken = "t", ShardId = 2, ShardCount = 2 }.ThrowIfInvalid());
        Assert.Contains("ShardId", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_host_registration_validates_at_start_and_binds_configuration()
    {
        var bad = new ServiceCollection().AddDiscordClient(new ConfigurationBuilder().Build()).BuildServiceProvider();
        var failure = Assert.Throws<OptionsValidationException>(() => bad.GetRequiredService<IOptions<DiscordOptions>>().Value);
        Assert.Contains("Discord:BotToken", failure.Message, StringComparison.Ordinal);

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Discord:BotToken"] = "token",
            ["Discord:ApplicationId"] = "333000000000000001",
            ["Discord:Intents"] = "Guilds, GuildMessages",
            ["Discord:Gateway:SendLimit"] = "100",
        }).Build();
        using var good = new ServiceCollection().AddDiscordClient(configuration).BuildServiceProvider();
        var options = good.GetRequiredService<IOptions<DiscordOptions>>().Value;
        Assert.Equal(333_000_000_000_000_001UL, options.ApplicationId);
        Assert.Equal(Compliance.Discord.Gateway.GatewayIntents.Guilds | Compliance.Discord.Gateway.GatewayIntents.GuildMessages, options.Intents);
        Assert.Equal(100, options.Gateway.SendLimit);
        Assert.Same(good.GetRequiredService<DiscordRestClient>(), good.GetRequiredService<DiscordRestClient>());
    }
}
