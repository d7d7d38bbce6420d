using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Compliance.Testing.FakeDiscord;

namespace Compliance.Testing.Tests.FakeDiscord;

/// <summary>The fake gateway's own enforcement, driven by a raw WebSocket that misbehaves on purpose.</summary>
public sealed class FakeGatewayProtocolTests : IAsyncLifetime
{
    private FakeDiscordServer _fake = null!;

    public async ValueTask InitializeAsync() =>
        _fake = await FakeDiscordServer.StartAsync(new FakeDiscordOptions { HeartbeatInterval = TimeSpan.FromSeconds(30) }, TestContext.Current.CancellationToken);

    public async ValueTask DisposeAsync() => await _fake.DisposeAsync();

    private async Task<ClientWebSocket> ConnectAsync(string query = "?v=10&encoding=json")
    {
        var socket = new ClientWebSocket();
        await socket.ConnectAsync(new Uri(_fake.Gateway.Url + query), TestContext.Current.CancellationToken);
        return socket;
    }

    private static Task SendAsync(ClientWebSocket socket, string text) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, TestContext.Current.CancellationToken);

    /// <summary>Reads until the server closes; returns the JSON payloads seen and the close code.</summary>
    private static async Task<(List<JsonElement> Payloads, int? CloseCode)> ReadUntilCloseAsync(ClientWebSocket socket, int stopAfterPayloads = int.MaxValue)
    {
        var payloads = new List<JsonElement>();
        var buffer = new byte[64 * 1024];
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        while (payloads.Count < stopAfterPayloads)
        {
            var result = await socket.ReceiveAsync(buffer, timeout.Token);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return (payloads, (int?)socket.CloseStatus);
            }
            payloads.Add(JsonDocument.Parse(buffer.AsMemory(0, result.Count)).RootElement.Clone());
        }
        return (payloads, null);
    }

    private string Identify(long intents = 4609) =>
        """{"op":2,"d":{"token":""" + JsonSerializer.Serialize(_fake.Options.BotToken) + ""","intents":""" + intents.ToString(System.Globalization.CultureInfo.InvariantCulture) + ""","properties":{"os":"linux","browser":"t","device":"t"}}}""";

    [Fact]
    public async Task Hello_comes_first_with_the_configured_interval()
    {
        using var socket = await ConnectAsync();
        var (payloads, _) = await ReadUntilCloseAsync(socket, 1);
        Assert.Equal(10, payloads[0].GetProperty("op").GetInt32());
        Assert.Equal(30_000, payloads[0].GetProperty("d").GetProperty("heartbeat_interval").GetInt32());
    }

    [Fact]
    public async Task A_payload_before_identify_is_4003()
    {
        using var socket = await ConnectAsync();
        await SendAsync(socket, """{"op":3,"d":{"since":null,"activities":[],"status":"online","afk":false}}""");
        Assert.Equal(4003, (await ReadUntilCloseAsync(socket)).CloseCode);
    }

    [Fact]
    public async Task Invalid_json_is_4002()
    {
        using var socket = await ConnectAsync();
        await SendAsync(socket, "{not json");
        Assert.Equal(4002, (await ReadUntilCloseAsync(socket)).CloseCode);
    }

    [Fact]
    public async Task A_payload_over_4096_bytes_is_4002()
    {
        using var socket = await ConnectAsync();
        await SendAsync(socket, $$"""{"op":1,"d":null,"pad":"{{new string('x', 4100)}}"}""");
        Assert.Equal(4002, (await ReadUntilCloseAsync(socket)).CloseCode);
    }

    [Fact]
    public async Task An_unknown_opcode_is_4001()
    {
        using var socket = await ConnectAsync();
        await SendAsync(socket, """{"op":5,"d":null}""");
        Assert.Equal(4001, (await ReadUntilCloseAsync(socket)).CloseCode);
    }

    [Fact]
    public async Task A_second_identify_is_4005_and_ends_the_session()
    {
        using var socket = await ConnectAsync();
        await SendAsync(socket, Identify());
        await FakeDiscordServer.WaitForAsync(() => _fake.Gateway.CurrentSession, null, "a session");
        var session = _fake.Gateway.CurrentSession!;
        await SendAsync(socket, Identify());
        var (payloads, code) = await ReadUntilCloseAsync(socket);
        Assert.Equal(4005, code);
        Assert.Contains(payloads, p => p.GetProperty("op").GetInt32() == 0 && p.GetProperty("t").GetString() == "READY");
        Assert.True(session.Invalidated);
    }

    [Fact]
    public async Task Bad_intents_are_4013_and_a_missing_version_is_4012()
    {
        using (var socket = await ConnectAsync())
        {
            await SendAsync(socket, Identify(intents: 1 << 30));
            Assert.Equal(4013, (await ReadUntilCloseAsync(socket)).CloseCode);
        }
        using (var socket = await ConnectAsync("?encoding=json"))
        {
            Assert.Equal(4012, (await ReadUntilCloseAsync(socket)).CloseCode);
        }
    }

    [Fact]
    public async Task Resuming_an_unknown_session_gets_op9_false()
    {
        using var socket = await ConnectAsync();
        await SendAsync(socket, $$$"""{"op":6,"d":{"token":"{{{_fake.Options.BotToken}}}","session_id":"nope","seq":3}}""");
        var (payloads, _) = await ReadUntilCloseAsync(socket, 2);
        Assert.Equal(9, payloads[1].GetProperty("op").GetInt32());
        Assert.False(payloads[1].GetProperty("d").GetBoolean());
    }

    [Fact]
    public async Task Sequence_numbers_increase_and_heartbeats_are_acknowledged()
    {
        using var socket = await ConnectAsync();
        await SendAsync(socket, Identify());
        // Hello and READY first: the session object exists a moment before READY is written, so dispatching on it
        // alone raced READY on a loaded machine.
        var (handshake, _) = await ReadUntilCloseAsync(socket, 2);
        await _fake.Gateway.DispatchAsync("TYPING_START", new System.Text.Json.Nodes.JsonObject());
        await SendAsync(socket, """{"op":1,"d":2}""");
        var (rest, _) = await ReadUntilCloseAsync(socket, 2);
        var payloads = handshake.Concat(rest).ToList();
        Assert.Equal([1, 2], payloads.Where(p => p.GetProperty("op").GetInt32() == 0).Select(p => p.GetProperty("s").GetInt32()));
        Assert.Equal(11, payloads[3].GetProperty("op").GetInt32());
    }
}
