using Compliance.Bot.Api;
using Compliance.Bot.Configuration;
using Compliance.Bot.Tests.Infrastructure;
using Compliance.Contracts.Feedback;
using Compliance.Contracts.Questions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Compliance.Bot.Tests.Api;

/// <summary>
/// The API client retries only what is safe: reads after a server error, and any call that never reached the API;
/// never a question or a rating the API may already have taken.
/// </summary>
public sealed class ApiClientResilienceTests
{
    private const string User = "555000000000000001";

    [Fact]
    public async Task A_read_that_fails_with_503_is_retried_and_succeeds()
    {
        await using var api = await StubComplianceApi.StartAsync();
        await using var services = Services(api);
        api.FailNext(503);

        var history = await services.GetRequiredService<ComplianceApiClient>().GetHistoryAsync(User, 5, TestContext.Current.CancellationToken);

        Assert.True(history.Succeeded, history.Failure?.UserMessage);
        Assert.Equal(2, api.CountRequests("GET", "/api/v1/history/"));
    }

    [Fact]
    public async Task A_question_answered_with_500_is_asked_once()
    {
        await using var api = await StubComplianceApi.StartAsync();
        await using var services = Services(api);
        api.FailNext(500);

        var events = await AskAsync(services.GetRequiredService<ComplianceApiClient>());

        var failed = Assert.IsType<QueryFailedEvent>(Assert.Single(events));
        Assert.Equal(500, failed.Failure.StatusCode);
        Assert.Single(api.Questions);
    }

    [Fact]
    public async Task A_question_that_times_out_is_not_asked_again()
    {
        await using var api = await StubComplianceApi.StartAsync();
        await using var services = Services(api, settings => settings.QueryIdleTimeout = TimeSpan.FromMilliseconds(300));
        api.Enqueue(new StubAnswer { DelayBeforeHeaders = TimeSpan.FromSeconds(1) });

        var events = await AskAsync(services.GetRequiredService<ComplianceApiClient>());

        var failed = Assert.IsType<QueryFailedEvent>(Assert.Single(events));
        Assert.Equal(ApiFailureKind.Timeout, failed.Failure.Kind);
        // A retry would have arrived 20-40 ms after the attempt timed out; give it ample time to show up.
        await Task.Delay(TimeSpan.FromSeconds(1), TestContext.Current.CancellationToken);
        Assert.Single(api.Questions);
    }

    [Fact]
    public async Task A_rating_answered_with_503_is_sent_once()
    {
        await using var api = await StubComplianceApi.StartAsync();
        await using var services = Services(api);
        api.FailNext(503);

        var result = await services.GetRequiredService<ComplianceApiClient>().SendFeedbackAsync(
            new FeedbackRequest(Guid.NewGuid(), User, Rating: 5), TestContext.Current.CancellationToken);

        Assert.False(result.Succeeded);
        Assert.Equal(1, api.CountRequests("POST", "/api/v1/feedback"));
    }

    [Fact]
    public async Task A_rating_whose_connection_was_refused_is_sent_again_and_arrives_once()
    {
        await using var api = await StubComplianceApi.StartAsync();
        using var transport = new RefuseFirstConnection();
        await using var services = Services(api, transport: transport);

        var result = await services.GetRequiredService<ComplianceApiClient>().SendFeedbackAsync(
            new FeedbackRequest(Guid.NewGuid(), User, Rating: 5), TestContext.Current.CancellationToken);

        Assert.True(result.Succeeded, result.Failure?.UserMessage);
        Assert.Equal(2, transport.Attempts);
        Assert.Equal(1, api.CountRequests("POST", "/api/v1/feedback"));
    }

    [Fact]
    public async Task After_enough_failed_calls_the_circuit_opens_and_the_api_is_not_called()
    {
        await using var api = await StubComplianceApi.StartAsync();
        await using var services = Services(api, settings => settings.CircuitMinimumThroughput = 2);
        var client = services.GetRequiredService<ComplianceApiClient>();
        api.FailNext(503, 503, 503, 503, 503, 503);

        Assert.Equal(503, (await client.GetHistoryAsync(User, 5, TestContext.Current.CancellationToken)).Failure?.StatusCode);
        Assert.Equal(503, (await client.GetHistoryAsync(User, 5, TestContext.Current.CancellationToken)).Failure?.StatusCode);
        // Two calls of three attempts each reached the API; the third call does not.
        Assert.Equal(6, api.CountRequests("GET", "/api/v1/history/"));
        var third = await client.GetHistoryAsync(User, 5, TestContext.Current.CancellationToken);

        Assert.Equal(ApiFailure.CircuitOpen(), third.Failure);
        Assert.Equal(6, api.CountRequests("GET", "/api/v1/history/"));
    }

    private static ServiceProvider Services(StubComplianceApi api, Action<BotSettings>? configure = null, HttpMessageHandler? transport = null)
    {
        var settings = new BotSettings { RetryDelay = TimeSpan.FromMilliseconds(20), ApiRequestTimeout = TimeSpan.FromSeconds(5) };
        configure?.Invoke(settings);
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(Options.Create(new BotOptions { ApiUrl = api.BaseUrl.ToString(), ServiceToken = StubComplianceApi.ServiceToken }));
        services.AddSingleton(settings);
        if (transport is not null)
        {
            services.AddKeyedSingleton(ComplianceApiClient.TransportServiceKey, transport);
        }
        services.AddComplianceApiClient();
        return services.BuildServiceProvider();
    }

    private static async Task<List<QueryEvent>> AskAsync(ComplianceApiClient client)
    {
        var events = new List<QueryEvent>();
        await foreach (var item in client.AskAsync(new QueryRequest("Can I trade during the blackout window?", User), TestContext.Current.CancellationToken))
        {
            events.Add(item);
        }
        return events;
    }

    /// <summary>A socket transport whose first connection attempt is refused, as by a restarting API.</summary>
    private sealed class RefuseFirstConnection() : DelegatingHandler(new SocketsHttpHandler())
    {
        private int _attempts;

        public int Attempts => _attempts;

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Interlocked.Increment(ref _attempts) == 1
                ? throw new HttpRequestException(HttpRequestError.ConnectionError, "Connection refused (simulated).")
                : base.SendAsync(request, cancellationToken);
    }
}
