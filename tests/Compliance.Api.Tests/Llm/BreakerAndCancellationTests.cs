using Compliance.Api.Answers.Llm;
using Compliance.Testing.FakeOpenAi;

namespace Compliance.Api.Tests.Llm;

/// <summary>The breaker spares a failing provider (and the user's wait); a user who leaves stops the model call.</summary>
public sealed class BreakerAndCancellationTests
{
    [Fact]
    public async Task Breaker_opens_after_failures_in_a_row_fails_fast_and_lets_a_trial_through_after_the_break()
    {
        await using var bed = await LlmTestBed.StartAsync(o => (o.MaxRetries, o.BreakerFailureThreshold, o.BreakerBreakSeconds) = (0, 3, 30));
        bed.Fake.Enqueue(FakeReply.Status(500), FakeReply.Status(502), FakeReply.Status(503), FakeReply.Answer("Back again."));

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(LlmFailure.ProviderUnavailable, (await bed.StreamAsync("Q?")).Failure?.Kind);
        }
        Assert.True(bed.Client.IsCircuitOpen);

        var rejected = await bed.StreamAsync("Q?");

        var failure = Assert.IsType<LlmException>(rejected.Failure);
        Assert.Equal(LlmFailure.ProviderUnavailable, failure.Kind);
        Assert.Equal(0, failure.Attempts);
        Assert.Contains("circuit breaker is open", failure.Message, StringComparison.Ordinal);
        Assert.NotNull(failure.RetryAfter);
        Assert.Equal(3, bed.Fake.Requests.Count); // the provider was not contacted

        bed.Clock.Advance(TimeSpan.FromSeconds(31));
        var trial = await bed.StreamAsync("Q?");

        Assert.Null(trial.Failure);
        Assert.Equal("Back again.", trial.Text);
        Assert.False(bed.Client.IsCircuitOpen);
        Assert.Equal(4, bed.Fake.Requests.Count);
    }

    [Fact]
    public async Task A_success_between_failures_keeps_the_breaker_closed()
    {
        await using var bed = await LlmTestBed.StartAsync(o => (o.MaxRetries, o.BreakerFailureThreshold) = (0, 3));
        bed.Fake.Enqueue(FakeReply.Status(500), FakeReply.Status(500), FakeReply.Answer("ok"), FakeReply.Status(500), FakeReply.Answer("ok"));

        for (var i = 0; i < 5; i++)
        {
            await bed.StreamAsync("Q?");
        }

        Assert.False(bed.Client.IsCircuitOpen);
        Assert.Equal(5, bed.Fake.Requests.Count);
    }

    [Fact]
    public async Task Bad_keys_and_refusals_do_not_open_the_breaker()
    {
        await using var bed = await LlmTestBed.StartAsync(o => (o.MaxRetries, o.BreakerFailureThreshold) = (0, 2));
        bed.Fake.Enqueue(FakeReply.Status(401), FakeReply.ContentFiltered(), FakeReply.Status(400), FakeReply.Answer("fine"));

        for (var i = 0; i < 3; i++)
        {
            Assert.NotNull((await bed.StreamAsync("Q?")).Failure);
        }

        Assert.False(bed.Client.IsCircuitOpen);
        Assert.Equal("fine", (await bed.StreamAsync("Q?")).Text);
    }

    [Fact]
    public async Task Caller_leaving_mid_answer_cancels_the_provider_request_at_once()
    {
        await using var bed = await LlmTestBed.StartAsync(o => o.TimeoutSeconds = 60);
        bed.Fake.Enqueue(FakeReply.Answer("Partial answer then silence") with { StallAfterDeltas = 1 }, FakeReply.Answer("not reached"));
        using var userLeaves = new CancellationTokenSource();

        var updates = new List<string>();
        var failure = await Assert.ThrowsAsync<LlmException>(async () =>
        {
            await foreach (var update in bed.Client.GetStreamingResponseAsync(LlmTestBed.Question("Q?"), cancellationToken: userLeaves.Token))
            {
                updates.Add(update.Text);
                if (update.Text.Length > 0)
                {
                    await userLeaves.CancelAsync();
                }
            }
        });

        Assert.Equal(LlmFailure.Cancelled, failure.Kind);
        Assert.True(failure.AnswerStarted);
        Assert.Equal("Partial ", string.Concat(updates));
        // The provider sees the connection drop; without cancellation it would wait out the 60 s budget.
        await bed.Fake.Requests[0].Disconnected.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        Assert.Single(bed.Fake.Requests);
        Assert.Equal("Information", Assert.Single(bed.FailureLogs).Level.ToString());
    }

    [Fact]
    public async Task Caller_leaving_before_the_first_word_cancels_without_retry()
    {
        await using var bed = await LlmTestBed.StartAsync(o => (o.TimeoutSeconds, o.FirstTokenTimeoutSeconds) = (60, 30));
        bed.Fake.Enqueue(FakeReply.Answer("never") with { DelayBeforeFirstToken = FakeReply.Forever }, FakeReply.Answer("not reached"));
        using var userLeaves = new CancellationTokenSource();

        var call = bed.Client.GetResponseAsync(LlmTestBed.Question("Q?"), cancellationToken: userLeaves.Token);
        await bed.Fake.WaitForRequestsAsync(1, TestContext.Current.CancellationToken);
        await userLeaves.CancelAsync();

        var failure = await Assert.ThrowsAsync<LlmException>(() => call);
        Assert.Equal(LlmFailure.Cancelled, failure.Kind);
        await bed.Fake.Requests[0].Disconnected.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        Assert.Single(bed.Fake.Requests);
    }
}
