using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.Extensions.Options;

namespace Compliance.Api.Audit;

/// <summary>
/// Records waiting for the background flusher, and who is waiting for them. Enqueueing costs a channel write, so
/// the request that produced a record never waits for Postgres; a caller that needs the row (feedback on a query
/// just answered) can wait for it, for a bounded time, with <see cref="WaitUntilStoredAsync"/>.
/// </summary>
public sealed class AuditBacklog
{
    private readonly Channel<AuditEntry> _channel;
    private readonly ConcurrentDictionary<Guid, TaskCompletionSource> _pending = new();

    public AuditBacklog(IOptions<AuditOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _channel = Channel.CreateBounded<AuditEntry>(new BoundedChannelOptions(options.Value.QueueCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    internal ChannelReader<AuditEntry> Reader => _channel.Reader;

    /// <summary>Records accepted but not yet in Postgres (queued, being written, or waiting in the outbox).</summary>
    public int PendingCount => _pending.Count;

    internal async ValueTask EnqueueAsync(AuditEntry entry, CancellationToken cancellationToken)
    {
        _pending.TryAdd(entry.Key, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        try
        {
            await _channel.Writer.WriteAsync(entry, cancellationToken);
        }
        catch
        {
            _pending.TryRemove(entry.Key, out _);
            throw;
        }
    }

    internal void MarkStored(Guid key)
    {
        if (_pending.TryRemove(key, out var waiter))
        {
            waiter.TrySetResult();
        }
    }

    /// <summary>Stops accepting records (shutdown): the flusher drains what is queued.</summary>
    internal void Complete() => _channel.Writer.TryComplete();

    /// <summary>
    /// Waits until the record with this key (a query id) is in Postgres, at most <paramref name="timeout"/>. True when
    /// stored or not pending at all (already stored, or never written by this instance); false if it is still waiting
    /// (e.g. in the outbox during an outage).
    /// </summary>
    public async Task<bool> WaitUntilStoredAsync(Guid key, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (!_pending.TryGetValue(key, out var waiter))
        {
            return true;
        }
        try
        {
            await waiter.Task.WaitAsync(timeout, cancellationToken);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    /// <summary>Waits until everything accepted so far is stored, at most <paramref name="timeout"/>; false if some is still pending.</summary>
    public async Task<bool> WaitUntilAllStoredAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var waiting = _pending.Values.Select(w => w.Task).ToArray();
        try
        {
            await Task.WhenAll(waiting).WaitAsync(timeout, cancellationToken);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }
}
