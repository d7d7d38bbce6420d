using Discord.Net.WebSockets;

namespace Compliance.Bot.Gateway;

/// <summary>
/// Discord.Net's gateway WebSocket with one change: when READY's <c>resume_gateway_url</c> cannot be reached, the next
/// attempt goes to the gateway URL the bot first connected to (from <c>GET /gateway/bot</c>). Discord.Net 3.20.1 keeps
/// retrying the resume URL for as long as it holds the session (seen against the fake with an unreachable resume host:
/// no reconnect within 45 s), so a resume host that is gone would keep the bot offline. On the gateway URL
/// Discord.Net sends its Resume; Discord either resumes the session (missed events are replayed) or answers op 9
/// <c>false</c>, and Discord.Net identifies afresh on that same connection. Discord.Net has no setting for this.
/// </summary>
internal sealed class ResumeFallbackWebSocket : IWebSocketClient
{
    private readonly IWebSocketClient _inner;
    private readonly Lock _gate = new();
    private readonly HashSet<string> _unreachable = new(StringComparer.OrdinalIgnoreCase);
    private string? _gatewayEndpoint;

    private ResumeFallbackWebSocket(IWebSocketClient inner) => _inner = inner;

    /// <summary>A provider for <c>DiscordSocketConfig.WebSocketProvider</c>.</summary>
    public static WebSocketProvider Provider()
    {
        var inner = DefaultWebSocketProvider.Create();
        return () => new ResumeFallbackWebSocket(inner());
    }

    public event Func<byte[], int, int, Task> BinaryMessage
    {
        add => _inner.BinaryMessage += value;
        remove => _inner.BinaryMessage -= value;
    }

    public event Func<string, Task> TextMessage
    {
        add => _inner.TextMessage += value;
        remove => _inner.TextMessage -= value;
    }

    public event Func<Exception, Task> Closed
    {
        add => _inner.Closed += value;
        remove => _inner.Closed -= value;
    }

    public void SetHeader(string key, string value) => _inner.SetHeader(key, value);

    public void SetCancelToken(CancellationToken cancelToken) => _inner.SetCancelToken(cancelToken);

    public async Task ConnectAsync(string host)
    {
        var endpoint = Endpoint(host);
        string target;
        lock (_gate)
        {
            // The first connect is always a fresh one, to the gateway URL.
            _gatewayEndpoint ??= endpoint;
            target = _unreachable.Remove(endpoint) ? _gatewayEndpoint + host[endpoint.Length..] : host;
        }
        try
        {
            await _inner.ConnectAsync(target);
        }
        catch (Exception) when (!string.Equals(endpoint, _gatewayEndpoint, StringComparison.OrdinalIgnoreCase) && ReferenceEquals(target, host))
        {
            // The resume host did not answer: the next attempt (Discord.Net retries with a back-off) uses the gateway URL.
            lock (_gate)
            {
                _unreachable.Add(endpoint);
            }
            throw;
        }
    }

    public Task DisconnectAsync(int closeCode = 1000) => _inner.DisconnectAsync(closeCode);

    public Task SendAsync(byte[] data, int index, int count, bool isText) => _inner.SendAsync(data, index, count, isText);

    public void Dispose() => _inner.Dispose();

    /// <summary>The URL without its query (<c>?v=10&amp;encoding=json</c>, which Discord.Net appends to both URLs).</summary>
    private static string Endpoint(string host)
    {
        var query = host.IndexOf('?', StringComparison.Ordinal);
        return query < 0 ? host : host[..query];
    }
}
