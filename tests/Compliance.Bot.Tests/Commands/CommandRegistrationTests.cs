using Compliance.Bot.Tests.Infrastructure;
using Compliance.Testing.FakeDiscord;
using Microsoft.Extensions.DependencyInjection;

namespace Compliance.Bot.Tests.Commands;

/// <summary>Commands are registered once, pass Discord's schema rules, and are not rewritten when unchanged.</summary>
public sealed class CommandRegistrationTests
{
    [Fact]
    public async Task Commands_are_registered_globally_once_and_not_again_on_a_restart()
    {
        var directory = Path.Combine(Path.GetTempPath(), "compliance-bot-test-" + Guid.NewGuid().ToString("N")[..10]);
        await using var discord = await FakeDiscordServer.StartAsync(new FakeDiscordOptions { HeartbeatInterval = TimeSpan.FromMilliseconds(500) }, TestContext.Current.CancellationToken);

        await using (var first = await BotHarness.StartAsync(directory: directory, discord: discord, keepDiscord: true))
        {
            Assert.Equal(1, discord.Rest.CommandWrites);
        }
        var commands = discord.Rest.Commands();
        Assert.Equal(["ask", "feedback", "history", "forget", "reset", "settings", "stats", "health", "Ask compliance about this"], commands.Select(c => c!["name"]!.GetValue<string>()));
        // The message context-menu command (type 3) and /feedback's autocompleted answer option are part of the definitions.
        var askAbout = commands.Single(c => c!["name"]!.GetValue<string>() == "Ask compliance about this")!;
        Assert.Equal(3, askAbout["type"]!.GetValue<int>());
        var answerOption = commands.Single(c => c!["name"]!.GetValue<string>() == "feedback")!["options"]!.AsArray().Single(o => o!["name"]!.GetValue<string>() == "answer")!;
        Assert.True(answerOption["autocomplete"]!.GetValue<bool>());
        var ask = commands.Single(c => c!["name"]!.GetValue<string>() == "ask")!;
        Assert.Equal(1000, ask["options"]![0]!["max_length"]!.GetValue<int>());
        Assert.Equal("32", commands.Single(c => c!["name"]!.GetValue<string>() == "stats")!["default_member_permissions"]!.GetValue<string>());

        await using (var restarted = await BotHarness.StartAsync(directory: directory, discord: discord, keepDiscord: true))
        {
            Assert.Equal(1, discord.Rest.CommandWrites);
        }

        // A fresh container (nothing on disk) compares with Discord's copy too: still no write.
        Directory.Delete(directory, recursive: true);
        await using (var fresh = await BotHarness.StartAsync(directory: directory, discord: discord, keepDiscord: true))
        {
            Assert.Equal(1, discord.Rest.CommandWrites);
        }
    }

    [Fact]
    public async Task With_a_development_guild_the_commands_go_to_that_guild_only()
    {
        await using var bot = await BotHarness.StartAsync(settings => settings["DISCORD_DEV_GUILD_ID"] = "222000000000000001");

        Assert.Empty(bot.Discord.Rest.Commands());
        var guildCommands = bot.Discord.Rest.Commands(222_000_000_000_000_001);
        Assert.Equal(9, guildCommands.Count);
        Assert.All(guildCommands, c => Assert.Null(c!["contexts"]));
    }
}

/// <summary>What Discord is told (CommandDefinitions) and what the modules handle (Discord.Net attributes) agree.</summary>
public sealed class CommandModuleTests
{
    [Fact]
    public async Task Every_registered_command_and_option_has_a_module_handler_of_the_same_shape()
    {
        await using var bot = await BotHarness.StartAsync();
        var service = bot.Services.GetRequiredService<Discord.Interactions.InteractionService>();

        var all = Compliance.Bot.Commands.CommandDefinitions.All(guildScoped: false);
        var definitions = all.OfType<Discord.SlashCommandProperties>().ToList();
        Assert.Equal(
            all.OfType<Discord.MessageCommandProperties>().Select(d => d.Name.Value),
            service.ContextCommands.Where(c => c.CommandType == Discord.ApplicationCommandType.Message).Select(c => c.Name));
        Assert.Equal(
            definitions.Select(d => d.Name.Value).Order(StringComparer.Ordinal),
            service.SlashCommands.Select(c => c.Name).Order(StringComparer.Ordinal));
        foreach (var definition in definitions)
        {
            var handler = service.SlashCommands.Single(c => c.Name == definition.Name.Value);
            Assert.Equal(definition.Description.Value, handler.Description);
            var options = definition.Options.IsSpecified ? definition.Options.Value : [];
            Assert.Equal(
                options.Select(o => (o.Name, o.IsRequired ?? false)),
                handler.Parameters.Select(p => (p.Name, p.IsRequired)));
        }
    }

    [Fact]
    public async Task The_bot_prints_its_invite_url_with_both_scopes_and_its_permissions_when_ready()
    {
        await using var bot = await BotHarness.StartAsync();

        var ready = await FakeDiscordServer.WaitForAsync(() => bot.Logs.Entries.FirstOrDefault(e => e.Message.Contains("invite:", StringComparison.Ordinal)), null, "the ready line");
        var applicationId = bot.Discord.Options.ApplicationId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Assert.Contains($"https://discord.com/oauth2/authorize?client_id={applicationId}&scope=bot+applications.commands&permissions=309237730304", ready.Message, StringComparison.Ordinal);
    }
}
