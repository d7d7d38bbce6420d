using Compliance.Api.Answers.Llm;
using Compliance.Testing.FakeOpenAi;
using Microsoft.Extensions.AI;

namespace Compliance.Api.Tests.Llm;

/// <summary>
/// The provider chain against two fake providers: the fallback answers only when the primary failed before its first
/// token, says so on every update, and is never asked once the primary's text reached the caller.
/// </summary>
public sealed class FallbackTests
{
    [Fact]
    public async Task Primary_server_errors_before_the_first_token_are_answered_by_the_fallback_with_its_own_model()
    {
        await using var bed = await LlmTestBed.StartAsync(withFallback: true);
        bed.Fake.RespondWith(_ => FakeReply.Status(500));
        bed.FallbackFake!.Enqueue(FakeReply.Answer("Gifts above 50 EUR are declared [1]."));

        var answer = await bed.StreamThroughChainAsync("Must I declare a gift?", new ChatOptions { ModelId = "grok-4-latest" });

        Assert.Null(answer.Failure);
        Assert.Equal("Gifts above 50 EUR are declared [1].", answer.Text);
        Assert.Equal(new AnsweringProvider(LlmProviderRoles.Fallback, "fallback", LlmFailure.ProviderUnavailable), answer.Provider);
        Assert.Equal(3, bed.Fake.Requests.Count); // the primary's own retries came first
        var asked = Assert.Single(bed.FallbackFake.Requests);
        Assert.Equal(LlmTestBed.FallbackModel, asked.Model);
        Assert.Equal($"Bearer {LlmTestBed.FallbackApiKey}", asked.Headers["Authorization"]);
        Assert.Equal(LlmTestBed.FallbackModel, answer.Updates.First(u => u.Text.Length > 0).ModelId);
        Assert.NotNull(answer.Usage); // usage of the answer that was given, for the cost record
    }

    [Fact]
    public async Task A_primary_that_refuses_the_key_is_answered_by_the_fallback()
    {
        await using var bed = await LlmTestBed.StartAsync(withFallback: true);
        bed.Fake.Enqueue(FakeReply.Status(401));
        bed.FallbackFake!.Enqueue(FakeReply.Answer("Fallback answer [1]."));

        var answer = await bed.StreamThroughChainAsync("Q?");

        Assert.Equal("Fallback answer [1].", answer.Text);
        Assert.Equal(LlmFailure.InvalidApiKey, answer.Provider?.PrimaryFailure);
        Assert.Single(bed.Fake.Requests);
        Assert.Single(bed.FallbackFake.Requests);
    }

