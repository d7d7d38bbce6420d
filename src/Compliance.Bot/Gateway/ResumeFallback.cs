using System.Net.Sockets;
using System.Net.WebSockets;
using Discord.Net.WebSockets;

namespace Compliance.Bot.Gateway;

/// <summary>
/// A resume that cannot reach its host falls back to the gateway URL. Discord.Net keeps READY's
/// <c>resume_gateway_url</c> until a session is invalidated (op 9), so an unreachable resume host is retried forever
/// (issue 13). This wraps its WebSocket client: a connect to any URL other than the gateway's that fails is
/// retried once on the gateway URL, where Discord takes the Resume too, or answers op 9 and the client identifies
/// afresh. Discord.Net has no setting for it, so this stays.
/// </summary>
public sealed class ResumeFallback(ILogger<ResumeFallback> logger)
{
    /// <summary>The fresh-connect URL with its query, as Discord.Net formats it; set before the client starts.</summary>
    public string? GatewayUrl { get; set; }

    /// <summary>Connects that fell back to <see cref="GatewayUrl"/> (for tests and diagnostics).</summary>
    public int Fallbacks => Volatile.Read(ref _fallbacks);

    private int _fallbacks;

    /// <summary>A provider for <c>DiscordSocketConfig.WebSocketProvider</c>.</summary>
    public WebSocketProvider Provider()
    {
        var inner = DefaultWebSocketProvider.Create();
        return () => new Client(inner(), this);
    }

    private async Task ConnectAsync(IWebSocketClient socket, string host)
    {
        try
        {
            await socket.ConnectAsync(host);
        }
        catch (Exception ex) when (ex is WebSocketException or HttpRequestException or SocketException or IOException
            && GatewayUrl is { } gateway && !string.Equals(host, gateway, StringComparison.Ordinal))
        {
            Interlocked.Increment(ref _fallbacks);
            logger.LogWarning("The resume host could not be reached ({Error}); connecting to the gateway URL instead", ex.GetType().Name);
            await socket.ConnectAsync(gateway);
        }
    }

    private sealed class Client(IWebSocketClient inner, ResumeFallback fallback) : IWebSocketClient
    {
        public event Func<byte[], int, int, Task> BinaryMessage
        {
            add => inner.BinaryMessage += value;
            remove => inner.BinaryMessage -= value;
        }

        public event Func<string, Task> TextMessage
        {
            add => inner.TextMessage += value;
            remove => inner.TextMessage -= value;
        }

        public event Func<Exception, Task> Closed
        {
            add => inner.Closed += value;
            remove => inner.Closed -= value;
        }

        public void SetHeader(string key, string value) => inner.SetHeader(key, value);

        public void SetCancelToken(CancellationToken cancelToken) => inner.SetCancelToken(cancelToken);

        public Task ConnectAsync(string host) => fallback.ConnectAsync(inner, host);

        public Task DisconnectAsync(int closeCode = 1000) => inner.DisconnectAsync(closeCode);

        public Task SendAsync(byte[] data, int index, int count, bool isText) => inner.SendAsync(data, index, count, isText);

        public void Dispose() => inner.Dispose();
    }
}
