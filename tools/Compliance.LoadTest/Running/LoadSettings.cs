namespace Compliance.LoadTest.Running;

/// <summary>How the answer is requested: one JSON body, or Server-Sent Events.</summary>
internal enum ResponseMode
{
    Json,
    Sse,
}

/// <summary>
/// One load run: <see cref="Concurrency"/> clients, each sending its next question as soon as the previous answer
/// is complete, until <see cref="Requests"/> measured requests were sent or <see cref="Duration"/> has passed
/// (whichever is given), after <see cref="Warmup"/> unmeasured ones.
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
    bool AllowCacheHits)
{
    /// <summary>Warm-up requests are numbered from here, so they never share a question with a measured one.</summary>
    public const long WarmupNumbers = 1_000_000_000;

    /// <summary>Distinguishes this run's questions from an earlier run's, whose answers the API may have cached.</summary>
    public string RunId { get; init; } = Guid.NewGuid().ToString("N")[..8];

    /// <summary>Where the API listens when neither --api nor API_URL says otherwise (./run.sh's port).</summary>
    public static readonly Uri DefaultApiUrl = new("http://localhost:8080/");

    /// <summary>
    /// Synthetic askers, one per client: snowflake-shaped ids starting here, so that per-user daily caps are spread
    /// and the load is easy to find in the query log.
    /// </summary>
    public const long FirstUserId = 100000000000001000;

    /// <summary>The question text for request <paramref name="number"/>; made unique unless cache hits are wanted.</summary>
    public string QuestionFor(long number)
    {
        var question = Questions[(int)(number % Questions.Count)];
        // A unique suffix changes the normalised question, so every request misses the answer cache and does the work.
        return AllowCacheHits ? question : $"{question} (load test {RunId}-{number})";
    }
}
