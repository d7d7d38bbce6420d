using System.Collections.Concurrent;
using System.Globalization;
using Compliance.Bot.Commands;
using Compliance.Bot.Configuration;
using Compliance.Bot.FollowUps;
using Compliance.Bot.Health;
using Compliance.Bot.Interactions;
using Compliance.Discord.Gateway;
using Compliance.Discord.Rest;
using Microsoft.Extensions.Options;

namespace Compliance.Bot.Gateway;

/// <summary>
/// The worker: registers the commands (when they changed), runs the gateway connection, hands every
/// INTERACTION_CREATE and follow-up MESSAGE_CREATE to its own task (the receive loop never waits for a handler),
/// keeps the liveness file fresh, and on real shutdown lets handlers finish briefly, then closes with 1000.
/// </summary>
public sealed class BotWorker(
    GatewayConnection gateway,
    CommandRegistration registration,
    InteractionRouter router,
    FollowUpHandler followUps,
    ConversationState conversations,
    IOptions<BotOptions> options,
    IOptions<BotSettings> settings,
    IHostApplicationLifetime lifetime,
    TimeProvider time,
    ILogger<BotWorker> logger) : BackgroundService
{
    private readonly ConcurrentDictionary<Task, byte> _inFlight = new();
    private readonly CancellationTokenSource _handlersStop = new();
    private DateTimeOffset _connectedSince = DateTimeOffset.MinValue;

    /// <summary>Handlers running now (for tests, the shutdown wait and the idle memory trimmer).</summary>
    public int HandlersInFlight => _inFlight.Count;

    /// <summary>When the last interaction or follow-up started (start-up time before the first).</summary>
    public DateTimeOffset LastActivity { get; private set; } = time.GetUtcNow();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var bot = options.Value;
        var tuning = settings.Value;
        var applicationId = ulong.Parse(bot.DiscordClientId!, CultureInfo.InvariantCulture);
        ulong? guildId = string.IsNullOrWhiteSpace(bot.DevGuildId) ? null : ulong.Parse(bot.DevGuildId, CultureInfo.InvariantCulture);

        if (tuning.RegisterCommands)
        {
            await RegisterCommandsAsync(applicationId, guildId, tuning, stoppingToken);
        }

        gateway.StateChanged += state =>
        {
            if (state == GatewayConnectionState.Connected)
            {
                _connectedSince = time.GetUtcNow();
            }
        };
        await gateway.StartAsync(stoppingToken);
        var liveness = Task.Run(() => KeepAliveFileAsync(tuning, stoppingToken), CancellationToken.None);

        try
        {
            await foreach (var dispatch in gateway.Dispatches.ReadAllAsync(stoppingToken))
            {
                switch (dispatch)
                {
                    case InteractionCreateDispatch { Interaction: var interaction }:
                        Run(ct => router.HandleAsync(interaction, ct));
                        break;
                    case MessageCreateDispatch { Message: var message } when gateway.UserId is { } botId && followUps.IsFollowUp(message, botId):
                        Run(ct => followUps.HandleAsync(message, botId, ct));
                        break;
                    case RawDispatch { Name: "THREAD_CREATE" } thread:
                        RecordThread(thread);
                        break;
                    case ReadyDispatch ready:
                        logger.LogInformation("Gateway ready as application {ApplicationId}", ready.Ready.Application.Id);
                        break;
                }
            }
            // The channel completed without a fault: the gateway stopped (only StopAsync does that).
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Real shutdown; StopAsync below closes the connection.
        }
        catch (GatewayFatalCloseException ex)
        {
            // A bad token, intents or shard settings cannot fix themselves: stop the process so the platform says so.
            logger.LogCritical("The gateway refused the bot: {Reason}", ex.Message);
            Environment.ExitCode = 1;
            lifetime.StopApplication();
        }
        await liveness;
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
        await gateway.StopAsync(cancellationToken);
        LivenessFile.Remove(settings.Value.LivenessFile);
    }

    public override void Dispose()
    {
        _handlersStop.Dispose();
        base.Dispose();
    }

    private void Run(Func<CancellationToken, Task> handler)
    {
        LastActivity = time.GetUtcNow();
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

    private async Task RegisterCommandsAsync(ulong applicationId, ulong? guildId, BotSettings tuning, CancellationToken cancellationToken)
    {
        var stateFile = string.IsNullOrWhiteSpace(tuning.CommandStateFile)
            ? CommandRegistration.DefaultStateFile(applicationId, guildId)
            : tuning.CommandStateFile;
        try
        {
            await registration.EnsureRegisteredAsync(applicationId, guildId, CommandDefinitions.All(guildScoped: guildId is not null), stateFile, cancellationToken);
        }
        catch (DiscordApiException ex)
        {
            // Existing registrations keep working; the bot still answers what Discord already knows.
            logger.LogError("Registering the commands failed: {Message}", ex.Message);
        }
        catch (HttpRequestException ex)
        {
            logger.LogError("Registering the commands failed: {Error}", ex.HttpRequestError);
        }
    }

    private void RecordThread(RawDispatch thread)
    {
        if (thread.Data.TryGetProperty("id", out var id) && ulong.TryParse(id.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out var threadId))
        {
            var owner = thread.Data.TryGetProperty("owner_id", out var ownerId) ? ownerId.GetString() : null;
            conversations.RecordThread(threadId, startedByBot: owner is not null && owner == gateway.UserId?.ToString(CultureInfo.InvariantCulture));
        }
    }

    private async Task KeepAliveFileAsync(BotSettings tuning, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(tuning.LivenessTouchInterval, time);
        try
        {
            do
            {
                if (LivenessFile.IsHealthy(gateway, time.GetUtcNow(), _connectedSince))
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
}
