using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Compliance.Api.Answers.Llm;
using Compliance.Testing.FakeOpenAi;

namespace Compliance.Api.Tests.Llm;

/// <summary>
/// Retries happen only for rate limits, server and network errors and first-token stalls, only before the user saw
/// any text, and only within the budget. Spacing is read from the fake's arrival times (lower bounds only).
/// </summary>
public sealed class RetryTests
{
    [Fact]
    public async Task Rate_limit_with_retry_after_seconds_waits_that_long_then_answers()
    {
        await using var bed = await LlmTestBed.StartAsync();
        bed.Fake.Enqueue(FakeReply.RateLimited(retryAfter: "1"), FakeReply.Answer("Two approvals are needed [2]."));

        var answer = await bed.StreamAsync("How many approvals?");

        Assert.Null(answer.Failure);
        Assert.Equal("Two approvals are needed [2].", answer.Text);
        var requests = bed.Fake.Requests;
        Assert.Equal(2, requests.Count);
        // The back-off alone would be ~20 ms: a gap of a second shows Retry-After was honoured.
        Assert.True(requests[1].SinceArrivalOf(requests[0]) >= TimeSpan.FromSeconds(0.95),
            $"retried after {requests[1].SinceArrivalOf(requests[0]).TotalMilliseconds} ms, before Retry-After: 1");
    }

