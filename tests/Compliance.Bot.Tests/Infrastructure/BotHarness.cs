using Compliance.Bot.Gateway;
using Compliance.Bot.Hosting;
using Compliance.Testing.FakeDiscord;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Compliance.Bot.Tests.Infrastructure;

/// <summary>
/// The real bot host (the same registrations as Program.cs) wired to the fake Discord and a Compliance API
/// stand-in, with test-sized timings. Disposal stops the bot and then checks what every test must satisfy: no
/// message failed Discord's validation and the bot token never went to an interaction route. Invalid requests
/// (401/403/429) are budgeted for the whole run instead (<see cref="InvalidRequestBudget"/>); a test that caused any
/// beyond its scripted ones says so in its output.
/// </summary>
public sealed class BotHarness : IAsyncDisposable
{
    private readonly IHost _host;
    private readonly string _directory;

    private BotHarness(FakeDiscordServer discord, StubComplianceApi api, IHost host, CapturedLogs logs, string directory)
    {
        Discord = discord;
        Api = api;
        _host = host;
        Logs = logs;
        _directory = directory;
    }

    public FakeDiscordServer Discord { get; }

    public StubComplianceApi Api { get; }

    public CapturedLogs Logs { get; }

    public IServiceProvider Services => _host.Services;

    public BotWorker Worker => Services.GetRequiredService<BotWorker>();

    /// <summary>
    /// Waits until Discord.Net has the channel (or thread) in its cache. It drops a message from a channel it does not
    /// know yet and handles a new guild's or thread's CREATE dispatch on its own schedule, so a test that announces
    /// one and then sends a message into it must wait for this first (seen dropping the message under load in CI).
    /// </summary>
    public Task WaitForChannelAsync(ulong channelId) => FakeDiscordServer.WaitUntilAsync(
        () => Services.GetRequiredService<global::Discord.WebSocket.DiscordSocketClient>().GetChannel(channelId) is not null,
        null, $"channel {channelId} in Discord.Net's cache");

    /// <summary>Where the liveness file goes.</summary>
    public string LivenessFile => Path.Combine(_directory, "alive");

    public static async Task<BotHarness> StartAsync(
        Action<IDictionary<string, string?>>? configure = null,
        FakeDiscordOptions? discordOptions = null,
        string? directory = null,
        FakeDiscordServer? discord = null,
        StubComplianceApi? api = null,
        bool keepDiscord = false,
        HttpMessageHandler? apiTransport = null,
        TimeProvider? time = null,
        bool waitForReady = true)
    {
        discord ??= await FakeDiscordServer.StartAsync(discordOptions ?? new FakeDiscordOptions { HeartbeatInterval = TimeSpan.FromMilliseconds(500) });
        api ??= await StubComplianceApi.StartAsync();
        directory ??= Path.Combine(Path.GetTempPath(), "compliance-bot-test-" + Guid.NewGuid().ToString("N")[..10]);
        Directory.CreateDirectory(directory);

        var settings = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["ENVIRONMENT"] = "Test",
            // The captured log is a Serilog sink now, behind the same minimum level as the console.
            ["LOG_LEVEL"] = "Information",
            ["DISCORD_TOKEN"] = discord.Options.BotToken,
            ["DISCORD_CLIENT_ID"] = discord.Options.ApplicationId.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["API_URL"] = api.BaseUrl.ToString(),
            ["SERVICE_TOKEN"] = StubComplianceApi.ServiceToken,
            // Discord.Net talks to the fake: REST through the base URL, the gateway as GET /gateway/bot names it.
            ["Discord:ApiBaseUrl"] = discord.ApiBaseUrl.ToString(),
            ["Bot:EditInterval"] = "00:00:00.200",
            ["Bot:LivenessFile"] = Path.Combine(directory, "alive"),
            ["Bot:LivenessTouchInterval"] = "00:00:00.100",
            ["Bot:LivenessMaxAge"] = "00:00:05",
            ["Bot:TypingInterval"] = "00:00:00.300",
            ["Bot:RetryDelay"] = "00:00:00.020",
        };
        configure?.Invoke(settings);

        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, EnvironmentName = "Test" });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddBotDefaults();
        builder.AddBotServices();
        if (apiTransport is not null)
        {
            builder.Services.AddKeyedSingleton(Compliance.Bot.Api.ComplianceApiClient.TransportServiceKey, apiTransport);
        }
        if (time is not null)
        {
            builder.Services.AddSingleton(time);
        }
        var logs = new CapturedLogs();
        builder.Services.AddSingleton<Serilog.Core.ILogEventSink>(logs);
        var host = builder.Build();
        await host.StartAsync();
        var harness = new BotHarness(discord, api, host, logs, directory) { _keepDiscord = keepDiscord };
        if (waitForReady)
        {
            await FakeDiscordServer.WaitUntilAsync(() => harness.Worker.Connected, TimeSpan.FromSeconds(20), "the bot's gateway to connect");
            // Commands are checked after READY, in the background; tests start once that is done.
            await harness.Worker.CommandsChecked.WaitAsync(TimeSpan.FromSeconds(20));
        }
        return harness;
    }

    /// <summary>Waits until no handler is running (after <paramref name="interaction"/> was acknowledged, when given).</summary>
    public async Task WaitIdleAsync(FakeInteraction? interaction = null, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        var quietSince = (DateTime?)null;
        while (true)
        {
            var idle = Worker.HandlersInFlight == 0 && (interaction is null || interaction.CallbackAttempts > 0);
            if (idle)
            {
                quietSince ??= DateTime.UtcNow;
                if (DateTime.UtcNow - quietSince > TimeSpan.FromMilliseconds(100))
                {
                    return;
                }
            }
            else
            {
                quietSince = null;
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("The bot was still busy: " + string.Join("; ", Discord.Rest.Errors.Select(e => $"{e.Route} {e.Status} {e.Body}")));
            }
            await Task.Delay(20);
        }
    }

    /// <summary>Stops the bot (a real shutdown: the gateway closes with 1000) without the checks.</summary>
    public async Task StopBotAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
        _stopped = true;
    }

    private bool _stopped;
    private bool _keepDiscord;

    public async ValueTask DisposeAsync()
    {
        if (!_stopped)
        {
            await StopBotAsync();
        }
        var validationErrors = Discord.Rest.Errors.Where(e => e.Status == 400).ToList();
        var tokenLeaks = Discord.Rest.BotTokenSentOnInteractionRoutes;
        var unscripted = Discord.Rest.UnscriptedInvalidRequestCount;
        if (unscripted > 0)
        {
            TestContext.Current.TestOutputHelper?.WriteLine($"{unscripted} unscripted invalid requests reached Discord (they count toward the run's budget): " + string.Join("; ", Discord.Rest.RateLimitLog));
        }
        await Api.DisposeAsync();
        if (!_keepDiscord)
        {
            // A restart test shares the fake Discord and the directory between harnesses; it disposes them itself.
            await Discord.DisposeAsync();
            try
            {
                Directory.Delete(_directory, recursive: true);
            }
            catch (IOException)
            {
                // Best effort.
            }
        }

        Assert.True(validationErrors.Count == 0, "Discord rejected messages the bot sent: " + string.Join("; ", validationErrors.Select(e => $"{e.Route} {e.Body}")));
        Assert.Equal(0, tokenLeaks);
    }
}
