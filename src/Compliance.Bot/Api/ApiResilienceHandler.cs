using Compliance.Bot.Configuration;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace Compliance.Bot.Api;

/// <summary>
/// Polly around every API call (Microsoft.Extensions.Http.Resilience is not in the mirror): a per-attempt timeout,
/// one circuit breaker shared by all calls, and retries only for idempotent methods (GET, PUT, DELETE). A POST
/// (a question, a rating) is never retried: the API may already have done it.
/// </summary>
public sealed class ApiResilienceHandler : DelegatingHandler
{
    /// <summary>Per-request attempt timeout, set by <see cref="ComplianceApiClient"/> on <see cref="HttpRequestMessage.Options"/>.</summary>
    public static readonly HttpRequestOptionsKey<TimeSpan> AttemptTimeout = new("compliance.attempt-timeout");

    private static readonly ResiliencePropertyKey<TimeSpan> TimeoutProperty = new("compliance.attempt-timeout");

    private readonly ResiliencePipeline<HttpResponseMessage> _guarded;
    private readonly ResiliencePipeline<HttpResponseMessage> _retry;

    public ApiResilienceHandler(BotSettings settings, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var transient = new PredicateBuilder<HttpResponseMessage>()
            .Handle<HttpRequestException>()
            .Handle<TimeoutRejectedException>()
            .HandleResult(r => (int)r.StatusCode >= 500);

        _guarded = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = time ?? TimeProvider.System }
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions<HttpResponseMessage>
            {
                ShouldHandle = transient,
                FailureRatio = 0.5,
                MinimumThroughput = settings.CircuitMinimumThroughput,
                SamplingDuration = settings.CircuitSamplingDuration,
                BreakDuration = settings.CircuitBreakDuration,
            })
            .AddTimeout(new TimeoutStrategyOptions
            {
                TimeoutGenerator = args => ValueTask.FromResult(
                    args.Context.Properties.TryGetValue(TimeoutProperty, out var timeout) ? timeout : settings.ApiRequestTimeout),
            })
            .Build();

        _retry = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = time ?? TimeProvider.System }
            .AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                // An open circuit is not retried: that is the point of opening it.
                ShouldHandle = transient,
                MaxRetryAttempts = Math.Max(1, settings.IdempotentRetries),
                Delay = settings.RetryDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                OnRetry = args =>
                {
                    args.Outcome.Result?.Dispose();
                    return ValueTask.CompletedTask;
                },
            })
            .Build();
        RetriesEnabled = settings.IdempotentRetries > 0;
    }

    private bool RetriesEnabled { get; }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        try
        {
            if (request.Options.TryGetValue(AttemptTimeout, out var timeout))
            {
                context.Properties.Set(TimeoutProperty, timeout);
            }
            var idempotent = request.Method == HttpMethod.Get || request.Method == HttpMethod.Put || request.Method == HttpMethod.Delete;
            if (idempotent && RetriesEnabled)
            {
                return await _retry.ExecuteAsync(
                    static (ctx, state) => state.Self._guarded.ExecuteAsync(
                        static (innerCtx, s) => new ValueTask<HttpResponseMessage>(s.Self.SendOnceAsync(s.Request, innerCtx.CancellationToken)), ctx, state),
                    context, (Self: this, Request: request));
            }
            return await _guarded.ExecuteAsync(
                static (ctx, state) => new ValueTask<HttpResponseMessage>(state.Self.SendOnceAsync(state.Request, ctx.CancellationToken)),
                context, (Self: this, Request: request));
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    private Task<HttpResponseMessage> SendOnceAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        base.SendAsync(request, cancellationToken);
}
