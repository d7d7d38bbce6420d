using System.Buffers;
using System.Globalization;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Compliance.Testing.FakeDiscord;

namespace Compliance.Testing.Tests.FakeDiscord;

/// <summary>
/// A gateway client with no library behind it: a <see cref="ClientWebSocket"/> that sends exactly what a test
/// writes and reads frames as Discord sends them, so the fake's rules are tested, not a client's manners.
/// </summary>
internal sealed class RawGateway : IAsyncDisposable
{
    private readonly ClientWebSocket _socket = new();

    private RawGateway()
    {
    }

    /// <summary>The close code the server sent, once the socket is closed.</summary>
    public int? CloseCode => (int?)_socket.CloseStatus;

    public WebSocketState State => _socket.State;

    /// <summary>Connects to <paramref name="url"/> with <c>?v=10&amp;encoding=json</c> and reads Hello.</summary>
    public static async Task<RawGateway> ConnectAsync(Uri url)
    {
        var gateway = new RawGateway();
        await gateway._socket.ConnectAsync(new Uri(url.ToString().TrimEnd('/') + "/?v=10&encoding=json"), TestContext.Current.CancellationToken);
        var hello = await gateway.ReceiveAsync();
        Assert.Equal(10, hello?.GetProperty("op").GetInt32());
        return gateway;
    }

    /// <summary>Connects, identifies and reads READY; returns the connection and READY's <c>d</c>.</summary>
    public static async Task<(RawGateway Gateway, JsonElement Ready)> IdentifyAsync(FakeDiscordServer fake, long intents = 4609, int[]? shard = null, string? token = null)
    {
        var gateway = await ConnectAsync(fake.Gateway.Url);
        await gateway.SendIdentifyAsync(token ?? fake.Options.BotToken, intents, shard);
        var ready = await gateway.ReceiveDispatchAsync("READY");
        return (gateway, ready);
    }

    public Task SendIdentifyAsync(string token, long intents = 4609, int[]? shard = null) =>
        SendAsync(new
        {
            op = 2,
            d = new
            {
                token,
                intents,
                properties = new { os = "linux", browser = "raw-test", device = "raw-test" },
                shard = shard ?? [0, 1],
            },
        });

    public Task SendResumeAsync(string token, string sessionId, long seq) =>
        SendAsync(new { op = 6, d = new { token, session_id = sessionId, seq } });

    public Task SendHeartbeatAsync(long? seq) => SendAsync(new { op = 1, d = seq });

    public Task SendAsync(object payload) =>
        _socket.SendAsync(JsonSerializer.SerializeToUtf8Bytes(payload), WebSocketMessageType.Text, true, TestContext.Current.CancellationToken);

    /// <summary>The next payload, or null once the server closed the socket.</summary>
    public async Task<JsonElement?> ReceiveAsync(TimeSpan? timeout = null)
    {
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cancel.CancelAfter(timeout ?? TimeSpan.FromSeconds(10));
        var message = new ArrayBufferWriter<byte>();
        var buffer = new byte[16 * 1024];
        while (true)
        {
            var result = await _socket.ReceiveAsync(buffer, cancel.Token);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return null;
            }
            message.Write(buffer.AsSpan(0, result.Count));
            if (result.EndOfMessage)
            {
                return JsonDocument.Parse(message.WrittenMemory).RootElement.Clone();
            }
        }
    }

    /// <summary>Reads until a dispatch named <paramref name="eventName"/>; returns its <c>d</c>.</summary>
    public async Task<JsonElement> ReceiveDispatchAsync(string eventName)
    {
        while (true)
        {
            var payload = await ReceiveAsync() ?? throw new InvalidOperationException($"The gateway closed ({CloseCode}) before {eventName}.");
            if (payload.GetProperty("op").GetInt32() == 0 && payload.GetProperty("t").GetString() == eventName)
            {
                return payload.GetProperty("d");
            }
        }
    }

    /// <summary>Reads payloads until the server closes; returns them.</summary>
    public async Task<List<JsonElement>> ReceiveUntilClosedAsync(TimeSpan? timeout = null)
    {
        var payloads = new List<JsonElement>();
        while (await ReceiveAsync(timeout) is { } payload)
        {
            payloads.Add(payload);
        }
        return payloads;
    }

    /// <summary>
    /// Sends a close frame with <paramref name="code"/> (a non-1000 code keeps the session resumable) and reads until
    /// the server's close, as Discord.Net closes (<c>CloseOutputAsync</c>); <c>CloseAsync</c> would also wait for
    /// the TCP connection to end.
    /// </summary>
    public async Task CloseAsync(int code)
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await _socket.CloseOutputAsync((WebSocketCloseStatus)code, "test", cancel.Token);
            var buffer = new byte[4096];
            while ((await _socket.ReceiveAsync(buffer, cancel.Token)).MessageType != WebSocketMessageType.Close)
            {
                // Frames sent before the server saw the close are of no interest.
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
        {
            _socket.Abort();
        }
    }

    public static string Describe(JsonElement payload) => payload.GetRawText();

    public static long Sequence(JsonElement payload) => payload.GetProperty("s").GetInt64();

    public static string Id(ulong id) => id.ToString(CultureInfo.InvariantCulture);

    public ValueTask DisposeAsync()
    {
        _socket.Abort();
        _socket.Dispose();
        return ValueTask.CompletedTask;
    }
}
