using System.Buffers;
using System.Net.WebSockets;
using System.Text.Json;
using System.Threading.Channels;
using Compliance.Discord.Json;
using Compliance.Discord.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Compliance.Discord.Gateway;

/// <summary>
/// One Discord gateway v10 shard connection (JSON, uncompressed), kept alive across drops: Hello, jittered
/// heartbeats with zombie detection, Identify or Resume, op 7/op 9 handling, the close-code table and back-off.
/// Dispatches are written to <see cref="Dispatches"/> in sequence order; the receive loop never waits for the reader.
/// </summary>
public sealed class GatewayConnection : IAsyncDisposable
{
    private const int MaxSendBytes = 4096;

    private readonly DiscordOptions _options;
    private readonly Func<CancellationToken, ValueTask<Uri>> _gatewayUrlSource;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Func<double> _random;
    private readonly System.Threading.Channels.Channel<GatewayDispatch> _dispatches = System.Threading.Channels.Channel.CreateUnbounded<GatewayDispatch>(new UnboundedChannelOptions { SingleWriter = true });
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _stateGate = new();

    private Task? _run;
    private Uri? _gatewayUrl;
    private volatile ActiveSocket? _active;
    private volatile bool _stopRequested;
    private GatewayConnectionState _state = GatewayConnectionState.Idle;
    private long _heartbeatsSent;
    private long _heartbeatAcks;

    /// <param name="options">Validated options (token, intents, shard, gateway settings).</param>
    /// <param name="gatewayUrlSource">Where fresh connections go; normally <c>GET /gateway/bot</c>'s url, cached.</param>
    /// <param name="logger">Logger; the token and session id never reach it.</param>
    /// <param name="time">Clock for delays and heartbeats.</param>
    /// <param name="random">Source of uniform [0,1) values for heartbeat jitter, back-off jitter and the op 9 wait.</param>
    public GatewayConnection(
        DiscordOptions options,
        Func<CancellationToken, ValueTask<Uri>> gatewayUrlSource,
        ILogger<GatewayConnection>? logger = null,
        TimeProvider? time = null,
        Func<double>? random = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(gatewayUrlSource);
        options.ThrowIfInvalid();
        _options = options;
        _gatewayUrlSource = gatewayUrlSource;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _time = time ?? TimeProvider.System;
        _random = random ?? Random.Shared.NextDouble;
    }

    /// <summary>Dispatches in the order received. Completes when the connection stops; faults on a fatal close.</summary>
    public ChannelReader<GatewayDispatch> Dispatches => _dispatches.Reader;

    /// <summary>Completes when the connection has stopped; faults with <see cref="GatewayFatalCloseException"/>.</summary>
    public Task Completion => _completion.Task;

    /// <summary>Current state (for a health probe).</summary>
    public GatewayConnectionState State
    {
        get
        {
            lock (_stateGate)
            {
                return _state;
            }
        }
    }

    /// <summary>Raised on every state change, on the gateway's own thread; keep handlers short.</summary>
    public event Action<GatewayConnectionState>? StateChanged;

    /// <summary>Raised when a connection ends, with the reason and what happens next.</summary>
    public event Action<GatewayDisconnect>? Disconnected;

    /// <summary>Session id from READY; null when there is no resumable session.</summary>
    public string? SessionId { get; private set; }

    /// <summary>Where resumes go, from READY.</summary>
    public Uri? ResumeGatewayUrl { get; private set; }

    /// <summary>The last dispatch sequence received in this session.</summary>
    public long? LastSequence { get; private set; }

    /// <summary>The application id from READY.</summary>
    public ulong? ApplicationId { get; private set; }

    /// <summary>The bot's own user id from READY (for mention detection and ignoring its own messages).</summary>
    public ulong? UserId { get; private set; }

    /// <summary>The jittered delay before the current connection's first heartbeat.</summary>
    public TimeSpan? FirstHeartbeatDelay { get; private set; }

