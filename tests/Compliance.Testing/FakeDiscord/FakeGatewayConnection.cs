using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Compliance.Testing.FakeDiscord;

/// <summary>
/// One client WebSocket on the fake gateway. Enforces what Discord enforces (Identify/Resume first, 4096-byte
/// payloads, the send limit, known opcodes, heartbeats) and exposes scripted faults for tests.
/// </summary>
// A SemaphoreSlim whose wait handle is never touched holds no unmanaged resource; the owner lives as long as the fake.
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "SemaphoreSlim without AvailableWaitHandle needs no disposal.")]
public sealed class FakeGatewayConnection
{
    private const int MaxPayloadBytes = 4096;

    private readonly FakeGateway _gateway;
    private readonly HttpContext _http;
    private readonly WebSocket _socket;
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly Queue<long> _clientSends = new();
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ConcurrentQueue<string> _received = new();
    private long _lastHeartbeat = Stopwatch.GetTimestamp();
    private int _heartbeats;
    private int _acksSent;
    private volatile bool _ended;

    internal FakeGatewayConnection(FakeGateway gateway, HttpContext http, WebSocket socket, int number)
    {
        _gateway = gateway;
        _http = http;
        _socket = socket;
        Number = number;
        Path = http.Request.Path.Value ?? "";
        Query = http.Request.QueryString.Value ?? "";
    }

    /// <summary>1-based connection number over the fake's life.</summary>
    public int Number { get; }

    /// <summary>The request path: <c>/gateway</c> for fresh connects, <c>/gateway-resume</c> for the resume URL.</summary>
    public string Path { get; }

    /// <summary>The query string the client connected with.</summary>
    public string Query { get; }

    /// <summary>The session this connection identified or resumed into.</summary>
    public FakeGatewaySession? Session { get; internal set; }

    /// <summary>True once an Identify was accepted on this connection.</summary>
    public bool Identified { get; private set; }

    /// <summary>The sequence the client sent in its Resume, when it resumed.</summary>
    public long? ResumedFromSequence { get; private set; }

    /// <summary>The Identify payload's <c>d</c>, token removed.</summary>
    public JsonObject? IdentifyData { get; private set; }

    /// <summary>When true, heartbeats on this connection get no ACK (a zombie from the client's view).</summary>
    public bool WithholdAcks { get; set; }

    /// <summary>When true, dispatches for this connection's session are only buffered (the fake asked it to reconnect).</summary>
    public bool Draining { get; private set; }

    public int HeartbeatsReceived => Volatile.Read(ref _heartbeats);

    public int AcksSent => Volatile.Read(ref _acksSent);

    /// <summary>The <c>d</c> of each heartbeat received (the client's last sequence, or null).</summary>
    public ConcurrentQueue<long?> HeartbeatSequences { get; } = new();

    /// <summary>Every payload received from the client, in order, with the token masked.</summary>
    public IReadOnlyCollection<string> Received => _received;

    /// <summary>The close code this fake sent, if it closed the connection.</summary>
    public int? ServerCloseCode { get; private set; }

    /// <summary>The close code the client sent, if it closed with a close frame.</summary>
    public int? ClientCloseCode { get; private set; }

    /// <summary>True when the connection ended without any close frame from the client (abort or drop).</summary>
    public bool EndedWithoutClientClose => _ended && ClientCloseCode is null;

    /// <summary>Completes when the socket is gone.</summary>
    public Task Closed => _closed.Task;

    /// <summary>Sends op 7 Reconnect; later dispatches for the session are buffered for the resume.</summary>
    public Task SendReconnectAsync()
    {
        Draining = true;
        return SendAsync("""{"op":7,"d":null,"s":null,"t":null}""");
    }

    /// <summary>Sends op 9. Not resumable also ends the session on the fake's side.</summary>
    public Task SendInvalidSessionAsync(bool resumable)
    {
        Draining = true;
        if (!resumable)
        {
            Session?.Invalidate();
        }
        return SendAsync(resumable ? """{"op":9,"d":true,"s":null,"t":null}""" : """{"op":9,"d":false,"s":null,"t":null}""");
    }

