using Compliance.Api.Answers.Llm;
using Compliance.Testing.FakeOpenAi;

namespace Compliance.Api.Tests.Llm;

/// <summary>Garbled chunks, cut connections and refusals: each a specific failure, never a silent empty answer.</summary>
public sealed class StreamFaultTests
{
    [Fact]
    public async Task Malformed_chunk_after_text_is_a_bad_response_after_the_partial_answer()
    {
        await using var bed = await LlmTestBed.StartAsync();
        bed.Fake.Enqueue(FakeReply.Answer("Declare every gift") with { MalformedChunkAfterDeltas = 2 }, FakeReply.Answer("not reached"));

        var answer = await bed.StreamAsync("Q?");

        Assert.Equal("Declare every ", answer.Text);
        var failure = Assert.IsType<LlmException>(answer.Failure);
        Assert.Equal(LlmFailure.BadResponse, failure.Kind);
        Assert.True(failure.AnswerStarted);
        Assert.Single(bed.Fake.Requests);
        Assert.Equal("The answer service sent a reply we could not read; please try again.", failure.UserMessage);
    }

    [Fact]
    public async Task Malformed_first_chunk_is_a_bad_response_and_is_not_retried()
    {
        await using var bed = await LlmTestBed.StartAsync();
        bed.Fake.Enqueue(FakeReply.Answer("text") with { MalformedChunkAfterDeltas = 0 }, FakeReply.Answer("not reached"));

        var answer = await bed.StreamAsync("Q?");

        Assert.Equal(LlmFailure.BadResponse, answer.Failure?.Kind);
        Assert.False(answer.Failure?.AnswerStarted);
        Assert.Empty(answer.Text);
        Assert.Single(bed.Fake.Requests);
    }

    [Fact]
    public async Task Malformed_whole_response_is_a_bad_response()
    {
        await using var bed = await LlmTestBed.StartAsync();
        bed.Fake.Enqueue(FakeReply.Answer("text") with { MalformedChunkAfterDeltas = 0 });

        var failure = await Assert.ThrowsAsync<LlmException>(() =>
            bed.Client.GetResponseAsync(LlmTestBed.Question("Q?"), cancellationToken: TestContext.Current.CancellationToken));

        Assert.Equal(LlmFailure.BadResponse, failure.Kind);
        Assert.Single(bed.Fake.Requests);
    }

    [Fact]
    public async Task Connection_closed_after_text_started_is_reported_after_the_partial_answer_without_retry()
    {
        await using var bed = await LlmTestBed.StartAsync();
        bed.Fake.Enqueue(FakeReply.Answer("The retention period is ten years") with { CloseAfterDeltas = 3 }, FakeReply.Answer("not reached"));

        var answer = await bed.StreamAsync("Q?");

        Assert.Equal("The retention period ", answer.Text);
        var failure = Assert.IsType<LlmException>(answer.Failure);
        Assert.Equal(LlmFailure.ProviderUnavailable, failure.Kind);
        Assert.True(failure.AnswerStarted);
        Assert.Single(bed.Fake.Requests);
    }

    [Fact]
    public async Task Stream_that_stops_without_finishing_is_a_bad_response_not_a_short_answer()
    {
        await using var bed = await LlmTestBed.StartAsync();
        bed.Fake.Enqueue(FakeReply.Answer("Approval is needed from two") with { EndAfterDeltas = 3 }, FakeReply.Answer("not reached"));

        var answer = await bed.StreamAsync("Q?");

        Assert.Equal("Approval is needed ", answer.Text);
        var failure = Assert.IsType<LlmException>(answer.Failure);
        Assert.Equal(LlmFailure.BadResponse, failure.Kind);
        Assert.True(failure.AnswerStarted);
        Assert.Contains("ended before", failure.Message, StringComparison.Ordinal);
        Assert.Single(bed.Fake.Requests);
    }

    [Fact]
    public async Task Content_filter_while_streaming_is_a_refusal_after_the_text_so_far()
    {
        await using var bed = await LlmTestBed.StartAsync();
        bed.Fake.Enqueue(FakeReply.ContentFiltered("I can describe"), FakeReply.Answer("not reached"));

        var answer = await bed.StreamAsync("Q?");

        Assert.Equal("I can describe", answer.Text);
        var failure = Assert.IsType<LlmException>(answer.Failure);
        Assert.Equal(LlmFailure.ContentRefused, failure.Kind);
        Assert.True(failure.AnswerStarted);
        Assert.Single(bed.Fake.Requests);
        Assert.Equal("The answer service declined to answer this question; please rephrase it or ask the compliance team.", failure.UserMessage);
    }

    [Fact]
    public async Task Content_filter_on_a_whole_answer_is_a_refusal()
    {
        await using var bed = await LlmTestBed.StartAsync();
        bed.Fake.Enqueue(FakeReply.ContentFiltered());

        var failure = await Assert.ThrowsAsync<LlmException>(() =>
            bed.Client.GetResponseAsync(LlmTestBed.Question("Q?"), cancellationToken: TestContext.Current.CancellationToken));

        Assert.Equal(LlmFailure.ContentRefused, failure.Kind);
        Assert.Single(bed.Fake.Requests);
    }

    [Fact]
    public async Task Explicit_refusal_is_a_refusal_streamed_or_whole()
    {
        await using var bed = await LlmTestBed.StartAsync();
        var refusal = new FakeReply { Refusal = "I'm sorry, I can't help with that." };
        bed.Fake.Enqueue(refusal, refusal);

        var streamed = await bed.StreamAsync("Q?");
        var whole = await Assert.ThrowsAsync<LlmException>(() =>
            bed.Client.GetResponseAsync(LlmTestBed.Question("Q?"), cancellationToken: TestContext.Current.CancellationToken));

        Assert.Equal(LlmFailure.ContentRefused, streamed.Failure?.Kind);
        Assert.Equal(LlmFailure.ContentRefused, whole.Kind);
        Assert.Equal(2, bed.Fake.Requests.Count);
    }
}
