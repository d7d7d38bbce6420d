using System.Collections.Concurrent;
using Compliance.Discord.Gateway;
using Compliance.Discord.Rest;
using Compliance.Testing.FakeDiscord;

namespace Compliance.Discord.Tests;

/// <summary>A fake Discord plus a gateway client pointed at it, with every dispatch and disconnect recorded.</summary>
internal sealed class GatewayHarness : IAsyncDisposable
{
    private readonly Task _reader;

    private GatewayHarness(FakeDiscordServer fake, GatewayConnection client, DiscordOptions options)
    {
        Fake = fake;
        Client = client;
        Rest = new DiscordRestClient(_http, options);
        client.Disconnected += Disconnects.Enqueue;
        _reader = Task.Run(async () =>
        {
            try
            {
                await foreach (var dispatch in client.Dispatches.ReadAllAsync())
                {
                    Dispatches.Enqueue(dispatch);
                }
            }
            catch (GatewayFatalCloseException)
            {
                // Surfaced through Completion; the tests assert on it there.
            }
        });
    }

    private readonly HttpClient _http = new();

    public FakeDiscordServer Fake { get; }

    /// <summary>A REST client with the same options, pointed at the fake.</summary>
    public DiscordRestClient Rest { get; }

    public GatewayConnection Client { get; }

    public ConcurrentQueue<GatewayDispatch> Dispatches { get; } = new();

    public ConcurrentQueue<GatewayDisconnect> Disconnects { get; } = new();

    public static DiscordOptions ClientOptions(FakeDiscordServer fake, Action<DiscordOptions>? configure = null)
    {
        var options = new DiscordOptions
        {
            BotToken = fake.Options.BotToken,
            ApiBaseUrl = fake.ApiBaseUrl,
            GatewayUrl = fake.Gateway.Url,
            Gateway = new GatewayOptions
            {
                ReconnectBackoffBase = TimeSpan.FromMilliseconds(50),
                ReconnectBackoffMax = TimeSpan.FromMilliseconds(400),
                InvalidSessionDelayMin = TimeSpan.FromMilliseconds(20),
                InvalidSessionDelayMax = TimeSpan.FromMilliseconds(60),
                ConnectTimeout = TimeSpan.FromSeconds(10),
            },
            Rest = new RestOptions
            {
                ServerErrorRetryDelay = TimeSpan.FromMilliseconds(20),
                UnparseableRateLimitPause = TimeSpan.FromMilliseconds(300),
            },
        };
        configure?.Invoke(options);
        return options;
    }

    /// <summary>
    /// Starts a fake and a client. The default heartbeat interval is long, so tests that count connections are not
    /// disturbed by a slow machine; heartbeat tests shorten it.
    /// </summary>
    public static async Task<GatewayHarness> StartAsync(
        Action<FakeDiscordOptions>? fake = null,
        Action<DiscordOptions>? client = null,
        Func<double>? random = null,
        bool connect = true)
    {
        // IdentifyWindow zero: this hand-written client has no identify throttle (docs/discord.md, "Not done") and is
        // retired by issue 13; Discord.Net spaces identifies itself and meets the fake's real 5-second window.
        var fakeOptions = new FakeDiscordOptions { HeartbeatInterval = TimeSpan.FromSeconds(20), IdentifyWindow = TimeSpan.Zero };
        fake?.Invoke(fakeOptions);
        var server = await FakeDiscordServer.StartAsync(fakeOptions);
        var options = ClientOptions(server, client);
        var connection = new GatewayConnection(
            options,
            _ => throw new InvalidOperationException("GatewayUrl is configured; REST discovery must not be used."),
            random: random ?? (() => 0.1));
        var harness = new GatewayHarness(server, connection, options);
        if (connect)
        {
            await connection.StartAsync(TestContext.Current.CancellationToken);
        }
        return harness;
    }

    public Task<ReadyDispatch> WaitForReadyAsync(int count = 1) =>
        FakeDiscordServer.WaitForAsync(() => Dispatches.OfType<ReadyDispatch>().Skip(count - 1).FirstOrDefault(), null, $"READY #{count}");

    public async Task<ResumedDispatch> WaitForResumedAsync(int count = 1)
    {
        try
        {
            return await FakeDiscordServer.WaitForAsync(() => Dispatches.OfType<ResumedDispatch>().Skip(count - 1).FirstOrDefault(), null, $"RESUMED #{count}");
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"{ex.Message} {Describe()}", ex);
        }
    }

    /// <summary>What happened so far, for failure messages.</summary>
    public string Describe() =>
        $"Disconnects: [{string.Join("; ", Disconnects.Select(d => $"{d.Reason} -> {d.Action}"))}]. " +
        $"Connections: [{string.Join("; ", Fake.Gateway.Connections.Select(c => $"#{c.Number} {c.Path} server-close {c.ServerCloseCode} client-close {c.ClientCloseCode} sent [{string.Join(",", c.Received)}]"))}]. " +
        $"Client state {Client.State}.";

    public Task<T> WaitForDispatchAsync<T>(Func<T, bool>? predicate = null)
        where T : GatewayDispatch =>
        FakeDiscordServer.WaitForAsync(() => Dispatches.OfType<T>().FirstOrDefault(d => predicate?.Invoke(d) ?? true), null, typeof(T).Name);

    /// <summary>The content of every MESSAGE_CREATE received, in order.</summary>
    public List<string> MessageContents() => [.. Dispatches.OfType<MessageCreateDispatch>().Select(d => d.Message.Content)];

    public async ValueTask DisposeAsync()
    {
        await Client.DisposeAsync();
        await _reader.WaitAsync(TimeSpan.FromSeconds(10));
        await Fake.DisposeAsync();
        _http.Dispose();
    }

    /// <summary>Dispatches a guild command on the fake and returns it as the client received it.</summary>
    public async Task<(FakeInteraction Fake, Compliance.Discord.Models.Interaction Received)> ReceiveGuildCommandAsync(string name = "ask")
    {
        var sent = await Fake.SendGuildCommandAsync(name, [("question", 3, System.Text.Json.Nodes.JsonValue.Create("Can I trade during blackout?"))]);
        var received = await WaitForDispatchAsync<InteractionCreateDispatch>(d => d.Interaction.Id == sent.Id);
        return (sent, received.Interaction);
    }
}