    /// <summary>Sends op 1: the client must heartbeat at once.</summary>
    public Task RequestHeartbeatAsync() => SendAsync("""{"op":1,"d":null,"s":null,"t":null}""");

    /// <summary>Closes with <paramref name="code"/>. Codes that end a session on Discord end it here too.</summary>
    public Task CloseAsync(int code, string reason = "") => CloseAsync(code, reason, endSession: true);

    internal async Task CloseAsync(int code, string reason, bool endSession)
    {
        if (endSession && code is 4003 or 4004 or 4005 or 4007 or 4009 or 4010 or 4011 or 4012 or 4013 or 4014 or 1000 or 1001)
        {
            Session?.Invalidate();
        }
        ServerCloseCode = code;
        _gateway.RecordServerClose(code);
        await _sendLock.WaitAsync();
        try
        {
            if (_socket.State == WebSocketState.Open)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await _socket.CloseOutputAsync((WebSocketCloseStatus)code, reason, timeout.Token);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException or ObjectDisposedException)
        {
            _http.Abort();
        }
        finally
        {
            _sendLock.Release();
        }
    }

    /// <summary>Drops the TCP connection with no close frame (the session stays resumable).</summary>
    public void Drop()
    {
        Draining = true;
        _http.Abort();
    }

    /// <summary>Sends a raw text frame.</summary>
    public async Task SendAsync(string json)
    {
        await _sendLock.WaitAsync();
        try
        {
            if (_socket.State != WebSocketState.Open)
            {
                return;
            }
            await _socket.SendAsync(Encoding.UTF8.GetBytes(json), WebSocketMessageType.Text, true, CancellationToken.None);
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or ObjectDisposedException or OperationCanceledException)
        {
            // The client went away mid-send; the session keeps the dispatch for replay.
        }
        finally
        {
            _sendLock.Release();
        }
    }