    [Fact]
    public async Task Rate_limit_with_retry_after_as_http_date_is_honoured()
    {
        await using var bed = await LlmTestBed.StartAsync(o => (o.RetryMaxDelaySeconds, o.TimeoutSeconds) = (5, 10));
        var until = DateTimeOffset.UtcNow.AddSeconds(3).ToString("r", CultureInfo.InvariantCulture);
        bed.Fake.Enqueue(FakeReply.RateLimited(until), FakeReply.Answer("Answer after the pause."));

        var response = await bed.Client.GetResponseAsync(LlmTestBed.Question("Q?"), cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal("Answer after the pause.", response.Text);
        var requests = bed.Fake.Requests;
        Assert.Equal(2, requests.Count);
        // The date has one-second resolution, so the wait is between 2 and 3 seconds.
        Assert.True(requests[1].SinceArrivalOf(requests[0]) >= TimeSpan.FromSeconds(1.5),
            $"retried after {requests[1].SinceArrivalOf(requests[0]).TotalMilliseconds} ms, before the Retry-After date");
    }

    [Fact]
    public async Task Retry_after_longer_than_the_cap_ends_the_call_as_rate_limited_at_once()
    {
        await using var bed = await LlmTestBed.StartAsync();
        bed.Fake.Enqueue(FakeReply.RateLimited(retryAfter: "120"), FakeReply.Answer("never sent"));

        var answer = await bed.StreamAsync("Q?");

        var failure = Assert.IsType<LlmException>(answer.Failure);
        Assert.Equal(LlmFailure.RateLimited, failure.Kind);
        Assert.Equal(429, failure.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(120), failure.RetryAfter);
        Assert.Equal("The answer service is busy right now; please try again in a minute.", failure.UserMessage);
        Assert.Single(bed.Fake.Requests);
    }

    [Fact]
    public async Task Rate_limit_that_persists_is_reported_after_all_attempts()
    {
        await using var bed = await LlmTestBed.StartAsync();
        bed.Fake.RespondWith(_ => FakeReply.RateLimited(retryAfter: "0"));

        var answer = await bed.StreamAsync("Q?");

        Assert.Equal(LlmFailure.RateLimited, answer.Failure?.Kind);
        Assert.Equal(3, answer.Failure?.Attempts);
        Assert.Equal(3, bed.Fake.Requests.Count);
    }

    [Fact]
    public async Task Two_server_errors_then_success_gives_the_answer()
    {
        await using var bed = await LlmTestBed.StartAsync();
        bed.Fake.Enqueue(FakeReply.Status(500), FakeReply.Status(503), FakeReply.Answer("Recovered answer."));

        var answer = await bed.StreamAsync("Q?");

        Assert.Null(answer.Failure);
        Assert.Equal("Recovered answer.", answer.Text);
        Assert.Equal([500, 503, 200], bed.Fake.Requests.Select(r => r.ResponseStatus ?? 0));
        Assert.Empty(bed.FailureLogs);
    }

    [Fact]
    public async Task Server_errors_without_end_give_provider_unavailable_after_every_attempt_logged_once()
    {
        await using var bed = await LlmTestBed.StartAsync();
        bed.Fake.RespondWith(_ => FakeReply.Status(500));

        var failure = await Assert.ThrowsAsync<LlmException>(() =>
            bed.Client.GetResponseAsync(LlmTestBed.Question("Q?"), cancellationToken: TestContext.Current.CancellationToken));

        Assert.Equal(LlmFailure.ProviderUnavailable, failure.Kind);
        Assert.Equal(500, failure.StatusCode);
        Assert.Equal(3, failure.Attempts);
        Assert.Equal(3, bed.Fake.Requests.Count);
        Assert.Equal("The answer service is unavailable right now; please try again in a few minutes.", failure.UserMessage);
        var log = Assert.Single(bed.FailureLogs);
        Assert.Equal("ProviderUnavailable", log.Properties["LlmFailure"]?.ToString());
        Assert.Equal(500, log.Properties["StatusCode"]);
        Assert.Equal(3, log.Properties["Attempts"]);
        Assert.True(log.Properties.ContainsKey("ElapsedMs"));
    }

    [Fact]
    public async Task Wrong_api_key_is_reported_at_once_without_retry_and_without_the_key()
    {
        const string wrongKey = "xai-wrongKey0123456789abcdefWRONG";
        await using var bed = await LlmTestBed.StartAsync(o => o.ApiKey = wrongKey);

        var answer = await bed.StreamAsync("Q?");

        var failure = Assert.IsType<LlmException>(answer.Failure);
        Assert.Equal(LlmFailure.InvalidApiKey, failure.Kind);
        Assert.Equal(401, failure.StatusCode);
        Assert.Equal(1, failure.Attempts);
        Assert.Single(bed.Fake.Requests);
        Assert.Contains("invalid_api_key", failure.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(wrongKey, failure.Message, StringComparison.Ordinal);
        Assert.All(bed.Logs.Entries, e => Assert.DoesNotContain(wrongKey, e.Message + e.Exception, StringComparison.Ordinal));
        Assert.Equal("The answer service is not set up correctly right now; please let the compliance team know.", failure.UserMessage);
    }

    [Fact]
    public async Task A_rejected_request_is_not_retried()
    {
        await using var bed = await LlmTestBed.StartAsync();
        bed.Fake.Enqueue(FakeReply.Status(400) with { ErrorMessage = "This model's maximum context length is 256000 tokens." });

        var answer = await bed.StreamAsync("Q?");

        Assert.Equal(LlmFailure.RequestRejected, answer.Failure?.Kind);
        Assert.Equal(400, answer.Failure?.StatusCode);
        Assert.Contains("maximum context length", answer.Failure?.Message, StringComparison.Ordinal);
        Assert.Single(bed.Fake.Requests);
    }

    [Fact]
    public async Task Connection_closed_before_the_first_word_is_retried()
    {
        await using var bed = await LlmTestBed.StartAsync();
        bed.Fake.Enqueue(FakeReply.Answer("lost") with { CloseAfterDeltas = 0 }, FakeReply.Answer("Second try worked."));

        var answer = await bed.StreamAsync("Q?");

        Assert.Null(answer.Failure);
        Assert.Equal("Second try worked.", answer.Text);
        Assert.Equal(2, bed.Fake.Requests.Count);
    }

    [Fact]
    public async Task Provider_that_is_not_listening_gives_provider_unavailable_after_retries()
    {
        // A port held (bound, not listening) for the whole test: refused, and no other test's server can take it.
        using var closedPort = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        closedPort.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var port = ((IPEndPoint)closedPort.LocalEndPoint!).Port;
        await using var bed = await LlmTestBed.StartAsync(o => o.BaseUrl = $"http://127.0.0.1:{port}/v1");

        var answer = await bed.StreamAsync("Q?");

        Assert.Equal(LlmFailure.ProviderUnavailable, answer.Failure?.Kind);
        Assert.Null(answer.Failure?.StatusCode);
        Assert.Equal(3, answer.Failure?.Attempts);
    }
}
