using System.Net;
using Compliance.Bot.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Timeout;

namespace Compliance.Bot.Api;

/// <summary>
/// The bot's HTTP client of the Compliance API, from <c>IHttpClientFactory</c> with a resilience pipeline from
/// Microsoft.Extensions.Http.Resilience: one circuit breaker shared by all calls (outermost, so it counts a call once,
/// after its retries: a dead API opens it after as many failed calls as configured, not a third of them), retries,
/// and a timeout per attempt. Only what is safe is retried:
/// <list type="bullet">
/// <item>GET, PUT and DELETE (reads, the settings write, erasure and reset are idempotent) after a 5xx, a timeout
/// or a network error;</item>
/// <item>any method, POST included, when the connection could not be made at all (refused, no DNS answer): the API
/// never saw the request;</item>
/// <item>never a POST that may have reached the API: a question that timed out or failed with a 5xx could already
/// be answered and logged, and asking again would log it twice (ratings likewise).</item>
/// </list>
/// 429 is not retried either: the user is told when to ask again.
/// </summary>
public static class ComplianceApiResilience
{
    /// <summary>Name of the client (and of its resilience pipeline).</summary>
    public const string ClientName = "compliance-api";

    /// <summary>Per-request attempt timeout, set by <see cref="ComplianceApiClient"/> on <see cref="HttpRequestMessage.Options"/>.</summary>
    public static readonly HttpRequestOptionsKey<TimeSpan> AttemptTimeout = new("compliance.attempt-timeout");

    /// <summary>
    /// Registers <see cref="ComplianceApiClient"/>: base URL, <c>Authorization: Bearer</c> service token, the
    /// resilience pipeline, and no HttpClient-level timeout (each call sets its own). A keyed
    /// <see cref="HttpMessageHandler"/> under <see cref="ComplianceApiClient.TransportServiceKey"/> replaces the socket
    /// transport (tests run the real API in-process); the pipeline and token stay in front of it.
    /// </summary>
    public static IServiceCollection AddComplianceApiClient(this IServiceCollection services)
    {
        services.AddHttpClient(ClientName, (provider, http) =>
            {
                var options = provider.GetRequiredService<IOptions<BotOptions>>().Value;
                var baseUri = options.ApiBaseUri;
                http.BaseAddress = baseUri.AbsoluteUri.EndsWith('/') ? baseUri : new Uri(baseUri.AbsoluteUri + "/");
                http.Timeout = Timeout.InfiniteTimeSpan;
                http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", options.ServiceToken);
                http.DefaultRequestHeaders.UserAgent.Add(new System.Net.Http.Headers.ProductInfoHeaderValue("compliance-bot", "1.0"));
            })
            .ConfigurePrimaryHttpMessageHandler(provider =>
                provider.GetKeyedService<HttpMessageHandler>(ComplianceApiClient.TransportServiceKey)
                ?? new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
            // One handler for the process: the socket handler renews its connections itself (DNS changes), and a
            // test's in-process transport must not be disposed by the factory's rotation.
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan)
            .AddResilienceHandler(ClientName, (pipeline, context) =>
                Configure(pipeline, context.ServiceProvider.GetRequiredService<BotSettings>()));

        services.AddSingleton(provider => new ComplianceApiClient(
            provider.GetRequiredService<IHttpClientFactory>().CreateClient(ClientName),
            provider.GetRequiredService<BotSettings>(),
            provider.GetRequiredService<Microsoft.Extensions.Logging.ILogger<ComplianceApiClient>>()));
        return services;
    }

    private static void Configure(ResiliencePipelineBuilder<HttpResponseMessage> pipeline, BotSettings settings)
    {
        pipeline.AddCircuitBreaker(new HttpCircuitBreakerStrategyOptions
        {
            ShouldHandle = args => ValueTask.FromResult(IsFailure(args.Outcome)),
            FailureRatio = 0.5,
            MinimumThroughput = settings.CircuitMinimumThroughput,
            SamplingDuration = settings.CircuitSamplingDuration,
            BreakDuration = settings.CircuitBreakDuration,
        });
        if (settings.IdempotentRetries > 0)
        {
            pipeline.AddRetry(new HttpRetryStrategyOptions
            {
                ShouldHandle = args => ValueTask.FromResult(IsSafeToRetry(args.Context.GetRequestMessage(), args.Outcome)),
                MaxRetryAttempts = settings.IdempotentRetries,
                Delay = settings.RetryDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                // A 503 during an outage says "Retry-After: 30": longer than a Discord user waits for a reply.
                ShouldRetryAfterHeader = false,
            });
        }
        pipeline.AddTimeout(new HttpTimeoutStrategyOptions
        {
            TimeoutGenerator = args => ValueTask.FromResult(
                args.Context.GetRequestMessage()?.Options.TryGetValue(AttemptTimeout, out var timeout) == true ? timeout : settings.ApiRequestTimeout),
        });
    }

    /// <summary>The retry rule described on the class.</summary>
    internal static bool IsSafeToRetry(HttpRequestMessage? request, Outcome<HttpResponseMessage> outcome)
    {
        if (outcome.Exception is HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError })
        {
            return true;
        }
        var idempotent = request is not null &&
            (request.Method == HttpMethod.Get || request.Method == HttpMethod.Put || request.Method == HttpMethod.Delete);
        return idempotent && IsFailure(outcome) && outcome.Result?.StatusCode != HttpStatusCode.TooManyRequests;
    }

    /// <summary>What counts against the circuit: network errors, attempt timeouts and 5xx answers.</summary>
    private static bool IsFailure(Outcome<HttpResponseMessage> outcome) =>
        outcome.Exception is HttpRequestException or TimeoutRejectedException ||
        outcome.Result is { StatusCode: >= HttpStatusCode.InternalServerError };
}
