using System.Runtime.CompilerServices;
using Compliance.Api.Configuration;
using Microsoft.Extensions.AI;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;

namespace Compliance.Api.Answers.Llm;

/// <summary>
/// Timeouts, retries and a circuit breaker around another <see cref="IChatClient"/>, with every failure turned into
/// an <see cref="LlmException"/> and logged once.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>The whole call, retries and streaming included, has <see cref="LlmOptions.TimeoutSeconds"/>.</item>
/// <item>Each streaming attempt must produce its first word within <see cref="LlmOptions.FirstTokenTimeoutSeconds"/>.</item>
/// <item>Rate limits (429), server errors (5xx), network errors and first-token stalls are retried with jittered
/// exponential back-off or the provider's <c>Retry-After</c>, but only before any text reached the caller, and only
/// while at least one first-token timeout of the budget would remain after the wait.</item>
/// <item>After <see cref="LlmOptions.BreakerFailureThreshold"/> failed attempts in a row the breaker opens for
/// <see cref="LlmOptions.BreakerBreakSeconds"/> and calls fail at once without reaching the provider.</item>
/// </list>
/// </remarks>
public sealed class ResilientChatClient : DelegatingChatClient
{
    private static readonly ResiliencePropertyKey<LlmCall> CallKey = new("compliance.llm.call");
    private static readonly ResiliencePropertyKey<TimeSpan> DelayKey = new("compliance.llm.retry-delay");

    /// <summary>Failures within this window count towards opening the breaker.</summary>
    private static readonly TimeSpan BreakerSamplingWindow = TimeSpan.FromSeconds(60);

    private readonly LlmOptions _options;
    private readonly string? _apiKey;
    private readonly string _providerName;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly ResiliencePipeline _pipeline;
    private readonly CircuitBreakerStateProvider _breakerState = new();

