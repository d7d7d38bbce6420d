namespace Compliance.Bot.Configuration;

/// <summary>
/// The bot's tunables (the <c>Bot</c> section, e.g. <c>Bot__EditInterval=00:00:01</c>). Every default is the
/// production value; tests shrink the timings. Validated at start.
/// </summary>
public sealed class BotSettings
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "Bot";

    /// <summary>Least time between two edits of a streamed answer (Discord tolerates about one a second).</summary>
    public TimeSpan EditInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Interactions and follow-ups handled at the same time; more wait their turn (the deferral never waits).</summary>
    public int MaxConcurrentInteractions { get; set; } = 32;

    /// <summary>File touched while the gateway is connected and heartbeats are acknowledged (read by <c>health</c>).</summary>
    public string LivenessFile { get; set; } = "/tmp/compliance-bot.alive";

    /// <summary>How often the liveness file is touched while healthy.</summary>
    public TimeSpan LivenessTouchInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The <c>health</c> command fails when the liveness file is older than this.</summary>
    public TimeSpan LivenessMaxAge { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// After this long without an interaction or follow-up, memory grown by the last burst is handed back to the
    /// operating system (one compacting collection). Zero turns it off.
    /// </summary>
    public TimeSpan IdleTrimAfter { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Time limit of one ordinary API call (history, feedback, settings, stats), per attempt.</summary>
    public TimeSpan ApiRequestTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Time limit of a whole streamed answer, from the request to the last event.</summary>
    public TimeSpan QueryTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>A streamed answer that sends nothing (not even a keep-alive) for this long is given up.</summary>
    public TimeSpan QueryIdleTimeout { get; set; } = TimeSpan.FromSeconds(45);

    /// <summary>
    /// <c>Bot__AnswerInThread</c>: a public <c>/ask</c> answer in a server text channel opens a thread in which every
    /// message is a follow-up (off by default; server managers choose per server with <c>/settings threads:</c>).
    /// </summary>
    public bool AnswerInThread { get; set; }

    /// <summary>Register the slash commands at start (only when their definitions changed).</summary>
    public bool RegisterCommands { get; set; } = true;

    /// <summary>How often the typing indicator is re-sent while a follow-up is being answered (it lasts ~10 s).</summary>
    public TimeSpan TypingInterval { get; set; } = TimeSpan.FromSeconds(8);

    /// <summary>Failed calls (each counted once, after its retries) before the API circuit opens (within <see cref="CircuitSamplingDuration"/>).</summary>
    public int CircuitMinimumThroughput { get; set; } = 6;

    /// <summary>The window the circuit breaker measures failures over.</summary>
    public TimeSpan CircuitSamplingDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long the circuit stays open before one trial call.</summary>
    public TimeSpan CircuitBreakDuration { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Retries of idempotent API calls (GET, PUT, DELETE) after a 5xx, timeout or network error, and of any call whose
    /// connection could not be made; 0 turns retries off. A question or rating that may have reached the API is never retried.
    /// </summary>
    public int IdempotentRetries { get; set; } = 2;

    /// <summary>First retry delay of idempotent calls; doubles with jitter.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(300);

    internal IEnumerable<string> Validate()
    {
        if (EditInterval < TimeSpan.FromMilliseconds(50) || EditInterval > TimeSpan.FromSeconds(10))
        {
            yield return "Bot:EditInterval must be between 50 ms and 10 s.";
        }
        if (MaxConcurrentInteractions is < 1 or > 1000)
        {
            yield return "Bot:MaxConcurrentInteractions must be between 1 and 1000.";
        }
        if (string.IsNullOrWhiteSpace(LivenessFile))
        {
            yield return "Bot:LivenessFile must be a file path.";
        }
        if (LivenessTouchInterval <= TimeSpan.Zero || LivenessMaxAge <= LivenessTouchInterval)
        {
            yield return "Bot:LivenessTouchInterval must be positive and below Bot:LivenessMaxAge.";
        }
        if (IdleTrimAfter < TimeSpan.Zero || (IdleTrimAfter > TimeSpan.Zero && IdleTrimAfter < TimeSpan.FromMilliseconds(100)) || IdleTrimAfter > TimeSpan.FromDays(1))
        {
            yield return "Bot:IdleTrimAfter must be 0 (off) or between 100 ms and 1 day.";
        }
        if (ApiRequestTimeout <= TimeSpan.Zero || QueryTimeout <= TimeSpan.Zero || QueryIdleTimeout <= TimeSpan.Zero)
        {
            yield return "Bot:ApiRequestTimeout, Bot:QueryTimeout and Bot:QueryIdleTimeout must be positive.";
        }
        if (QueryTimeout > TimeSpan.FromMinutes(14))
        {
            yield return "Bot:QueryTimeout must stay under 14 minutes (Discord's interaction token lives 15).";
        }
        if (TypingInterval < TimeSpan.FromMilliseconds(100) || TypingInterval > TimeSpan.FromSeconds(10))
        {
            yield return "Bot:TypingInterval must be between 100 ms and 10 s (the indicator lasts about 10 s).";
        }
        if (CircuitMinimumThroughput < 2 || CircuitSamplingDuration <= TimeSpan.Zero || CircuitBreakDuration <= TimeSpan.Zero)
        {
            yield return "Bot:CircuitMinimumThroughput must be at least 2 and the circuit durations positive.";
        }
        if (IdempotentRetries is < 0 or > 5 || RetryDelay < TimeSpan.Zero)
        {
            yield return "Bot:IdempotentRetries must be between 0 and 5 and Bot:RetryDelay not negative.";
        }
    }
}
