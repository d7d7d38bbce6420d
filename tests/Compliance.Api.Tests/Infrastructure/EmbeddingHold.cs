using System.Collections.Concurrent;
using Compliance.Api.Documents;

namespace Compliance.Api.Tests.Infrastructure;

/// <summary>
/// Holds the API's embedding at the first slice that matches a condition, until the test releases it: a document
/// can be seen part-way (its progress, a full queue, a running re-embed job, a stop mid-job) without waiting on
/// time. The API awaits it with its stopping token, so disposing the API releases a held slice by cancelling it.
/// Once released, or when nothing matches, slices pass straight through.
/// </summary>
public sealed class EmbeddingHold(Func<EmbeddingProgress, bool> when) : IEmbeddingCheckpoint
{
    private readonly TaskCompletionSource<EmbeddingProgress> _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _holding;

    /// <summary>Every slice the API reached, in order.</summary>
    public ConcurrentQueue<EmbeddingProgress> Seen { get; } = new();

    /// <summary>Completes with the slice being held once the API is held.</summary>
    public Task<EmbeddingProgress> Reached => _reached.Task;

    public void Release() => _released.TrySetResult();

    public async ValueTask ReachedAsync(EmbeddingProgress progress, CancellationToken cancellationToken)
    {
        Seen.Enqueue(progress);
        if (_released.Task.IsCompleted || !when(progress) || Interlocked.Exchange(ref _holding, 1) == 1)
        {
            return;
        }
        _reached.TrySetResult(progress);
        await _released.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Waits (bounded, so a broken API fails the test instead of hanging it) until the API is held.</summary>
    public async Task<EmbeddingProgress> WaitUntilHeldAsync() =>
        await Reached.WaitAsync(TimeSpan.FromMinutes(2), TestContext.Current.CancellationToken);
}

/// <summary>Several holds, each consulted at every slice, in order.</summary>
public sealed class EmbeddingHolds(params EmbeddingHold[] holds) : IEmbeddingCheckpoint
{
    public async ValueTask ReachedAsync(EmbeddingProgress progress, CancellationToken cancellationToken)
    {
        foreach (var hold in holds)
        {
            await hold.ReachedAsync(progress, cancellationToken);
        }
    }
}
