using System.Collections.Concurrent;
using Compliance.Bot.Commands;
using Compliance.Bot.Configuration;
using Compliance.Bot.FollowUps;
using Compliance.Bot.Health;
using Compliance.Bot.Interactions;
using Discord;
using Discord.Interactions;
using Discord.Net;
using Discord.WebSocket;
using Microsoft.Extensions.Options;

namespace Compliance.Bot.Gateway;

/// <summary>
/// The worker: logs in and starts Discord.Net's <see cref="DiscordSocketClient"/>, registers the commands on the
/// first READY (when they changed), hands every interaction and follow-up message to its own task (Discord.Net's
/// gateway loop never waits for a handler), keeps the liveness file fresh, and on real shutdown lets handlers finish
/// briefly, then closes the gateway with 1000.
/// </summary>
public sealed class BotWorker(
    DiscordSocketClient client,
    InteractionService interactions,
    IServiceProvider services,
    CommandRegistration registration,
    ResumeFallback resumeFallback,
    InteractionRouter router,
    FollowUpHandler followUps,
    ConversationState conversations,
    Threads.AnswerThreads answerThreads,
    IOptions<BotOptions> options,
    IOptions<BotSettings> settings,
    IHostApplicationLifetime lifetime,
    TimeProvider time,
    ILogger<BotWorker> logger) : BackgroundService
{
    // Discord's heartbeat interval (~41.25 s) until two acknowledgements show the real one.
    private static readonly TimeSpan AssumedHeartbeatInterval = TimeSpan.FromSeconds(45);

    private readonly ConcurrentDictionary<Task, byte> _inFlight = new();
    private readonly CancellationTokenSource _handlersStop = new();
    private readonly TaskCompletionSource _commandsChecked = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _registered;
    private DateTimeOffset _connectedSince = DateTimeOffset.MinValue;
    private DateTimeOffset? _lastAck;
    private TimeSpan _heartbeatInterval = AssumedHeartbeatInterval;

    /// <summary>Handlers running now (for tests, the shutdown wait and the idle memory trimmer).</summary>
    public int HandlersInFlight => _inFlight.Count;

    /// <summary>When the last interaction or follow-up started (start-up time before the first).</summary>
    public DateTimeOffset LastActivity { get; private set; } = time.GetUtcNow();

    /// <summary>Completes once the commands were checked (and written if they had changed) after the first READY.</summary>
    public Task CommandsChecked => _commandsChecked.Task;

    /// <summary>True while the gateway is connected (READY or RESUMED received).</summary>
    public bool Connected => client.ConnectionState == ConnectionState.Connected && client.CurrentUser is not null;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var tuning = settings.Value;
        if (!tuning.RegisterCommands)
        {
            _commandsChecked.TrySetResult();
        }
        client.Log += message => DiscordLogging.WriteAsync(logger, message);
        interactions.Log += message => DiscordLogging.WriteAsync(logger, message);
        client.Connected += () =>
        {
            _connectedSince = time.GetUtcNow();
            return Task.CompletedTask;
        };
        client.LatencyUpdated += (_, _) =>
        {
            // Raised on every heartbeat ACK: the liveness signal.
            var now = time.GetUtcNow();
            if (_lastAck is { } previous && now - previous > TimeSpan.Zero)
            {
                _heartbeatInterval = now - previous;
            }
            _lastAck = now;
            return Task.CompletedTask;
        };
        client.Ready += () =>
        {
            logger.LogInformation("Gateway ready as {BotUserId}; invite: {InviteUrl}", client.CurrentUser.Id, InviteUrl.For(options.Value.DiscordClientId!));
            if (tuning.RegisterCommands && Interlocked.Exchange(ref _registered, 1) == 0)
            {
                Run(RegisterCommandsAsync, countsAsActivity: false);
            }
            return Task.CompletedTask;
        };
        client.InteractionCreated += interaction =>
        {
            Run(ct => router.HandleAsync(interaction, ct));
            return Task.CompletedTask;
        };
        client.MessageReceived += message =>
        {
            if (client.CurrentUser is { } bot && followUps.IsFollowUp(message, bot.Id))
            {
                Run(ct => followUps.HandleAsync(message, bot.Id, ct));
            }
            return Task.CompletedTask;
        };
        client.ThreadCreated += thread =>
        {
            conversations.RecordThread(thread.Id, startedByBot: thread.Owner?.Id == client.CurrentUser?.Id);
            return Task.CompletedTask;
        };
        // Archiving or deleting a thread opened on an answer ends its conversation.
        client.ThreadUpdated += (_, thread) =>
        {
            if (thread.IsArchived && conversations.AnswerThreadOf(thread.Id) is not null)
            {
                Run(ct => answerThreads.EndAsync(thread.Id, "archived", ct));
            }
            return Task.CompletedTask;
        };
        client.ThreadDeleted += thread =>
        {
            if (conversations.AnswerThreadOf(thread.Id) is not null)
            {
                Run(ct => answerThreads.EndAsync(thread.Id, "deleted", ct));
            }
            return Task.CompletedTask;
        };
        client.Disconnected += exception =>
        {
            if (exception is WebSocketClosedException { CloseCode: 4004 or (>= 4010 and <= 4014) } closed)
            {
                // A bad token, intents or shard settings cannot fix themselves: stop so the platform says so.
                logger.LogCritical("The gateway refused the bot ({CloseCode}): {Reason}", closed.CloseCode, FatalCloseAdvice(closed.CloseCode));
                Environment.ExitCode = 1;
                lifetime.StopApplication();
            }
            return Task.CompletedTask;
        };

        await interactions.AddModulesAsync(typeof(BotWorker).Assembly, services);
        try
        {
            await client.LoginAsync(TokenType.Bot, options.Value.DiscordToken);
        }
        catch (Exception ex) when (ex is ArgumentException or HttpException)
        {
            logger.LogCritical("Discord refused the bot token (DISCORD_TOKEN): {Reason}", ex is HttpException http ? http.Reason : ex.GetType().Name);
            Environment.ExitCode = 1;
            lifetime.StopApplication();
            return;
        }
        if (!await WaitForSessionStartsAsync(stoppingToken))
        {
            return;
        }
        await client.StartAsync();
        await KeepAliveFileAsync(tuning, stoppingToken);
    }

    /// <summary>
    /// Honours Discord's session start limit, which Discord.Net's unsharded client does not read: with no Identify
    /// left (<c>session_start_limit.remaining</c> 0) Discord would reset the bot's token, so the bot waits for the
    /// reset instead of connecting. False when shutdown came first.
    /// </summary>
    private async Task<bool> WaitForSessionStartsAsync(CancellationToken stoppingToken)
    {
        BotGateway gateway;
        try
        {
            gateway = await client.Rest.GetBotGatewayAsync(new RequestOptions { CancelToken = stoppingToken });
        }
        catch (Exception ex) when (ex is HttpException or HttpRequestException)
        {
            // Discord.Net asks again when it connects and reports its own errors there.
            logger.LogWarning("Could not read the session start limit: {Error}", ex.GetType().Name);
            return true;
        }
        // What Discord.Net will connect to (it formats the URL this way); a resume host that fails falls back to it.
        resumeFallback.GatewayUrl ??= $"{gateway.Url}?v={Discord.DiscordConfig.APIVersion}&encoding=json&compress=zlib-stream";
        var limit = gateway.SessionStartLimit;
        if (limit.Remaining >= 1)
        {
            return true;
        }
        var wait = TimeSpan.FromMilliseconds(Math.Max(limit.ResetAfter, 0));
        logger.LogCritical("Discord's session start limit is used up ({Total} a day); waiting {Wait} for it to reset before connecting",
            limit.Total, wait);
        try
        {
            await Task.Delay(wait, time, stoppingToken);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        // Give handlers a moment to finish their answers; each ends its own "thinking…" on cancellation.
        var pending = _inFlight.Keys.ToArray();
        if (pending.Length > 0)
        {
            logger.LogInformation("Waiting for {Count} handlers before closing the gateway", pending.Length);
            var drained = Task.WhenAll(pending);
            if (await Task.WhenAny(drained, Task.Delay(TimeSpan.FromSeconds(10), CancellationToken.None)) != drained)
            {
                await _handlersStop.CancelAsync();
                await Task.WhenAny(drained, Task.Delay(TimeSpan.FromSeconds(5), CancellationToken.None));
            }
        }
        // Only here, on real shutdown, does the connection close with 1000 (which ends the Discord session).
        await client.StopAsync();
        await client.LogoutAsync();
        LivenessFile.Remove(settings.Value.LivenessFile);
    }

    public override void Dispose()
    {
        _handlersStop.Dispose();
        base.Dispose();
    }

    private void Run(Func<CancellationToken, Task> handler, bool countsAsActivity = true)
    {
        if (countsAsActivity)
        {
            LastActivity = time.GetUtcNow();
        }
        var task = Task.Run(async () =>
        {
            try
            {
                await handler(_handlersStop.Token);
            }
            catch (OperationCanceledException) when (_handlersStop.IsCancellationRequested)
            {
                // Shutdown.
            }
#pragma warning disable CA1031 // The last line of defence for a fire-and-forget handler: log, never crash the worker.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                logger.LogError(ex, "A handler failed");
            }
        }, CancellationToken.None);
        _inFlight.TryAdd(task, 0);
        _ = task.ContinueWith(t => _inFlight.TryRemove(t, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private async Task RegisterCommandsAsync(CancellationToken cancellationToken)
    {
        var guildId = string.IsNullOrWhiteSpace(options.Value.DevGuildId) ? (ulong?)null : ulong.Parse(options.Value.DevGuildId, System.Globalization.CultureInfo.InvariantCulture);
        try
        {
            await registration.EnsureRegisteredAsync(guildId, CommandDefinitions.All(guildScoped: guildId is not null), cancellationToken);
        }
        catch (HttpException ex)
        {
            // Existing registrations keep working; the bot still answers what Discord already knows.
            logger.LogError("Registering the commands failed: {Status} {Code} {Reason}", (int)ex.HttpCode, ex.DiscordCode, ex.Reason);
        }
        catch (HttpRequestException ex)
        {
            logger.LogError("Registering the commands failed: {Error}", ex.HttpRequestError);
        }
        finally
        {
            _commandsChecked.TrySetResult();
        }
    }

    private async Task KeepAliveFileAsync(BotSettings tuning, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(tuning.LivenessTouchInterval, time);
        try
        {
            do
            {
                if (LivenessFile.IsHealthy(Connected, time.GetUtcNow(), _lastAck, _connectedSince, _heartbeatInterval))
                {
                    try
                    {
                        LivenessFile.Touch(tuning.LivenessFile, time.GetUtcNow());
                    }
                    catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                    {
                        logger.LogWarning("Could not touch the liveness file {Path}: {Error}", tuning.LivenessFile, ex.GetType().Name);
                    }
                }
            }
            while (await timer.WaitForNextTickAsync(cancellationToken));
        }
        catch (OperationCanceledException)
        {
            // Shutdown.
        }
    }

    private static string FatalCloseAdvice(int code) => code switch
    {
        4004 => "authentication failed; check DISCORD_TOKEN",
        4010 or 4011 => "invalid shard settings",
        4012 => "invalid API version",
        4013 => "invalid intents; check DISCORD_INTENTS",
        4014 => "disallowed intents; enable the privileged intents in DISCORD_INTENTS in the Developer Portal (Bot > Privileged Gateway Intents), or remove them",
        _ => "see Discord's close codes",
    };
}