    [Fact]
    public async Task A_primary_stalled_before_its_first_word_is_answered_by_the_fallback_within_the_budget()
    {
        await using var bed = await LlmTestBed.StartAsync(o => (o.MaxRetries, o.FirstTokenTimeoutSeconds, o.TimeoutSeconds) = (0, 0.5, 5),
            withFallback: true);
        bed.Fake.Enqueue(FakeReply.Answer("never") with { DelayBeforeFirstToken = FakeReply.Forever });
        bed.FallbackFake!.Enqueue(FakeReply.Answer("Prompt fallback answer."));

        var answer = await bed.StreamThroughChainAsync("Q?");

        Assert.Null(answer.Failure);
        Assert.Equal("Prompt fallback answer.", answer.Text);
        Assert.Equal(LlmFailure.Timeout, answer.Provider?.PrimaryFailure);
        // The stalled primary request was abandoned, not left hanging at the provider.
        await bed.Fake.Requests[0].Disconnected.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task An_open_breaker_sends_the_question_straight_to_the_fallback()
    {
        await using var bed = await LlmTestBed.StartAsync(o => (o.MaxRetries, o.BreakerFailureThreshold) = (0, 2), withFallback: true);
        bed.Fake.RespondWith(_ => FakeReply.Status(503));
        bed.FallbackFake!.RespondWith(_ => FakeReply.Answer("From the fallback."));

        await bed.StreamThroughChainAsync("Q1?");
        await bed.StreamThroughChainAsync("Q2?");
        Assert.True(bed.Client.IsCircuitOpen);
        var third = await bed.StreamThroughChainAsync("Q3?");

        Assert.Equal("From the fallback.", third.Text);
        Assert.Equal(2, bed.Fake.Requests.Count); // the open breaker spared the primary
        Assert.Equal(3, bed.FallbackFake.Requests.Count);
    }

    [Fact]
    public async Task A_primary_failing_after_its_first_token_is_not_replaced_by_the_fallback()
    {
        await using var bed = await LlmTestBed.StartAsync(withFallback: true);
        bed.Fake.Enqueue(FakeReply.Answer("The retention period is ten years") with { CloseAfterDeltas = 3 });
        bed.FallbackFake!.Enqueue(FakeReply.Answer("not reached"));

        var answer = await bed.StreamThroughChainAsync("Q?");

        Assert.Equal("The retention period ", answer.Text);
        var failure = Assert.IsType<LlmException>(answer.Failure);
        Assert.True(failure.AnswerStarted);
        Assert.Equal(LlmProviderRoles.Primary, answer.Provider?.Role);
        Assert.Empty(bed.FallbackFake.Requests);
    }

    [Fact]
    public async Task A_refusal_is_final_and_not_shopped_to_the_fallback()
    {
        await using var bed = await LlmTestBed.StartAsync(withFallback: true);
        bed.Fake.Enqueue(new FakeReply { Refusal = "I can't help with that." });

        var answer = await bed.StreamThroughChainAsync("Q?");

        Assert.Equal(LlmFailure.ContentRefused, answer.Failure?.Kind);
        Assert.Empty(bed.FallbackFake!.Requests);
    }

    [Fact]
    public async Task A_whole_answer_falls_back_too_and_says_so()
    {
        await using var bed = await LlmTestBed.StartAsync(o => o.MaxRetries = 0, withFallback: true);
        bed.Fake.Enqueue(FakeReply.Status(502));
        bed.FallbackFake!.Enqueue(FakeReply.Answer("Whole fallback answer."));

        var response = await bed.Chain.GetResponseAsync(LlmTestBed.Question("Q?"), cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal("Whole fallback answer.", response.Text);
        Assert.Equal(LlmTestBed.FallbackModel, response.ModelId);
        Assert.Equal(LlmProviderRoles.Fallback, AnsweringProvider.From(response.AdditionalProperties)?.Role);
    }

    [Fact]
    public async Task When_the_fallback_fails_too_its_failure_is_reported()
    {
        await using var bed = await LlmTestBed.StartAsync(o => o.MaxRetries = 0, withFallback: true);
        bed.Fake.Enqueue(FakeReply.Status(500));
        bed.FallbackFake!.Enqueue(FakeReply.Status(401));

        var answer = await bed.StreamThroughChainAsync("Q?");

        Assert.Equal(LlmFailure.InvalidApiKey, answer.Failure?.Kind);
        Assert.Empty(answer.Text);
        Assert.Single(bed.FallbackFake.Requests);
    }

    [Fact]
    public async Task Without_a_fallback_a_primary_failure_is_reported_as_before_and_answers_say_primary()
    {
        await using var bed = await LlmTestBed.StartAsync(o => o.MaxRetries = 0);
        bed.Fake.Enqueue(FakeReply.Status(500), FakeReply.Answer("Primary answer."));

        var failed = await bed.StreamThroughChainAsync("Q?");
        var answered = await bed.StreamThroughChainAsync("Q?");

        Assert.Equal(LlmFailure.ProviderUnavailable, failed.Failure?.Kind);
        Assert.Equal(500, failed.Failure?.StatusCode);
        Assert.Equal("Primary answer.", answered.Text);
        Assert.Equal(new AnsweringProvider(LlmProviderRoles.Primary, "xai"), answered.Provider);
        Assert.Null(bed.Chain.Fallback);
    }
}
