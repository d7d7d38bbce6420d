using Compliance.Api.Tests.Audit;
using Compliance.Contracts.Questions;
using Compliance.Testing.FakeOpenAi;

namespace Compliance.Api.Tests.Answers;

/// <summary><see cref="AnswersApi"/> with a second fake provider configured as the fallback (<c>LLM_FALLBACK_*</c>).</summary>
public sealed class AnswersApiWithFallback : AnswersApi
{
    public const string FallbackModel = "fallback-model-mini";
    public const string FallbackKey = "sk-fallbackKeyForApiTests0123456789ab";

    public FakeOpenAiServer Fallback { get; private set; } = null!;

    public override async ValueTask InitializeAsync()
    {
        Fallback = await FakeOpenAiServer.StartAsync(FallbackKey);
        Fallback.RespondWith(_ => FakeReply.Answer("Fallback: trading is not allowed during a blackout period [1]."));
        WithSetting("LLM_FALLBACK_BASE_URL", Fallback.BaseUrl.ToString());
        WithSetting("LLM_FALLBACK_API_KEY", FallbackKey);
        WithSetting("LLM_FALLBACK_MODEL", FallbackModel);
        WithSetting("LLM_PRICES", $"{Model}=3/15;{FallbackModel}=1/2");
        await base.InitializeAsync();
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await Fallback.DisposeAsync();
    }
}

/// <summary>The fallback end to end: who answered is on the response and in the hash-chained query log.</summary>
public sealed class FallbackAnswerApiTests(AnswersApiWithFallback api) : IClassFixture<AnswersApiWithFallback>
{
    private const string Blackout = "Can I trade Northwind shares during the quarterly blackout period?";

    [Fact]
    public async Task A_primary_failing_before_its_first_word_is_answered_by_the_fallback_and_the_answer_says_so()
    {
        api.Provider.Enqueue(FakeReply.Status(500));
        var question = $"{Blackout} zq{Guid.NewGuid().ToString("N")[..6]}";

        var answer = await api.AskAsync(question);

        Assert.Equal(QueryStatuses.Answered, answer.Status);
        Assert.Equal(AnswerModes.Generated, answer.Mode);
        Assert.Equal("fallback", answer.Provider);
        Assert.Equal(AnswersApiWithFallback.FallbackModel, answer.Model);
        Assert.StartsWith("Fallback:", answer.Answer, StringComparison.Ordinal);
        Assert.True(answer.Usage.CostUsd > 0, "the fallback's tokens are priced with its own model's price");
        Assert.Contains(api.Fallback.Requests, r => r.LastUserMessage.Contains(question, StringComparison.Ordinal));

        var logged = await api.LoggedQueryAsync(answer.QueryId);
        Assert.Equal("answered", logged["Status"]);
        Assert.Equal(AnswersApiWithFallback.FallbackModel, logged["Model"]);
        Assert.Equal("llm_fallback_after_provider_unavailable", logged["ErrorCode"]);
        await api.AllStoredAsync();
        Assert.True((await api.VerifyQueryLogAsync()).Intact);
    }

    [Fact]
    public async Task A_fallback_answer_is_not_cached_so_the_primary_answers_the_same_question_next_time()
    {
        var question = $"{Blackout} zq{Guid.NewGuid().ToString("N")[..6]}";
        api.Provider.Enqueue(FakeReply.Status(503));
        var first = await api.AskAsync(question);

        var second = await api.AskAsync(question);

        Assert.Equal("fallback", first.Provider);
        Assert.Equal("primary", second.Provider);
        Assert.False(second.CacheHit);
        Assert.Equal(AnswersApi.Model, second.Model);
    }

    [Fact]
    public async Task A_primary_failing_after_its_first_word_is_not_replaced_by_the_fallback()
    {
        var question = $"{Blackout} zq{Guid.NewGuid().ToString("N")[..6]}";
        api.Provider.Enqueue(FakeReply.Answer("Trading is not allowed during") with { CloseAfterDeltas = 2 });
        using var client = api.CreateServiceClient();

        var response = await client.PostAsync("/api/v1/query",
            System.Net.Http.Json.JsonContent.Create(new QueryRequest(question, AnswersApi.UserId)), TestContext.Current.CancellationToken);

        Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.DoesNotContain(api.Fallback.Requests, r => r.LastUserMessage.Contains(question, StringComparison.Ordinal));
        var id = Assert.Single(await api.QueryIdsForAsync(question));
        var logged = await api.LoggedQueryAsync(id);
        Assert.Equal("llm_provider_unavailable", logged["ErrorCode"]);
        Assert.Equal(AnswersApi.Model, logged["Model"]);
    }
}
