using Compliance.Api.Answers.Llm;
using Compliance.Testing.FakeOpenAi;
using Microsoft.Extensions.AI;

namespace Compliance.Api.Tests.Llm;

/// <summary>Answers through the real OpenAI SDK, streamed and whole, with the settings and usage mapped both ways.</summary>
public sealed class AnswerTests
{
    private const string Answer = "Gifts above 50 EUR must be declared to the compliance team within five days [1].";

    [Fact]
    public async Task Streamed_answer_arrives_word_by_word_and_ends_with_token_usage()
    {
        await using var bed = await LlmTestBed.StartAsync();
        bed.Fake.Enqueue(FakeReply.Answer(Answer) with { ReasoningTokens = 40 });

        var answer = await bed.StreamAsync("Must I declare a 60 EUR gift?");

        Assert.Null(answer.Failure);
        Assert.Equal(Answer, answer.Text);
        Assert.True(answer.Updates.Count(u => u.Text.Length > 0) > 5, "the answer should arrive in many deltas, not at once");
        Assert.Equal(ChatFinishReason.Stop, answer.FinishReason);
        var request = Assert.Single(bed.Fake.Requests);
        Assert.True(request.Stream);
        Assert.True(request.IncludeUsage, "the client must ask for the usage chunk");
        Assert.NotNull(answer.Usage);
        Assert.Equal(request.Messages.Sum(m => FakeOpenAiServer.CountTokens(m.Content)), answer.Usage.InputTokenCount);
        Assert.Equal(FakeOpenAiServer.CountTokens(Answer), answer.Usage.OutputTokenCount);
        Assert.Equal(40, answer.Usage.ReasoningTokenCount);
        Assert.Equal("grok-4-latest", answer.Updates.First(u => u.Text.Length > 0).ModelId);
    }

    [Fact]
    public async Task Whole_answer_carries_text_finish_reason_model_and_usage()
    {
        await using var bed = await LlmTestBed.StartAsync();
        bed.Fake.Enqueue(FakeReply.Answer(Answer) with { PromptTokens = 812, CompletionTokens = 17, ReasoningTokens = 5 });

        var response = await bed.Client.GetResponseAsync(LlmTestBed.Question("Must I declare a 60 EUR gift?"),
            cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(Answer, response.Text);
        Assert.Equal(ChatRole.Assistant, response.Messages.Single().Role);
        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
        Assert.Equal("grok-4-latest", response.ModelId);
        Assert.Equal("chatcmpl-fake-1", response.ResponseId);
        Assert.NotNull(response.Usage);
        Assert.Equal(812, response.Usage.InputTokenCount);
        Assert.Equal(17, response.Usage.OutputTokenCount);
        Assert.Equal(834, response.Usage.TotalTokenCount);
        Assert.Equal(5, response.Usage.ReasoningTokenCount);
        Assert.False(Assert.Single(bed.Fake.Requests).Stream);
    }

    [Fact]
    public async Task Roles_text_model_temperature_and_token_limit_reach_the_provider()
    {
        await using var bed = await LlmTestBed.StartAsync(o => o.Temperature = 0.3);
        List<ChatMessage> conversation =
        [
            new(ChatRole.System, "Answer only from the sources."),
            new(ChatRole.User, "What is the gift limit?"),
            new(ChatRole.Assistant, "50 EUR [1]."),
            new(ChatRole.User, "And for hospitality?"),
        ];

        await bed.Client.GetResponseAsync(conversation, cancellationToken: TestContext.Current.CancellationToken);
        await bed.Client.GetResponseAsync(conversation,
            new ChatOptions { Temperature = 0.7f, MaxOutputTokens = 600, ModelId = "grok-4-fast", TopP = 0.9f },
            TestContext.Current.CancellationToken);

        var (defaults, overridden) = (bed.Fake.Requests[0], bed.Fake.Requests[1]);
        Assert.Equal(
            [new("system", "Answer only from the sources."), new("user", "What is the gift limit?"),
             new("assistant", "50 EUR [1]."), new RecordedMessage("user", "And for hospitality?")],
            defaults.Messages);
        Assert.Equal("grok-4-latest", defaults.Model);
        Assert.Equal(0.3, defaults.Temperature!.Value, 3);
        Assert.Null(defaults.MaxTokens);
        Assert.Equal($"Bearer {FakeOpenAiServer.DefaultApiKey}", defaults.Headers["Authorization"]);

        Assert.Equal("grok-4-fast", overridden.Model);
        Assert.Equal(0.7, overridden.Temperature!.Value, 3);
        Assert.Equal(600, overridden.MaxTokens);
        Assert.Equal(0.9, overridden.TopP!.Value, 3);
    }

    [Fact]
    public async Task Echo_mode_answers_from_the_prompt_it_was_given()
    {
        await using var bed = await LlmTestBed.StartAsync();
        bed.Fake.RespondWith(FakeOpenAiServer.Echo);

        var answer = await bed.StreamAsync("Which form do I use for travel expenses?");

        Assert.Equal("You asked: Which form do I use for travel expenses?", answer.Text);
    }

    [Fact]
    public async Task A_length_cut_answer_is_returned_with_its_finish_reason_not_as_a_failure()
    {
        await using var bed = await LlmTestBed.StartAsync();
        bed.Fake.Enqueue(FakeReply.Answer("The policy says") with { FinishReason = "length" });

        var answer = await bed.StreamAsync("Summarise the policy.");

        Assert.Null(answer.Failure);
        Assert.Equal("The policy says", answer.Text);
        Assert.Equal(ChatFinishReason.Length, answer.FinishReason);
    }

    [Fact]
    public async Task Unsupported_content_is_refused_before_any_request()
    {
        await using var bed = await LlmTestBed.StartAsync();
        var message = new ChatMessage(ChatRole.User, [new DataContent(new byte[] { 1, 2, 3 }, "image/png")]);

        await Assert.ThrowsAsync<NotSupportedException>(() =>
            bed.Client.GetResponseAsync([message], cancellationToken: TestContext.Current.CancellationToken));
        await Assert.ThrowsAsync<ArgumentException>(() =>
            bed.Client.GetResponseAsync([], cancellationToken: TestContext.Current.CancellationToken));

        Assert.Empty(bed.Fake.Requests);
    }

    [Fact]
    public async Task Without_an_api_key_the_call_fails_as_not_configured_without_network_traffic()
    {
        await using var bed = await LlmTestBed.StartAsync(o => o.ApiKey = null);

        var answer = await bed.StreamAsync("Anything?");
        var whole = await Assert.ThrowsAsync<LlmException>(() =>
            bed.Client.GetResponseAsync(LlmTestBed.Question("Anything?"), cancellationToken: TestContext.Current.CancellationToken));

        Assert.Equal(LlmFailure.InvalidApiKey, answer.Failure?.Kind);
        Assert.Equal(LlmFailure.InvalidApiKey, whole.Kind);
        Assert.Contains("XAI_API_KEY", whole.Message, StringComparison.Ordinal);
        Assert.Empty(bed.Fake.Requests);
    }
}
