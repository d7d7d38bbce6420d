using Compliance.Testing.FakeDiscord;

namespace Compliance.Testing.Tests.FakeDiscord;

/// <summary>A fake Discord with a raw client identified on its gateway (interactions need a live session) and raw REST.</summary>
internal sealed class LiveFake : IAsyncDisposable
{
    private LiveFake(FakeDiscordServer fake, RawGateway gateway)
    {
        Fake = fake;
        Gateway = gateway;
        Rest = new RawRest(fake);
    }

    public FakeDiscordServer Fake { get; }

    public RawGateway Gateway { get; }

    public RawRest Rest { get; }

    public static async Task<LiveFake> StartAsync(Action<FakeDiscordOptions>? configure = null)
    {
        var options = new FakeDiscordOptions { HeartbeatInterval = TimeSpan.FromSeconds(30) };
        configure?.Invoke(options);
        var fake = await FakeDiscordServer.StartAsync(options, TestContext.Current.CancellationToken);
        var (gateway, _) = await RawGateway.IdentifyAsync(fake);
        return new LiveFake(fake, gateway);
    }

    /// <summary>A guild /ask, acknowledged with <paramref name="callbackType"/> (5: deferred; flags 64 when ephemeral).</summary>
    public async Task<FakeInteraction> AcknowledgedCommandAsync(int callbackType = 5, bool ephemeral = false)
    {
        var interaction = await Fake.SendGuildCommandAsync("ask");
        object? data = callbackType switch
        {
            5 => ephemeral ? new { flags = 64 } : null,
            _ => new { content = "Working on it.", flags = ephemeral ? 64 : 0 },
        };
        var response = await Rest.CallbackAsync(interaction, callbackType, data);
        Assert.Equal(System.Net.HttpStatusCode.NoContent, response.Status);
        return interaction;
    }

    public async ValueTask DisposeAsync()
    {
        Rest.Dispose();
        await Gateway.DisposeAsync();
        await Fake.DisposeAsync();
    }
}