    /// <param name="innerClient">One provider's connector (<see cref="LlmProvider.CreateClient"/>).</param>
    /// <param name="options">The timeouts, retries and breaker settings (<c>GROK_*</c>), shared by every provider.</param>
    /// <param name="logger">Where the one failure line per call goes.</param>
    /// <param name="timeProvider">The clock of the timeouts and the breaker.</param>
    /// <param name="apiKey">The provider's key, scrubbed from failure details; <see cref="LlmOptions.ApiKey"/> when null.</param>
    public ResilientChatClient(IChatClient innerClient, LlmOptions options, ILogger<ResilientChatClient> logger,
        TimeProvider? timeProvider = null, string? apiKey = null)
        : base(innerClient)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        _options = options;
        _apiKey = apiKey ?? options.ApiKey;
        _providerName = innerClient.GetService<ChatClientMetadata>()?.ProviderName ?? "llm";
        _logger = logger;
        _time = timeProvider ?? TimeProvider.System;
        Timeout = TimeSpan.FromSeconds(options.TimeoutSeconds);
        FirstTokenTimeout = TimeSpan.FromSeconds(options.FirstTokenTimeoutSeconds);
        _pipeline = BuildPipeline();
    }

    /// <summary>The overall budget of one call.</summary>
    public TimeSpan Timeout { get; }

    /// <summary>The per-attempt wait for the first word of a streamed answer.</summary>
    public TimeSpan FirstTokenTimeout { get; }

    /// <summary>True while the breaker is open and calls fail at once (for health reporting).</summary>
    public bool IsCircuitOpen => _breakerState.CircuitState is CircuitState.Open or CircuitState.Isolated;

    public override Task<ChatResponse> GetResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        GetResponseAsync(messages, options, Timeout, cancellationToken);

    public override IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        GetStreamingResponseAsync(messages, options, Timeout, cancellationToken);

    /// <summary>A whole answer within <paramref name="budget"/> (the fallback gets what the primary left of the budget).</summary>
    internal async Task<ChatResponse> GetResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options, TimeSpan budget, CancellationToken cancellationToken)
    {
        var list = Materialise(messages);
        using var call = new LlmCall(this, budget, cancellationToken);
        try
        {
            var response = await ExecuteAsync(call, static async (call, state) =>
            {
                // Non-streaming answers arrive whole, so only the overall timeout bounds an attempt.
                using var attempt = call.BeginAttempt(firstTokenTimeout: null);
                try
                {
                    return await call.Owner.InnerClient.GetResponseAsync(state.list, state.options, attempt.Token);
                }
                catch (Exception ex) when (call.Classify(ex, attempt) is { } failure)
                {
                    throw failure;
                }
            }, (list, options));
            call.Succeeded(response.Usage);
            return response;
        }
        catch (Exception ex) when (IsFailure(ex))
        {
            throw call.Fail(ex, answerStarted: false);
        }
    }

    /// <summary>A streamed answer within <paramref name="budget"/>.</summary>
    internal async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options, TimeSpan budget,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var list = Materialise(messages);
        using var call = new LlmCall(this, budget, cancellationToken);

        // Phase 1, retried: open the stream and wait for the first word. Nothing has reached the caller yet.
        StreamStart start;
        try
        {
            start = await ExecuteAsync(call, static (call, state) => OpenStreamAsync(call, state.list, state.options), (list, options));
        }
        catch (Exception ex) when (IsFailure(ex))
        {
            throw call.Fail(ex, answerStarted: false);
        }

        // Phase 2, never retried: the caller may already show text, so a failure now surfaces as an error.
        await using (start)
        {
            UsageDetails? usage = null;
            foreach (var update in start.Buffered)
            {
                yield return update;
            }
            while (!start.Finished)
            {
                try
                {
                    if (!await start.Stream.MoveNextAsync())
                    {
                        break;
                    }
                }
                catch (Exception ex) when (IsFailure(ex))
                {
                    throw call.Fail(ex, answerStarted: start.TextArrived);
                }
                var current = start.Stream.Current;
                usage = current.Contents.OfType<UsageContent>().LastOrDefault()?.Details ?? usage;
                yield return current;
            }
            call.Succeeded(usage ?? start.Buffered.SelectMany(u => u.Contents).OfType<UsageContent>().LastOrDefault()?.Details);
        }
    }

    private static async ValueTask<StreamStart> OpenStreamAsync(LlmCall call, IReadOnlyList<ChatMessage> messages, ChatOptions? options)
    {
        var attempt = call.BeginAttempt(call.Owner.FirstTokenTimeout);
        IAsyncEnumerator<ChatResponseUpdate>? stream = null;
        try
        {
            stream = call.Owner.InnerClient.GetStreamingResponseAsync(messages, options, attempt.Token).GetAsyncEnumerator(attempt.Token);
            var buffered = new List<ChatResponseUpdate>();
            while (await stream.MoveNextAsync())
            {
                buffered.Add(stream.Current);
                // Role-only and empty chunks are not an answer; the first-token clock keeps running until real text.
                if (!string.IsNullOrEmpty(stream.Current.Text))
                {
                    if (!attempt.FirstTokenArrived())
                    {
                        throw new OperationCanceledException("The first-token timeout fired as the first token arrived.");
                    }
                    return new StreamStart(stream, attempt, buffered, TextArrived: true, Finished: false);
                }
            }
            attempt.FirstTokenArrived();
            return new StreamStart(stream, attempt, buffered, TextArrived: false, Finished: true);
        }
        catch (Exception ex)
        {
            var failure = call.Classify(ex, attempt);
            if (stream is not null)
            {
                await stream.DisposeAsync();
            }
            attempt.Dispose();
            if (failure is null)
            {
                throw;
            }
            throw failure;
        }
    }

    private async ValueTask<T> ExecuteAsync<T, TState>(LlmCall call, Func<LlmCall, TState, ValueTask<T>> attempt, TState state)
    {
        var context = ResilienceContextPool.Shared.Get(call.Token);
        context.Properties.Set(CallKey, call);
        try
        {
            return await _pipeline.ExecuteAsync(
                static (_, s) => s.attempt(s.call, s.state), context, (call, attempt, state));
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    private ResiliencePipeline BuildPipeline()
    {
        var builder = new ResiliencePipelineBuilder { TimeProvider = _time, Name = "llm" };
        if (_options.MaxRetries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = _options.MaxRetries,
                ShouldHandle = args => ValueTask.FromResult(ShouldRetry(args.Outcome.Exception, args.AttemptNumber, args.Context)),
                // ShouldRetry already chose the delay (it needs it to check the budget); hand it over.
                DelayGenerator = args => ValueTask.FromResult<TimeSpan?>(args.Context.Properties.GetValue(DelayKey, TimeSpan.Zero)),
                OnRetry = args =>
                {
                    var failure = args.Outcome.Exception as LlmException;
                    _logger.LogInformation(
                        "Language model attempt {Attempt} failed ({LlmFailure}, HTTP {StatusCode}); retrying in {DelayMs} ms",
                        args.AttemptNumber + 1, failure?.Kind, failure?.StatusCode, (long)args.RetryDelay.TotalMilliseconds);
                    return ValueTask.CompletedTask;
                },
            });
        }
        builder.AddCircuitBreaker(new CircuitBreakerStrategyOptions
        {
            // "N failures in a row": a ratio of 1 over at least N attempts in the window, so any success resets it.
            FailureRatio = 1.0,
            MinimumThroughput = _options.BreakerFailureThreshold,
            SamplingDuration = BreakerSamplingWindow,
            BreakDuration = TimeSpan.FromSeconds(_options.BreakerBreakSeconds),
            StateProvider = _breakerState,
            // Only signs of an unhealthy provider count; a bad key, a refusal or a user leaving does not.
            ShouldHandle = args => ValueTask.FromResult(
                args.Outcome.Exception is LlmException { Kind: LlmFailure.ProviderUnavailable or LlmFailure.Timeout }),
            OnOpened = args =>
            {
                _logger.LogWarning("Language model circuit breaker ({LlmProvider}) opened for {BreakSeconds} s after {Failures} failed attempts in a row",
                    _providerName, args.BreakDuration.TotalSeconds, _options.BreakerFailureThreshold);
                return ValueTask.CompletedTask;
            },
            OnClosed = _ =>
            {
                _logger.LogInformation("Language model circuit breaker ({LlmProvider}) closed: the provider answered again", _providerName);
                return ValueTask.CompletedTask;
            },
        });
        return builder.Build();
    }

    /// <summary>Decides whether to retry, and stores the wait: back-off or Retry-After, within the remaining budget.</summary>
    private bool ShouldRetry(Exception? exception, int retryNumber, ResilienceContext context)
    {
        if (exception is not LlmException { IsTransient: true } failure || !context.Properties.TryGetValue(CallKey, out var call))
        {
            return false;
        }
        var maxDelay = TimeSpan.FromSeconds(_options.RetryMaxDelaySeconds);
        TimeSpan delay;
        if (failure.RetryAfter is { } retryAfter)
        {
            // A provider asking for a longer pause than we may hold the user gets it: we stop, as rate limited.
            if (retryAfter > maxDelay)
            {
                return false;
            }
            delay = retryAfter;
        }
        else
        {
            // Exponential back-off with "equal jitter": half fixed, half random, so parallel callers spread out.
            var ceiling = Math.Min(_options.RetryBaseDelaySeconds * Math.Pow(2, retryNumber), _options.RetryMaxDelaySeconds);
            delay = TimeSpan.FromSeconds(ceiling / 2 + Random.Shared.NextDouble() * ceiling / 2);
        }
        // A retry that could not even wait out one first-token timeout would only turn this failure into a timeout.
        if (call.Remaining - delay < FirstTokenTimeout)
        {
            return false;
        }
        context.Properties.Set(DelayKey, delay);
        return true;
    }

    private static bool IsFailure(Exception exception) => exception is not (ArgumentException or NotSupportedException);

    private static IReadOnlyList<ChatMessage> Materialise(IEnumerable<ChatMessage> messages)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var list = messages as IReadOnlyList<ChatMessage> ?? [.. messages];
        return list.Count > 0 ? list : throw new ArgumentException("At least one message is required.", nameof(messages));
    }

    /// <summary>An open stream whose first word has arrived (or that finished without any text).</summary>
    private sealed record StreamStart(
        IAsyncEnumerator<ChatResponseUpdate> Stream, Attempt Attempt, List<ChatResponseUpdate> Buffered, bool TextArrived, bool Finished)
        : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await Stream.DisposeAsync();
            Attempt.Dispose();
        }
    }

    /// <summary>One call: the overall budget, the attempt count, and the single log line for its failure.</summary>
    private sealed class LlmCall : IDisposable
    {
        private readonly CancellationToken _callerToken;
        private readonly CancellationTokenSource _overall;
        private readonly ITimer _overallTimer;
        private readonly long _started;
        private volatile bool _overallExpired;
        private int _attempts;

        private readonly TimeSpan _budget;

        public LlmCall(ResilientChatClient owner, TimeSpan budget, CancellationToken callerToken)
        {
            Owner = owner;
            _budget = budget;
            _callerToken = callerToken;
            _started = owner._time.GetTimestamp();
            _overall = CancellationTokenSource.CreateLinkedTokenSource(callerToken);
            _overallTimer = owner._time.CreateTimer(static state => ((LlmCall)state!).ExpireOverall(), this, budget,
                System.Threading.Timeout.InfiniteTimeSpan);
        }

        public ResilientChatClient Owner { get; }

        /// <summary>Cancelled when the caller cancels or the overall budget runs out.</summary>
        public CancellationToken Token => _overall.Token;

        public TimeSpan Elapsed => Owner._time.GetElapsedTime(_started);

        public TimeSpan Remaining => _budget - Elapsed;

        public Attempt BeginAttempt(TimeSpan? firstTokenTimeout)
        {
            Interlocked.Increment(ref _attempts);
            return new Attempt(firstTokenTimeout, Owner._time, _overall.Token);
        }

        /// <summary>
        /// What <paramref name="exception"/> means for this call. Our own clocks and the caller come first: once one of
        /// them cancelled, whatever the transport threw (a reset, a half-read chunk) is a consequence, not the cause.
        /// Null for argument errors, which are the caller's bugs and pass through unchanged.
        /// </summary>
        public LlmException? Classify(Exception exception, Attempt? attempt)
        {
            if (exception is BrokenCircuitException open)
            {
                return new LlmException(LlmFailure.ProviderUnavailable,
                    "The circuit breaker is open after repeated provider failures; the call was not attempted.", open)
                {
                    RetryAfter = open.RetryAfter,
                };
            }
            if (_callerToken.IsCancellationRequested)
            {
                return new LlmException(LlmFailure.Cancelled, "The caller cancelled the call (the client went away).", exception);
            }
            if (_overallExpired)
            {
                return new LlmException(LlmFailure.Timeout,
                    $"No complete answer within {_budget.TotalSeconds:0.###} s (GROK_TIMEOUT).", exception);
            }
            if (attempt is { FirstTokenExpired: true })
            {
                return new LlmException(LlmFailure.Timeout,
                    $"No first token within {Owner.FirstTokenTimeout.TotalSeconds:0.###} s (GROK_FIRST_TOKEN_TIMEOUT).", exception)
                {
                    IsTransient = true,
                };
            }
            if (exception is OperationCanceledException)
            {
                // Nobody of ours cancelled: the transport gave up on a silent connection.
                return new LlmException(LlmFailure.Timeout, "The connection to the provider timed out.", exception) { IsTransient = true };
            }
            return ProviderFailure.Translate(exception, Owner._apiKey, Owner._time);
        }

        /// <summary>The final exception for the caller, logged once with kind, status, attempts and elapsed time.</summary>
        public LlmException Fail(Exception exception, bool answerStarted)
        {
            var failure = Classify(exception, attempt: null) ?? new LlmException(LlmFailure.ProviderUnavailable,
                $"Unexpected {exception.GetType().Name} calling the provider.", exception);
            failure.Attempts = _attempts;
            failure.Elapsed = Elapsed;
            failure.AnswerStarted |= answerStarted || (exception as LlmException)?.AnswerStarted == true;

            var level = failure.Kind switch
            {
                LlmFailure.Cancelled => LogLevel.Information,
                LlmFailure.InvalidApiKey or LlmFailure.BadResponse or LlmFailure.RequestRejected => LogLevel.Error,
                _ => LogLevel.Warning,
            };
            Owner._logger.Log(level,
                "Language model call failed ({LlmProvider}): {LlmFailure} (HTTP {StatusCode}) after {Attempts} attempt(s) in {ElapsedMs} ms; answer started: {AnswerStarted}. {Detail}",
                Owner._providerName, failure.Kind, failure.StatusCode, failure.Attempts, (long)failure.Elapsed.TotalMilliseconds, failure.AnswerStarted,
                failure.Message);
            return failure;
        }

        public void Succeeded(UsageDetails? usage) =>
            Owner._logger.LogDebug(
                "Language model call ({LlmProvider}) succeeded after {Attempts} attempt(s) in {ElapsedMs} ms ({InputTokens} tokens in, {OutputTokens} out)",
                Owner._providerName, _attempts, (long)Elapsed.TotalMilliseconds, usage?.InputTokenCount, usage?.OutputTokenCount);

        private void ExpireOverall()
        {
            _overallExpired = true;
            try
            {
                _overall.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // The call ended as the timer fired.
            }
        }

        public void Dispose()
        {
            _overallTimer.Dispose();
            _overall.Dispose();
        }
    }

    /// <summary>One attempt: its own token (linked to the call's) and, when streaming, the first-token clock.</summary>
    private sealed class Attempt : IDisposable
    {
        private const int Waiting = 0;
        private const int Arrived = 1;
        private const int Expired = 2;

        private readonly CancellationTokenSource _cancellation;
        private readonly ITimer? _firstTokenTimer;
        private int _firstToken = Waiting;

        public Attempt(TimeSpan? firstTokenTimeout, TimeProvider time, CancellationToken callToken)
        {
            _cancellation = CancellationTokenSource.CreateLinkedTokenSource(callToken);
            if (firstTokenTimeout is { } timeout)
            {
                _firstTokenTimer = time.CreateTimer(static state => ((Attempt)state!).ExpireFirstToken(), this, timeout,
                    System.Threading.Timeout.InfiniteTimeSpan);
            }
        }

        public CancellationToken Token => _cancellation.Token;

        public bool FirstTokenExpired => Volatile.Read(ref _firstToken) == Expired;

        /// <summary>Stops the first-token clock; false when it had already fired (the attempt is cancelled).</summary>
        public bool FirstTokenArrived()
        {
            var previous = Interlocked.CompareExchange(ref _firstToken, Arrived, Waiting);
            _firstTokenTimer?.Dispose();
            return previous != Expired;
        }

        private void ExpireFirstToken()
        {
            if (Interlocked.CompareExchange(ref _firstToken, Expired, Waiting) != Waiting)
            {
                return;
            }
            try
            {
                _cancellation.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // The attempt ended as the timer fired.
            }
        }

        public void Dispose()
        {
            _firstTokenTimer?.Dispose();
            _cancellation.Dispose();
        }
    }
}
