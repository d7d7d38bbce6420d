namespace Compliance.LoadTest.Running;

/// <summary>
/// One measured request. <see cref="ClientMilliseconds"/>: send to last byte, on the client's clock.
/// <see cref="ServiceMilliseconds"/>: the service's own time, <c>timings.totalMs - timings.modelMs</c> (everything but
/// the wait on the model); <see cref="TotalMilliseconds"/>: <c>timings.totalMs</c>, model included. <see cref="FirstDeltaMilliseconds"/>:
/// send to the first SSE <c>delta</c> event (SSE only). <see cref="Error"/> is null on success, else a short kind
/// such as <c>http_503</c>, <c>rate_limited</c>, <c>stream_error:provider_down</c> or <c>network</c>.
/// <see cref="ScheduleLagMilliseconds"/>: in a paced run, how late the request was sent after it was due.
/// </summary>
internal sealed record RequestSample(
    double ClientMilliseconds,
    double? ServiceMilliseconds,
    double? FirstDeltaMilliseconds,
    string? Status,
    bool CacheHit,
    string? Error)
{
    public double ScheduleLagMilliseconds { get; init; }

    public double? TotalMilliseconds { get; init; }
}
