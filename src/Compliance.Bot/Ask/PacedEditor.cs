using Discord.Net;
using Microsoft.Extensions.Logging;

namespace Compliance.Bot.Ask;

/// <summary>
/// Shows a growing answer with at most one edit per interval: deltas only replace the pending text, and the loop
/// sends the latest text when the interval allows. The first edit goes out as soon as there is text. Stopping
/// lets an edit already on the wire finish, so it can never land after the final edit.
/// </summary>
public sealed class PacedEditor : IAsyncDisposable
{
    private readonly Func<string, CancellationToken, Task> _edit;
    private readonly TimeSpan _interval;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _signal = new(0, 1);
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private string? _pending;
    private long _lastEditAt = long.MinValue;
    private int _edits;
    private int _stopped;

    public PacedEditor(Func<string, CancellationToken, Task> edit, TimeSpan interval, TimeProvider time, ILogger logger, CancellationToken cancellationToken)
    {
        _edit = edit;
        _interval = interval;
        _time = time;
        _logger = logger;
        _loop = Task.Run(() => RunAsync(cancellationToken), CancellationToken.None);
    }

    /// <summary>Edits sent so far.</summary>
    public int Edits => Volatile.Read(ref _edits);

    /// <summary>Replaces the text to show next.</summary>
    public void Update(string text)
    {
        lock (_gate)
        {
            _pending = text;
        }
        try
        {
            _signal.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already signalled: the loop will pick up the latest text.
        }
    }

    /// <summary>Stops after any edit in flight; pending text is dropped (the final edit replaces it).</summary>
    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 0)
        {
            await _stop.CancelAsync();
        }
        await _loop;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _stop.Dispose();
        _signal.Dispose();
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stop.Token);
        try
        {
            while (true)
            {
                await _signal.WaitAsync(linked.Token);
                if (_lastEditAt != long.MinValue)
                {
                    var since = _time.GetElapsedTime(_lastEditAt);
                    if (since < _interval)
                    {
                        await Task.Delay(_interval - since, _time, linked.Token);
                    }
                }
                string? text;
                lock (_gate)
                {
                    text = _pending;
                    _pending = null;
                }
                if (text is null)
                {
                    continue;
                }
                _lastEditAt = _time.GetTimestamp();
                try
                {
                    // Not cancelled by StopAsync: a half-sent edit could otherwise arrive after the final one.
                    await _edit(text, cancellationToken);
                    Interlocked.Increment(ref _edits);
                }
                catch (HttpException ex)
                {
                    // A lost progress edit only delays what the user sees; the final edit is what matters.
                    _logger.LogWarning("A streaming edit failed: {Status} {Code}", (int)ex.HttpCode, ex.DiscordCode);
                }
                catch (TimeoutException)
                {
                    _logger.LogWarning("A streaming edit timed out");
                }
                catch (HttpRequestException ex)
                {
                    _logger.LogWarning("A streaming edit failed: {Error}", ex.HttpRequestError);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }
    }
}