    /// <summary>The heartbeat interval from the current connection's Hello.</summary>
    public TimeSpan? HeartbeatInterval { get; private set; }

    /// <summary>Heartbeats sent over the life of this object.</summary>
    public long HeartbeatsSent => Interlocked.Read(ref _heartbeatsSent);

    /// <summary>Heartbeat ACKs received over the life of this object.</summary>
    public long HeartbeatAcknowledgements => Interlocked.Read(ref _heartbeatAcks);

    /// <summary>When the last heartbeat ACK arrived (a liveness signal).</summary>
    public DateTimeOffset? LastHeartbeatAck { get; private set; }

    /// <summary>Round trip of the last acknowledged heartbeat.</summary>
    public TimeSpan? Latency { get; private set; }

    /// <summary>Ordinary (non-heartbeat) events the current connection may send per window.</summary>
    public int OrdinarySendBudget => _active?.Limiter.OrdinaryBudget ?? 0;

    /// <summary>Starts connecting in the background. Returns at once; watch <see cref="State"/> or the dispatches.</summary>
    public Task StartAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_stateGate)
        {
            if (_run is not null)
            {
                throw new InvalidOperationException("The gateway connection was already started.");
            }
            _run = Task.Run(RunAsync, CancellationToken.None);
        }
        return Task.CompletedTask;
    }

    /// <summary>
    /// Real shutdown: closes with 1000, which ends the session on Discord's side, and stops. Only call this when
    /// the bot is going away; a restart that should resume must not close normally.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        _stopRequested = true;
        await _stop.CancelAsync();
        if (_active is { } active)
        {
            await active.CloseNormallyAsync(TimeSpan.FromSeconds(2));
        }
        if (_run is { } run)
        {
            try
            {
                await run.WaitAsync(TimeSpan.FromSeconds(5), cancellationToken);
            }
            catch (TimeoutException)
            {
                _active?.Abort();
                await run.WaitAsync(cancellationToken);
            }
        }
        else
        {
            Finish(null);
        }
    }

    /// <summary>Sends a presence update (op 3), within the send budget.</summary>
    public async ValueTask UpdatePresenceAsync(PresenceUpdate presence, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(presence);
        var active = _active;
        if (active is null || State != GatewayConnectionState.Connected)
        {
            throw new InvalidOperationException("The gateway is not connected.");
        }
        try
        {
            await active.SendAsync(new OutgoingPayload((int)GatewayOpCode.PresenceUpdate, presence), priority: false, cancellationToken);
        }
        catch (Exception ex) when (ex is WebSocketException or ObjectDisposedException)
        {
            throw new InvalidOperationException("The gateway connection was lost while sending; it is reconnecting.", ex);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stopRequested)
        {
            await StopAsync();
        }
        _stop.Dispose();
    }

    private async Task RunAsync()
    {
        var failures = 0;
        try
        {
            while (!_stopRequested)
            {
                var outcome = await RunOneConnectionAsync();
                if (_stopRequested)
                {
                    break;
                }
                if (outcome.Action == GatewayCloseAction.Fatal)
                {
                    Disconnected?.Invoke(new GatewayDisconnect(outcome.Reason, outcome.CloseCode, outcome.Action, TimeSpan.Zero, failures));
                    throw outcome.Fatal ?? new GatewayFatalCloseException(outcome.CloseCode ?? 0, outcome.Reason);
                }
                failures = outcome.SessionEstablished ? 0 : failures + 1;
                if (outcome.Action == GatewayCloseAction.NewSession)
                {
                    SessionId = null;
                    ResumeGatewayUrl = null;
                    LastSequence = null;
                }
                var delay = failures == 0 ? TimeSpan.Zero : Backoff(failures);
                if (outcome.InvalidSessionWait is { } wait && wait > delay)
                {
                    delay = wait;
                }
                _logger.LogWarning("Gateway connection ended ({Reason}); {Action} in {Delay} ms (consecutive failures: {Failures})",
                    outcome.Reason, outcome.Action, (long)delay.TotalMilliseconds, failures);
                SetState(GatewayConnectionState.Reconnecting);
                Disconnected?.Invoke(new GatewayDisconnect(outcome.Reason, outcome.CloseCode, outcome.Action, delay, failures));
                await Task.Delay(delay, _time, _stop.Token);
            }
            Finish(null);
        }
        catch (OperationCanceledException) when (_stopRequested)
        {
            Finish(null);
        }
        catch (Exception ex)
        {
            _logger.LogError(ex, "Gateway connection stopped");
            Finish(ex);
        }
    }

    private void Finish(Exception? error)
    {
        SetState(GatewayConnectionState.Stopped);
        _dispatches.Writer.TryComplete(error);
        if (error is null)
        {
            _completion.TrySetResult();
        }
        else
        {
            _completion.TrySetException(error);
        }
    }

    /// <summary>Exponential back-off capped at the maximum, shortened by up to a quarter at random.</summary>
    private TimeSpan Backoff(int failures)
    {
        var gateway = _options.Gateway;
        var exponent = Math.Min(failures - 1, 30);
        var capped = Math.Min(gateway.ReconnectBackoffBase.TotalMilliseconds * Math.Pow(2, exponent), gateway.ReconnectBackoffMax.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(capped * (1 - (0.25 * _random())));
    }

    private void SetState(GatewayConnectionState state)
    {
        lock (_stateGate)
        {
            if (_state == state || _state == GatewayConnectionState.Stopped)
            {
                return;
            }
            _state = state;
        }
        StateChanged?.Invoke(state);
    }

    private async Task<ConnectionOutcome> RunOneConnectionAsync()
    {
        SetState(GatewayConnectionState.Connecting);
        var resuming = SessionId is not null && ResumeGatewayUrl is not null && LastSequence is not null;
        Uri baseUrl;
        try
        {
            baseUrl = resuming ? ResumeGatewayUrl! : await GetGatewayUrlAsync();
        }
        catch (Rest.DiscordApiException ex) when (ex.StatusCode == System.Net.HttpStatusCode.Unauthorized)
        {
            // GET /gateway/bot with a bad token is the REST twin of close 4004.
            return ConnectionOutcome.FatalClose(GatewayCloseCode.AuthenticationFailed, "GET /gateway/bot rejected the bot token");
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !_stopRequested)
        {
            return new ConnectionOutcome($"gateway URL lookup failed: {ex.GetType().Name}", null, GatewayCloseAction.Resume, false);
        }

        using var socket = new ClientWebSocket();
        var active = new ActiveSocket(this, socket);
        var receiveBuffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
        using var heartbeatStop = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        Task? heartbeat = null;
        var established = false;
        try
        {
            using (var connectTimeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token))
            {
                connectTimeout.CancelAfter(_options.Gateway.ConnectTimeout);
                await socket.ConnectAsync(WithQuery(baseUrl), connectTimeout.Token);
            }
            _active = active;

            // Hello comes first; op 7 may precede it, in which case we reconnect straight away.
            GatewayFrame hello;
            using (var helloTimeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token))
            {
                helloTimeout.CancelAfter(_options.Gateway.ConnectTimeout);
                hello = await ReceiveFrameAsync(socket, receiveBuffer, helloTimeout.Token);
            }
            if (hello.CloseStatus is not null || hello.Json is null)
            {
                return Closed(hello, established);
            }
            var (helloOp, helloData) = ParseOp(hello.Json);
            if (helloOp == (int)GatewayOpCode.Reconnect)
            {
                return new ConnectionOutcome("op 7 reconnect before Hello", null, GatewayCloseAction.Resume, false);
            }
            if (helloOp != (int)GatewayOpCode.Hello || !helloData.TryGetProperty("heartbeat_interval", out var intervalElement))
            {
                return new ConnectionOutcome($"expected Hello, got op {helloOp}", null, GatewayCloseAction.Resume, false);
            }
            var interval = TimeSpan.FromMilliseconds(intervalElement.GetDouble());
            HeartbeatInterval = interval;
            active.Limiter = new GatewaySendLimiter(_options.Gateway.SendLimit, _options.Gateway.SendWindow, _options.Gateway.SendSafetyMargin, interval, _time);
            heartbeat = HeartbeatLoopAsync(active, interval, heartbeatStop.Token);

            if (resuming)
            {
                SetState(GatewayConnectionState.Resuming);
                await active.SendAsync(new OutgoingPayload((int)GatewayOpCode.Resume, new ResumeData(_options.BotToken, SessionId!, LastSequence!.Value)), priority: true, _stop.Token);
            }
            else
            {
                SetState(GatewayConnectionState.Identifying);
                await active.SendAsync(new OutgoingPayload((int)GatewayOpCode.Identify, BuildIdentify()), priority: true, _stop.Token);
            }

            while (true)
            {
                // Not cancellable by the stop token: cancelling a pending receive aborts the socket, and real
                // shutdown needs the socket alive to send its 1000 close. StopAsync closes, and the close ends this.
                var frame = await ReceiveFrameAsync(socket, receiveBuffer, CancellationToken.None);
                if (frame.CloseStatus is not null || frame.Json is null)
                {
                    return Closed(frame, established);
                }
                var outcome = await HandleFrameAsync(active, frame.Json, interval, established);
                if (outcome.Established)
                {
                    established = true;
                }
                if (outcome.End is { } end)
                {
                    active.Abort();
                    return end with { SessionEstablished = established };
                }
            }
        }
        catch (OperationCanceledException) when (_stopRequested)
        {
            return new ConnectionOutcome("stopped", 1000, GatewayCloseAction.NewSession, established);
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException or IOException or InvalidDataException or JsonException or ObjectDisposedException)
        {
            // An aborted socket fails its pending receive with a WebSocketException or a cancellation.
            if (active.ZombieDetected)
            {
                return new ConnectionOutcome("zombie connection: no heartbeat ACK before the next beat", null, GatewayCloseAction.Resume, established);
            }
            if (socket.CloseStatus is { } status)
            {
                var code = (int)status;
                var action = GatewayCloseCode.Classify(code);
                return action == GatewayCloseAction.Fatal
                    ? ConnectionOutcome.FatalClose(code, socket.CloseStatusDescription)
                    : new ConnectionOutcome($"closed: {GatewayCloseCode.Describe(code)}", code, action, established);
            }
            var reason = ex is OperationCanceledException ? "timed out waiting for the gateway" : $"connection lost: {ex.GetType().Name}: {ex.Message}";
            return new ConnectionOutcome(reason, null, GatewayCloseAction.Resume, established);
        }
        finally
        {
            await heartbeatStop.CancelAsync();
            if (socket.State is not WebSocketState.Closed and not WebSocketState.None)
            {
                active.Abort();
            }
            if (heartbeat is not null)
            {
                try
                {
                    await heartbeat;
                }
                catch (Exception ex) when (ex is OperationCanceledException or WebSocketException or ObjectDisposedException or IOException)
                {
                    // The socket is already gone; the heartbeat loop's failure carries no extra information.
                }
            }
            Interlocked.CompareExchange(ref _active, null, active);
            ArrayPool<byte>.Shared.Return(receiveBuffer);
        }
    }

    private ConnectionOutcome Closed(GatewayFrame frame, bool established)
    {
        if (_stopRequested)
        {
            return new ConnectionOutcome("stopped", 1000, GatewayCloseAction.NewSession, established);
        }
        var code = frame.CloseStatus;
        var action = GatewayCloseCode.Classify(code);
        return action == GatewayCloseAction.Fatal
            ? ConnectionOutcome.FatalClose(code!.Value, frame.CloseDescription)
            : new ConnectionOutcome($"closed by Discord: {GatewayCloseCode.Describe(code)}", code, action, established);
    }

    private async Task<FrameOutcome> HandleFrameAsync(ActiveSocket active, string json, TimeSpan interval, bool established)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        var op = root.GetProperty("op").GetInt32();
        var data = root.TryGetProperty("d", out var d) ? d : default;
        switch ((GatewayOpCode)op)
        {
            case GatewayOpCode.Dispatch:
                return HandleDispatch(root, data);
            case GatewayOpCode.Heartbeat:
                // The server asks for a beat now; it does not replace the schedule.
                await SendHeartbeatAsync(active);
                return default;
            case GatewayOpCode.HeartbeatAck:
                active.Acknowledge();
                Interlocked.Increment(ref _heartbeatAcks);
                LastHeartbeatAck = _time.GetUtcNow();
                Latency = active.LastBeatSentAt is { } sentAt ? _time.GetElapsedTime(sentAt) : null;
                return default;
            case GatewayOpCode.Reconnect:
                return new FrameOutcome(false, new ConnectionOutcome("op 7 reconnect requested", null, GatewayCloseAction.Resume, established));
            case GatewayOpCode.InvalidSession:
                var resumable = data.ValueKind == JsonValueKind.True;
                if (resumable && SessionId is not null)
                {
                    return new FrameOutcome(false, new ConnectionOutcome("op 9 invalid session (resumable)", null, GatewayCloseAction.Resume, established));
                }
                // Historic guidance: wait 1–5 s at random before identifying again; it also spares the identify budget.
                var min = _options.Gateway.InvalidSessionDelayMin;
                var wait = min + ((_options.Gateway.InvalidSessionDelayMax - min) * _random());
                return new FrameOutcome(false, new ConnectionOutcome("op 9 invalid session (not resumable)", null, GatewayCloseAction.NewSession, established) { InvalidSessionWait = wait });
            case GatewayOpCode.Hello:
                return default;
            default:
                _logger.LogDebug("Ignoring gateway op {Op}", op);
                return default;
        }
    }

    private FrameOutcome HandleDispatch(JsonElement root, JsonElement data)
    {
        var name = root.TryGetProperty("t", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString()! : "";
        var sequence = root.TryGetProperty("s", out var s) && s.ValueKind == JsonValueKind.Number ? s.GetInt64() : 0;
        // READY starts a new numbering; RESUMED repeats the current sequence. Neither is a duplicate.
        var marker = name is "READY" or "RESUMED";
        if (!marker && LastSequence is { } last && sequence <= last && sequence != 0)
        {
            // Already delivered (a replay overlapping what we saw); delivering it twice would answer twice.
            return default;
        }
        if (sequence > (LastSequence ?? 0) || name == "READY")
        {
            LastSequence = sequence;
        }

        GatewayDispatch dispatch;
        var established = false;
        try
        {
            switch (name)
            {
                case "READY":
                    var ready = data.Deserialize<ReadyEvent>(DiscordJson.Options)!;
                    SessionId = ready.SessionId;
                    ResumeGatewayUrl = ready.ResumeGatewayUrl;
                    ApplicationId = ready.Application.Id;
                    UserId = ready.User.Id;
                    dispatch = new ReadyDispatch(sequence, ready);
                    established = true;
                    SetState(GatewayConnectionState.Connected);
                    _logger.LogInformation("Gateway READY as user {UserId}, application {ApplicationId}", ready.User.Id, ready.Application.Id);
                    break;
                case "RESUMED":
                    dispatch = new ResumedDispatch(sequence);
                    established = true;
                    SetState(GatewayConnectionState.Connected);
                    _logger.LogInformation("Gateway session resumed at sequence {Sequence}", sequence);
                    break;
                case "INTERACTION_CREATE":
                    dispatch = new InteractionCreateDispatch(sequence, data.Deserialize<Interaction>(DiscordJson.Options)!);
                    break;
                case "MESSAGE_CREATE":
                    dispatch = new MessageCreateDispatch(sequence, data.Deserialize<Message>(DiscordJson.Options)!);
                    break;
                default:
                    dispatch = new RawDispatch(name, sequence, data.Clone());
                    break;
            }
        }
        catch (JsonException ex)
        {
            // A payload we cannot type still reaches the reader raw; one odd event must not kill the connection.
            _logger.LogWarning(ex, "Could not parse {Event} dispatch; delivering it raw", name);
            dispatch = new RawDispatch(name, sequence, data.Clone());
        }
        _dispatches.Writer.TryWrite(dispatch);
        return new FrameOutcome(established, null);
    }

    private async Task HeartbeatLoopAsync(ActiveSocket active, TimeSpan interval, CancellationToken cancellationToken)
    {
        // Jitter spreads the first beats of many clients reconnecting at once.
        var first = interval * _random();
        FirstHeartbeatDelay = first;
        await Task.Delay(first, _time, cancellationToken);
        while (!cancellationToken.IsCancellationRequested)
        {
            if (active.BeatsSent > 0 && !active.Acknowledged)
            {
                _logger.LogWarning("No heartbeat ACK since the last beat; treating the connection as a zombie");
                active.ZombieDetected = true;
                active.Abort();
                return;
            }
            await SendHeartbeatAsync(active);
            await Task.Delay(interval, _time, cancellationToken);
        }
    }

    private async Task SendHeartbeatAsync(ActiveSocket active)
    {
        active.MarkBeatSent(_time.GetTimestamp());
        Interlocked.Increment(ref _heartbeatsSent);
        await active.SendAsync(new OutgoingPayload((int)GatewayOpCode.Heartbeat, LastSequence), priority: true, _stop.Token);
    }

    private IdentifyData BuildIdentify()
    {
        var os = OperatingSystem.IsLinux() ? "linux" : OperatingSystem.IsWindows() ? "windows" : OperatingSystem.IsMacOS() ? "macos" : "other";
        return new IdentifyData(
            _options.BotToken,
            (int)_options.Intents,
            new IdentifyProperties(os, _options.ClientName, _options.ClientName),
            _options.Gateway.LargeThreshold,
            [_options.ShardId, _options.ShardCount]);
    }

    private async ValueTask<Uri> GetGatewayUrlAsync()
    {
        // The URL rarely changes; fresh sessions reuse it instead of asking REST on every reconnect.
        _gatewayUrl ??= _options.GatewayUrl ?? await _gatewayUrlSource(_stop.Token);
        return _gatewayUrl;
    }

    /// <summary>Appends <c>v=10&amp;encoding=json</c>, keeping the URL's path (resume URLs may carry one).</summary>
    internal static Uri WithQuery(Uri baseUrl)
    {
        var builder = new UriBuilder(baseUrl);
        if (string.IsNullOrEmpty(builder.Path))
        {
            builder.Path = "/";
        }
        builder.Query = "v=10&encoding=json";
        return builder.Uri;
    }

    private static (int Op, JsonElement Data) ParseOp(string json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        var op = root.GetProperty("op").GetInt32();
        return (op, root.TryGetProperty("d", out var d) ? d.Clone() : default);
    }

    private async Task<GatewayFrame> ReceiveFrameAsync(ClientWebSocket socket, byte[] buffer, CancellationToken cancellationToken)
    {
        // Large dispatches (READY, GUILD_CREATE) arrive in several frames: concatenate until EndOfMessage.
        var message = new ArrayBufferWriter<byte>(buffer.Length);
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer.AsMemory(), cancellationToken);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return new GatewayFrame(null, socket.CloseStatus is { } status ? (int)status : null, socket.CloseStatusDescription);
            }
            if (message.WrittenCount + result.Count > _options.Gateway.MaxReceiveMessageBytes)
            {
                throw new InvalidDataException($"Gateway message exceeds {_options.Gateway.MaxReceiveMessageBytes} bytes.");
            }
            message.Write(buffer.AsSpan(0, result.Count));
            if (result.EndOfMessage)
            {
                if (result.MessageType != WebSocketMessageType.Text)
                {
                    throw new InvalidDataException("Binary gateway frame received, but compression was not requested.");
                }
                return new GatewayFrame(System.Text.Encoding.UTF8.GetString(message.WrittenSpan), null, null);
            }
        }
    }

    private readonly record struct GatewayFrame(string? Json, int? CloseStatus, string? CloseDescription);

    private readonly record struct FrameOutcome(bool Established, ConnectionOutcome? End);

    private sealed record ConnectionOutcome(string Reason, int? CloseCode, GatewayCloseAction Action, bool SessionEstablished)
    {
        public TimeSpan? InvalidSessionWait { get; init; }

        public GatewayFatalCloseException? Fatal { get; init; }

        public static ConnectionOutcome FatalClose(int code, string? serverReason) =>
            new($"fatal close: {GatewayCloseCode.Describe(code)}", code, GatewayCloseAction.Fatal, false) { Fatal = new GatewayFatalCloseException(code, serverReason) };
    }

    /// <summary>One open socket: its send lock, send budget and heartbeat bookkeeping.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "The SemaphoreSlim's wait handle is never used, so it holds nothing to dispose; not disposing it lets a late sender fail cleanly.")]
    private sealed class ActiveSocket(GatewayConnection owner, ClientWebSocket socket)
    {
        private readonly SemaphoreSlim _sendLock = new(1, 1);
        private int _acknowledged = 1;
        private long _beatsSent;

        public GatewaySendLimiter Limiter { get; set; } = null!;

        public volatile bool ZombieDetected;

        public long? LastBeatSentAt { get; private set; }

        public long BeatsSent => Interlocked.Read(ref _beatsSent);

        public bool Acknowledged => Volatile.Read(ref _acknowledged) == 1;

        public void Acknowledge() => Volatile.Write(ref _acknowledged, 1);

        public void MarkBeatSent(long timestamp)
        {
            Volatile.Write(ref _acknowledged, 0);
            Interlocked.Increment(ref _beatsSent);
            LastBeatSentAt = timestamp;
        }

        public async ValueTask SendAsync(OutgoingPayload payload, bool priority, CancellationToken cancellationToken)
        {
            var bytes = JsonSerializer.SerializeToUtf8Bytes(payload, DiscordJson.Options);
            if (bytes.Length > MaxSendBytes)
            {
                throw new GatewayPayloadTooLargeException(bytes.Length);
            }
            if (priority)
            {
                Limiter.RecordPriority();
            }
            else
            {
                await Limiter.WaitOrdinaryAsync(cancellationToken);
            }
            await _sendLock.WaitAsync(cancellationToken);
            try
            {
                await socket.SendAsync(bytes, WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
            }
            finally
            {
                _sendLock.Release();
            }
        }

        /// <summary>Aborts without a close frame: the session stays resumable, and nothing can hang on a dead peer.</summary>
        public void Abort()
        {
            try
            {
                socket.Abort();
            }
            catch (ObjectDisposedException)
            {
                // Already gone.
            }
        }

        public async Task CloseNormallyAsync(TimeSpan timeout)
        {
            using var cts = new CancellationTokenSource(timeout);
            try
            {
                await _sendLock.WaitAsync(cts.Token);
                try
                {
                    if (socket.State == WebSocketState.Open)
                    {
                        await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "shutting down", cts.Token);
                    }
                }
                finally
                {
                    _sendLock.Release();
                }
            }
            catch (Exception ex) when (ex is OperationCanceledException or WebSocketException or ObjectDisposedException)
            {
                owner._logger.LogDebug("Normal close did not complete; aborting");
                Abort();
            }
        }
    }
}
