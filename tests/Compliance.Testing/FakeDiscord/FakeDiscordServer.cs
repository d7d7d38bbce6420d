using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Compliance.Testing.FakeDiscord;

/// <summary>
/// A fake Discord on one Kestrel app at 127.0.0.1:0: REST under <c>/api/v10</c> and the gateway WebSocket, with
/// Discord's validation, interaction lifecycle, rate limits and scripted faults (discord-protocol.md §8).
/// </summary>
public sealed class FakeDiscordServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private FakeDiscordServer(WebApplication app, FakeDiscordOptions options)
    {
        _app = app;
        Options = options;
        Clock = new FakeDiscordClock();
        Gateway = new FakeGateway(this);
        Rest = new FakeRest(this);
    }

    public FakeDiscordOptions Options { get; }

    /// <summary>The clock that interaction deadlines and token lifetimes are measured on.</summary>
    public FakeDiscordClock Clock { get; }

    public FakeGateway Gateway { get; }

    public FakeRest Rest { get; }

    /// <summary><c>http://127.0.0.1:{port}/</c>.</summary>
    public string BaseUrl { get; private set; } = "";

    /// <summary>The REST base URL to configure the client with: <c>http://127.0.0.1:{port}/api/v10/</c>.</summary>
    public Uri ApiBaseUrl => new(BaseUrl + "api/v10/");

    /// <summary>Starts the fake on a free loopback port.</summary>
    public static async Task<FakeDiscordServer> StartAsync(FakeDiscordOptions? options = null, CancellationToken cancellationToken = default)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var server = new FakeDiscordServer(app, options ?? new FakeDiscordOptions());
        app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.Zero });
        server.Gateway.Map(app);
        server.Rest.Map(app);
        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.BaseUrl = address.TrimEnd('/') + "/";
        return server;
    }

    /// <summary>
    /// Dispatches a guild slash command from a member. Options are <c>(name, type, value)</c> triples.
    /// The interaction's 3-second response deadline starts now on <see cref="Clock"/>.
    /// </summary>
    public async Task<FakeInteraction> SendGuildCommandAsync(string commandName, IEnumerable<(string Name, int Type, JsonNode? Value)>? options = null, ulong? userId = null, ulong guildId = 222_000_000_000_000_001, ulong channelId = 444_000_000_000_000_001, string permissions = "2248473465835073")
    {
        await Gateway.EnsureGuildChannelAsync(guildId, channelId);
        var interaction = Rest.Interactions.Create(2);
        var payload = FakeDispatches.GuildCommand(Options, interaction, commandName, options, userId ?? 555_000_000_000_000_001, guildId, channelId, permissions);
        // The member holds a role granting exactly these permissions, so they can be computed from roles as well.
        payload["member"]!["roles"] = new JsonArray(JsonValue.Create((await Gateway.EnsureRoleAsync(guildId, permissions)).ToId()));
        return await DispatchInteractionAsync(interaction, payload);
    }

    /// <summary>Dispatches a slash command invoked in a DM with the bot: top-level <c>user</c>, no <c>member</c>.</summary>
    public async Task<FakeInteraction> SendDmCommandAsync(string commandName, IEnumerable<(string Name, int Type, JsonNode? Value)>? options = null, ulong? userId = null, ulong channelId = 777_000_000_000_000_001)
    {
        var interaction = Rest.Interactions.Create(2);
        var payload = FakeDispatches.DmCommand(Options, interaction, commandName, options, userId ?? 555_000_000_000_000_001, channelId);
        return await DispatchInteractionAsync(interaction, payload);
    }

    /// <summary>Dispatches the message context-menu command <paramref name="commandName"/> on <paramref name="target"/> (a message object).</summary>
    public async Task<FakeInteraction> SendMessageCommandAsync(string commandName, JsonObject target, ulong? userId = null, ulong guildId = 222_000_000_000_000_001, ulong channelId = 444_000_000_000_000_001, string permissions = "2248473465835073")
    {
        await Gateway.EnsureGuildChannelAsync(guildId, channelId);
        var interaction = Rest.Interactions.Create(2);
        var payload = FakeDispatches.MessageCommand(Options, interaction, commandName, target, userId ?? 555_000_000_000_000_001, guildId, channelId, permissions);
        payload["member"]!["roles"] = new JsonArray(JsonValue.Create((await Gateway.EnsureRoleAsync(guildId, permissions)).ToId()));
        return await DispatchInteractionAsync(interaction, payload);
    }

    /// <summary>
    /// Dispatches an autocomplete interaction: the user is typing <paramref name="typed"/> into
    /// <paramref name="focusedOption"/> of guild command <paramref name="commandName"/>. The choices come back as the
    /// callback (type 8), validated as Discord does.
    /// </summary>
    public async Task<FakeInteraction> SendAutocompleteAsync(string commandName, string focusedOption, string typed, IEnumerable<(string Name, int Type, JsonNode? Value)>? filled = null, ulong? userId = null, ulong guildId = 222_000_000_000_000_001, ulong channelId = 444_000_000_000_000_001, string permissions = "2248473465835073")
    {
        await Gateway.EnsureGuildChannelAsync(guildId, channelId);
        var interaction = Rest.Interactions.Create(4);
        var payload = FakeDispatches.Autocomplete(Options, interaction, commandName, filled, focusedOption, typed, userId ?? 555_000_000_000_000_001, guildId, channelId, permissions);
        payload["member"]!["roles"] = new JsonArray(JsonValue.Create((await Gateway.EnsureRoleAsync(guildId, permissions)).ToId()));
        return await DispatchInteractionAsync(interaction, payload);
    }

    /// <summary>Dispatches a button click on <paramref name="message"/> (a message object the bot sent).</summary>
    public async Task<FakeInteraction> SendButtonClickAsync(string customId, JsonObject message, ulong? userId = null, ulong guildId = 222_000_000_000_000_001)
    {
        await Gateway.EnsureGuildChannelAsync(guildId, ulong.Parse(message["channel_id"]?.GetValue<string>() ?? "444000000000000001", System.Globalization.CultureInfo.InvariantCulture));
        var interaction = Rest.Interactions.Create(3);
        interaction.ComponentMessage = (JsonObject)message.DeepClone();
        var payload = FakeDispatches.ButtonClick(Options, interaction, customId, message, userId ?? 555_000_000_000_000_001, guildId);
        return await DispatchInteractionAsync(interaction, payload);
    }

    /// <summary>Dispatches a modal submit with text input values keyed by custom id (Label-wrapped, current layout).</summary>
    public async Task<FakeInteraction> SendModalSubmitAsync(string customId, IReadOnlyDictionary<string, string> values, ulong? userId = null, ulong guildId = 222_000_000_000_000_001)
    {
        await Gateway.EnsureGuildChannelAsync(guildId, 444_000_000_000_000_001);
        var interaction = Rest.Interactions.Create(5);
        var payload = FakeDispatches.ModalSubmit(Options, interaction, customId, values, userId ?? 555_000_000_000_000_001, guildId);
        return await DispatchInteractionAsync(interaction, payload);
    }

    /// <summary>Dispatches MESSAGE_CREATE from a user, mentioning the bot or not. Returns the message object.</summary>
    public async Task<JsonObject> SendUserMessageAsync(string content, bool mentionBot, ulong? userId = null, ulong? guildId = 222_000_000_000_000_001, ulong channelId = 444_000_000_000_000_001, ulong? replyToMessageId = null)
    {
        if (guildId is { } guild)
        {
            await Gateway.EnsureGuildChannelAsync(guild, channelId);
        }
        var message = FakeDispatches.UserMessage(Options, content, mentionBot, userId ?? 555_000_000_000_000_001, guildId, channelId, replyToMessageId);
        await Gateway.DispatchAsync("MESSAGE_CREATE", message);
        return message;
    }

    private async Task<FakeInteraction> DispatchInteractionAsync(FakeInteraction interaction, JsonObject payload)
    {
        interaction.Payload = payload;
        // The deadline starts when Discord sends the dispatch.
        interaction.CreatedAt = Clock.GetUtcNow();
        interaction.MarkDispatched();
        await Gateway.DispatchAsync("INTERACTION_CREATE", payload);
        return interaction;
    }

    /// <summary>Polls <paramref name="probe"/> until it returns a value; fails the test with <paramref name="what"/> on timeout.</summary>
    public static async Task<T> WaitForAsync<T>(Func<T?> probe, TimeSpan? timeout, string what)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(probe);
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(15));
        while (true)
        {
            if (probe() is { } value)
            {
                return value;
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out waiting for {what}.");
            }
            await Task.Delay(10);
        }
    }

    /// <summary>Polls until <paramref name="condition"/> holds.</summary>
    public static Task WaitUntilAsync(Func<bool> condition, TimeSpan? timeout, string what) =>
        WaitForAsync(() => condition() ? "ok" : null, timeout, what);

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await _app.StopAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            // Open WebSockets may hold shutdown; disposal below tears them down.
        }
        await _app.DisposeAsync();
    }
}
