using Compliance.Api.Answers.Llm;
using Compliance.Testing.FakeOpenAi;

namespace Compliance.Api.Tests.Llm;

/// <summary>
/// A stall before the first word is abandoned and retried while the budget allows; a stall after text started is
/// an error the user sees after the partial answer, never a retry.
/// </summary>
public sealed class TimeoutTests
{
    [Fact]
    public async Task Stall_before_the_first_word_is_abandoned_and_retried_within_budget()
    {
        await using var bed = await LlmTestBed.StartAsync(o => (o.FirstTokenTimeoutSeconds, o.TimeoutSeconds) = (0.5, 5));
        bed.Fake.Enqueue(FakeReply.Answer("never") with { DelayBeforeFirstToken = FakeReply.Forever }, FakeReply.Answer("Prompt answer."));

        var answer = await bed.StreamAsync("Q?");

        Assert.Null(answer.Failure);
        Assert.Equal("Prompt answer.", answer.Text);
        var requests = bed.Fake.Requests;
        Assert.Equal(2, requests.Count);
        // The stalled attempt's connection was dropped, not left hanging at the provider.
        await requests[0].Disconnected.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Stall_before_the_first_word_without_budget_for_another_attempt_is_a_timeout()
    {
        await using var bed = await LlmTestBed.StartAsync(o => (o.FirstTokenTimeoutSeconds, o.TimeoutSeconds) = (0.6, 1));
        bed.Fake.Enqueue(FakeReply.Answer("never") with { DelayBeforeFirstToken = FakeReply.Forever }, FakeReply.Answer("not reached"));

        var answer = await bed.StreamAsync("Q?");

        var failure = Assert.IsType<LlmException>(answer.Failure);
        Assert.Equal(LlmFailure.Timeout, failure.Kind);
        Assert.Contains("first token", failure.Message, StringComparison.Ordinal);
        Assert.False(failure.AnswerStarted);
        Assert.Single(bed.Fake.Requests);
        Assert.Equal("The answer took too long to arrive; please try again in a moment.", failure.UserMessage);
    }

    [Fact]
    public async Task Stall_after_text_started_surfaces_a_timeout_after_the_partial_answer_without_retry()
    {
        await using var bed = await LlmTestBed.StartAsync(o => (o.FirstTokenTimeoutSeconds, o.TimeoutSeconds) = (1, 1.5));
        bed.Fake.Enqueue(FakeReply.Answer("Staff must declare gifts") with { StallAfterDeltas = 2 }, FakeReply.Answer("not reached"));

        var answer = await bed.StreamAsync("Q?");

        Assert.Equal("Staff must ", answer.Text);
        var failure = Assert.IsType<LlmException>(answer.Failure);
        Assert.Equal(LlmFailure.Timeout, failure.Kind);
        Assert.True(failure.AnswerStarted);
        Assert.Equal(1, failure.Attempts);
        Assert.Single(bed.Fake.Requests);
        await bed.Fake.Requests[0].Disconnected.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Whole_answer_that_never_comes_is_a_timeout_within_the_overall_budget()
    {
        await using var bed = await LlmTestBed.StartAsync(o => (o.FirstTokenTimeoutSeconds, o.TimeoutSeconds) = (0.5, 1));
        bed.Fake.Enqueue(FakeReply.Answer("never") with { DelayBeforeFirstToken = FakeReply.Forever });

        var failure = await Assert.ThrowsAsync<LlmException>(() =>
            bed.Client.GetResponseAsync(LlmTestBed.Question("Q?"), cancellationToken: TestContext.Current.CancellationToken));

        Assert.Equal(LlmFailure.Timeout, failure.Kind);
        Assert.Contains("GROK_TIMEOUT", failure.Message, StringComparison.Ordinal);
        Assert.Single(bed.Fake.Requests);
    }

    [Fact]
    public async Task Slow_but_steady_answer_longer_than_the_first_token_timeout_completes()
    {
        // The first-token clock stops at the first word: a long answer may take longer than it in total.
        await using var bed = await LlmTestBed.StartAsync(o => (o.FirstTokenTimeoutSeconds, o.TimeoutSeconds) = (0.4, 5));
        bed.Fake.Enqueue(FakeReply.Answer("one two three four five six") with { DelayBetweenDeltas = TimeSpan.FromMilliseconds(150) });

        var answer = await bed.StreamAsync("Q?");

        Assert.Null(answer.Failure);
        Assert.Equal("one two three four five six", answer.Text);
        Assert.Single(bed.Fake.Requests);
    }
}