    internal async Task RunAsync()
    {
        var options = _gateway.Options;
        using var heartbeatWatch = new CancellationTokenSource();
        try
        {
            if (!Query.Contains("v=10", StringComparison.Ordinal))
            {
                await CloseAsync(4012, "Invalid API version");
                return;
            }
            await SendAsync(new JsonObject
            {
                ["op"] = 10,
                ["d"] = new JsonObject { ["heartbeat_interval"] = (long)options.HeartbeatInterval.TotalMilliseconds },
                ["s"] = null,
                ["t"] = null,
            }.ToJsonString());
            _ = WatchHeartbeatsAsync(heartbeatWatch.Token);
            var buffer = new byte[8192];
            while (true)
            {
                var (text, tooLarge, closed) = await ReceiveAsync(buffer);
                if (closed)
                {
                    return;
                }
                if (tooLarge)
                {
                    await CloseAsync(4002, "Payload too large");
                    return;
                }
                if (!CountSend())
                {
                    await CloseAsync(4008, "Rate limited");
                    return;
                }
                if (!await HandleAsync(text!))
                {
                    return;
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or OperationCanceledException or Microsoft.AspNetCore.Connections.ConnectionAbortedException)
        {
            // Client aborted or the fake dropped it: the session stays resumable.
        }
        finally
        {
            _ended = true;
            await heartbeatWatch.CancelAsync();
            Session?.Detach(this);
            _closed.TrySetResult();
        }
    }

    private async Task<(string? Text, bool TooLarge, bool Closed)> ReceiveAsync(byte[] buffer)
    {
        var message = new ArrayBufferWriter<byte>();
        while (true)
        {
            var result = await _socket.ReceiveAsync(buffer.AsMemory(), CancellationToken.None);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                ClientCloseCode = (int?)_socket.CloseStatus;
                // A normal close from the client ends the session, exactly as on Discord.
                if (ClientCloseCode is 1000 or 1001)
                {
                    Session?.Invalidate();
                }
                if (_socket.State == WebSocketState.CloseReceived)
                {
                    await _sendLock.WaitAsync();
                    try
                    {
                        await _socket.CloseOutputAsync(_socket.CloseStatus ?? WebSocketCloseStatus.NormalClosure, "", CancellationToken.None);
                    }
                    catch (Exception ex) when (ex is WebSocketException or IOException)
                    {
                        // Already gone.
                    }
                    finally
                    {
                        _sendLock.Release();
                    }
                }
                return (null, false, true);
            }
            if (message.WrittenCount + result.Count > MaxPayloadBytes)
            {
                return (null, true, false);
            }
            message.Write(buffer.AsSpan(0, result.Count));
            if (result.EndOfMessage)
            {
                return (Encoding.UTF8.GetString(message.WrittenSpan), false, false);
            }
        }
    }

    private bool CountSend()
    {
        var options = _gateway.Options;
        var now = Stopwatch.GetTimestamp();
        while (_clientSends.Count > 0 && Stopwatch.GetElapsedTime(_clientSends.Peek(), now) >= options.SendWindow)
        {
            _clientSends.Dequeue();
        }
        _clientSends.Enqueue(now);
        return _clientSends.Count <= options.SendLimit;
    }

    private async Task<bool> HandleAsync(string text)
    {
        JsonObject payload;
        int op;
        try
        {
            payload = JsonNode.Parse(text) as JsonObject ?? throw new JsonException("not an object");
            op = payload["op"]?.GetValue<int>() ?? throw new JsonException("no op");
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException)
        {
            await CloseAsync(4002, "Error while decoding payload.");
            return false;
        }
        _received.Enqueue(MaskToken(payload));
        var data = payload["d"];

        switch (op)
        {
            case 1:
                Interlocked.Increment(ref _heartbeats);
                HeartbeatSequences.Enqueue(data is JsonValue v && v.TryGetValue<long>(out var seq) ? seq : null);
                Interlocked.Exchange(ref _lastHeartbeat, Stopwatch.GetTimestamp());
                if (!WithholdAcks)
                {
                    Interlocked.Increment(ref _acksSent);
                    await SendAsync("""{"op":11,"d":null,"s":null,"t":null}""");
                }
                return true;
            case 2:
                return await IdentifyAsync(data as JsonObject);
            case 6:
                return await ResumeAsync(data as JsonObject);
            case 3 or 4 or 8:
                if (Session is null)
                {
                    await CloseAsync(4003, "Not authenticated.");
                    return false;
                }
                _gateway.RecordOrdinarySend(op);
                return true;
            default:
                await CloseAsync(4001, "Unknown opcode.");
                return false;
        }
    }

    private async Task<bool> IdentifyAsync(JsonObject? data)
    {
        var options = _gateway.Options;
        if (Session is not null)
        {
            await CloseAsync(4005, "Already authenticated.");
            return false;
        }
        if (data?["token"]?.GetValue<string>() != options.BotToken)
        {
            await CloseAsync(4004, "Authentication failed.");
            return false;
        }
        long intents;
        try
        {
            intents = data["intents"]?.GetValue<long>() ?? -1;
        }
        catch (Exception ex) when (ex is InvalidOperationException or FormatException)
        {
            intents = -1;
        }
        if (intents < 0 || (intents & ~FakeGateway.KnownIntents) != 0)
        {
            await CloseAsync(4013, "Invalid intent(s).");
            return false;
        }
        if ((intents & FakeGateway.PrivilegedIntents & ~options.EnabledPrivilegedIntents) != 0)
        {
            await CloseAsync(4014, "Disallowed intent(s).");
            return false;
        }
        var shard = data["shard"] as JsonArray;
        var shardId = shard is { Count: 2 } ? shard[0]!.GetValue<int>() : 0;
        var shardCount = shard is { Count: 2 } ? shard[1]!.GetValue<int>() : 1;
        if (shardCount < 1 || shardId < 0 || shardId >= shardCount)
        {
            await CloseAsync(4010, "Invalid shard.");
            return false;
        }
        if (options.RequiredShardCount is { } required && shardCount < required)
        {
            await CloseAsync(4011, "Sharding required.");
            return false;
        }
        if (data["properties"] is not JsonObject)
        {
            await CloseAsync(4002, "Error while decoding payload.");
            return false;
        }
        switch (_gateway.SessionStarts.Decide(shardId))
        {
            case FakeIdentifyVerdict.TooFast:
                // Discord answers an Identify over max_concurrency with op 9 (d: false) and starts nothing.
                await SendAsync("""{"op":9,"d":false,"s":null,"t":null}""");
                return true;
            case FakeIdentifyVerdict.LimitExhausted:
                // "Upon hitting this limit, all active sessions for the app will be terminated, the bot token will
                // be reset": this Identify's token is no longer valid, and neither is any live session's.
                await _gateway.ResetTokenAndTerminateSessionsAsync();
                await CloseAsync(4004, "Authentication failed.");
                return false;
        }
        var copy = (JsonObject)data.DeepClone();
        copy.Remove("token");
        IdentifyData = copy;
        Identified = true;
        _gateway.RecordIdentify();
        var session = _gateway.CreateSession(intents, [shardId, shardCount]);
        Session = session;
        await session.AttachAndReadyAsync(this);
        return true;
    }

    private async Task<bool> ResumeAsync(JsonObject? data)
    {
        var options = _gateway.Options;
        if (Session is not null)
        {
            await CloseAsync(4005, "Already authenticated.");
            return false;
        }
        if (data?["token"]?.GetValue<string>() != options.BotToken)
        {
            await CloseAsync(4004, "Authentication failed.");
            return false;
        }
        var sessionId = data["session_id"]?.GetValue<string>();
        long seq;
        try
        {
            seq = data["seq"]?.GetValue<long>() ?? -1;
        }
        catch (Exception ex) when (ex is InvalidOperationException or FormatException)
        {
            seq = -1;
        }
        _gateway.RecordResume();
        var session = sessionId is null ? null : _gateway.FindSession(sessionId);
        if (session is not null && session.ExpiredAt(_gateway.Clock.GetUtcNow(), options.SessionResumeWindow))
        {
            // Its connection ended longer ago than Discord keeps a session ("a few minutes").
            session.Invalidate();
        }
        if (session is null || session.Invalidated)
        {
            // Discord answers an unknown or ended session with op 9 false and expects a fresh Identify.
            await SendAsync("""{"op":9,"d":false,"s":null,"t":null}""");
            return true;
        }
        if (seq < 0 || seq > session.Sequence)
        {
            await CloseAsync(4007, "Invalid seq.");
            return false;
        }
        ResumedFromSequence = seq;
        Session = session;
        await session.AttachAndReplayAsync(this, seq);
        return true;
    }

    private async Task WatchHeartbeatsAsync(CancellationToken cancellationToken)
    {
        var options = _gateway.Options;
        var timeout = options.HeartbeatTimeout ?? ((options.HeartbeatInterval * 3) + TimeSpan.FromSeconds(2));
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(options.HeartbeatInterval, cancellationToken);
                if (Stopwatch.GetElapsedTime(Interlocked.Read(ref _lastHeartbeat)) > timeout)
                {
                    // "If your app fails to send a heartbeat event in time, your connection will be closed and you
                    // will be forced to Resume" (gateway docs, §Heartbeat Interval): the session survives the close.
                    await CloseAsync(4009, "Session timed out.", endSession: false);
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Connection ended.
        }
    }

    private static string MaskToken(JsonObject payload)
    {
        if (payload["d"] is JsonObject d && d.ContainsKey("token"))
        {
            var copy = (JsonObject)payload.DeepClone();
            ((JsonObject)copy["d"]!)["token"] = "***";
            return copy.ToJsonString();
        }
        return payload.ToJsonString();
    }
}
