using Compliance.Bot.Configuration;

namespace Compliance.Bot.Interactions;

/// <summary>
/// Bounds how many interactions and follow-ups call the API at once. Acknowledging (the 3-second deadline) happens
/// before entering, so a full house delays answers, never deferrals.
/// </summary>
public sealed class InteractionLimiter(BotSettings settings) : IDisposable
{
    private readonly SemaphoreSlim _slots = new(settings.MaxConcurrentInteractions, settings.MaxConcurrentInteractions);

    /// <summary>Handlers working right now.</summary>
    public int InUse => settings.MaxConcurrentInteractions - _slots.CurrentCount;

    public async Task<IDisposable> EnterAsync(CancellationToken cancellationToken)
    {
        await _slots.WaitAsync(cancellationToken);
        return new Slot(_slots);
    }

    public void Dispose() => _slots.Dispose();

    private sealed class Slot(SemaphoreSlim slots) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                slots.Release();
            }
        }
    }
}
