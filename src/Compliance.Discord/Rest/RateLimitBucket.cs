namespace Compliance.Discord.Rest;

/// <summary>
/// One rate-limit bucket (a Discord bucket hash, or a route before its hash is known, per major parameter).
/// Until its limits are known it lets one request through at a time; then it spends <c>remaining</c> and waits
/// for the reset. A 429 blocks it until <c>retry_after</c> so queued requests do not cascade into more 429s.
/// </summary>
internal sealed class RateLimitBucket(TimeProvider time)
{
    private readonly Lock _gate = new();
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _known;
    private int _limit;
    private int _remaining;
    private int _inFlight;
    private long _resetAt;
    private long _blockedUntil;

    /// <summary>Waits until a request may be sent in this bucket and reserves it.</summary>
    public async Task AcquireAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            TimeSpan? wait;
            Task changed;
            lock (_gate)
            {
                var now = time.GetTimestamp();
                changed = _changed.Task;
                if (_blockedUntil > now)
                {
                    wait = time.GetElapsedTime(now, _blockedUntil);
                }
                else if (!_known)
                {
                    // First request learns the limits; the rest wait for its headers.
                    if (_inFlight == 0)
                    {
                        _inFlight++;
                        return;
                    }
                    wait = null;
                }
                else
                {
                    // Only with nothing in flight: a request sent in the old window may reach Discord in the
                    // new one and spend a slot there.
                    if (_remaining <= 0 && _resetAt <= now && _inFlight == 0)
                    {
                        // A new window: spend it, but do not start another one locally until a response says
                        // when this one ends (else every waiter would "reset" the window again).
                        _remaining = _limit;
                        _resetAt = long.MaxValue;
                    }
                    if (_remaining > 0)
                    {
                        _remaining--;
                        _inFlight++;
                        return;
                    }
                    // While a window's end is unknown or requests are still out, wait for their responses.
                    wait = _resetAt == long.MaxValue || (_resetAt <= now && _inFlight > 0) ? null : time.GetElapsedTime(now, _resetAt);
                }
            }
            var delay = wait is { } w ? Task.Delay(w > TimeSpan.Zero ? w : TimeSpan.FromMilliseconds(1), time, cancellationToken) : Task.Delay(Timeout.Infinite, cancellationToken);
            await Task.WhenAny(changed, delay);
            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    /// <summary>Records the response's rate-limit headers and frees the reservation.</summary>
    public void Complete(RateLimitHeaders headers, TimeSpan safetyMargin)
    {
        lock (_gate)
        {
            _inFlight = Math.Max(0, _inFlight - 1);
            if (headers.Limit is { } limit && headers.Remaining is { } remaining && headers.ResetAfter is { } resetAfter)
            {
                // Requests still in flight may not have been counted yet; assume they were.
                var reported = Math.Max(0, remaining - _inFlight);
                // Responses can arrive out of order: within a window a response may only lower the count, or a
                // stale header would release more requests than Discord has left. Windows restart only locally,
                // when the reset time passes with nothing in flight.
                _remaining = _known ? Math.Min(_remaining, reported) : reported;
                _known = true;
                _limit = limit;
                var resetAt = time.GetTimestamp() + (long)((resetAfter + safetyMargin).TotalSeconds * time.TimestampFrequency);
                _resetAt = _resetAt == long.MaxValue ? resetAt : Math.Max(_resetAt, resetAt);
            }
            else if (!headers.IsRateLimited)
            {
                // No headers: the route is not limited (or Discord did not say); stop serialising it.
                _known = true;
                _limit = int.MaxValue;
                _remaining = int.MaxValue;
            }
            else if (_resetAt == long.MaxValue && _inFlight == 0)
            {
                // A 429 without bucket headers; Block() governs the wait, after which a fresh window may start.
                _resetAt = time.GetTimestamp();
            }
            Signal();
        }
    }

    /// <summary>Frees the reservation after a request that got no response.</summary>
    public void Abandon()
    {
        lock (_gate)
        {
            _inFlight = Math.Max(0, _inFlight - 1);
            if (_resetAt == long.MaxValue && _inFlight == 0)
            {
                // Nobody is left to tell us when the window ends; allow a fresh start.
                _resetAt = time.GetTimestamp();
            }
            Signal();
        }
    }

    /// <summary>Blocks the bucket for <paramref name="duration"/> (after a 429).</summary>
    public void Block(TimeSpan duration)
    {
        lock (_gate)
        {
            var until = time.GetTimestamp() + (long)(duration.TotalSeconds * time.TimestampFrequency);
            _blockedUntil = Math.Max(_blockedUntil, until);
            Signal();
        }
    }

    private void Signal()
    {
        var old = _changed;
        _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        old.TrySetResult();
    }
}

/// <summary>The <c>X-RateLimit-*</c> and <c>Retry-After</c> headers of one response.</summary>
internal readonly record struct RateLimitHeaders(int? Limit, int? Remaining, TimeSpan? ResetAfter, string? Bucket, string? Scope, bool Global, TimeSpan? RetryAfter, bool IsRateLimited)
{
    public static RateLimitHeaders From(HttpResponseMessage response)
    {
        var headers = response.Headers;
        return new RateLimitHeaders(
            Int(headers, "X-RateLimit-Limit"),
            Int(headers, "X-RateLimit-Remaining"),
            Seconds(headers, "X-RateLimit-Reset-After"),
            Text(headers, "X-RateLimit-Bucket"),
            Text(headers, "X-RateLimit-Scope"),
            string.Equals(Text(headers, "X-RateLimit-Global"), "true", StringComparison.OrdinalIgnoreCase),
            Seconds(headers, "Retry-After"),
            (int)response.StatusCode == 429);
    }

    private static string? Text(System.Net.Http.Headers.HttpResponseHeaders headers, string name) =>
        headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;

    private static int? Int(System.Net.Http.Headers.HttpResponseHeaders headers, string name) =>
        int.TryParse(Text(headers, name), System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var value) ? value : null;

    private static TimeSpan? Seconds(System.Net.Http.Headers.HttpResponseHeaders headers, string name) =>
        double.TryParse(Text(headers, name), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var value) && value >= 0
            ? TimeSpan.FromSeconds(value)
            : null;
}
