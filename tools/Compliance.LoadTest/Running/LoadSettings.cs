namespace Compliance.LoadTest.Running;

/// <summary>How the answer is requested: one JSON body, or Server-Sent Events.</summary>
internal enum ResponseMode
{
    Json,
    Sse,
}

/// <summary>
/// One load run: <see cref="Concurrency"/> clients, each sending its next question as soon as the previous answer
/// is complete (closed loop), or — with <see cref="RatePerSecond"/> — on a fixed schedule of that many requests a
/// second with at most <see cref="Concurrency"/> in flight (open loop), until <see cref="Requests"/> measured
/// requests were sent or <see cref="Duration"/> has passed (whichever is given), after <see cref="Warmup"/>
/// unmeasured ones. <see cref="WatchPid"/> names a process (the API) whose resident memory is sampled each second.
/// </summary>
internal sealed record LoadSettings(
    Uri ApiUrl,
    string Token,
    ResponseMode Mode,
    int Concurrency,
    int? Requests,
    TimeSpan? Duration,
    int Warmup,
    IReadOnlyList<string> Questions,
    bool AllowCacheHits,
    double? RatePerSecond = null,
    int? WatchPid = null)
{
    /// <summary>Where the API listens when neither --api nor API_URL says otherwise (./run.sh's port).</summary>
    public static readonly Uri DefaultApiUrl = new("http://localhost:8080/");

    /// <summary>Warm-up requests are numbered from here, so they never share a guild with a measured one.</summary>
    public const long WarmupNumbers = 1_000_000;

    /// <summary>
    /// Synthetic askers, one per client: snowflake-shaped ids starting here, so that per-user daily caps are spread
    /// and the load is easy to find in the query log.
    /// </summary>
    public const long FirstUserId = 100000000000001000;

    /// <summary>Synthetic guild ids start here; each run takes its own block of ten million.</summary>
    public const long FirstGuildId = 300000000000000000;

    /// <summary>Distinguishes this run's guild ids from an earlier run's, whose answers the API may have cached.</summary>
    public long RunBlock { get; init; } = Random.Shared.NextInt64(0, 1_000_000);

    /// <summary>The question text for request <paramref name="number"/>, taken round-robin from <see cref="Questions"/>.</summary>
    public string QuestionFor(long number) => Questions[(int)(number % Questions.Count)];

    /// <summary>
    /// The guild request <paramref name="number"/> is asked from: unique per request unless cache hits are wanted.
    /// The answer cache is keyed on the tenant, so a fresh guild misses it, while retrieval is unchanged (a guild
    /// without documents of its own sees the global policies). Varying the question text instead would add words
    /// that change retrieval and the coverage check.
    /// </summary>
    public string? GuildFor(long number) =>
        AllowCacheHits ? null : (FirstGuildId + (RunBlock * 10_000_000) + number).ToString(System.Globalization.CultureInfo.InvariantCulture);
}
