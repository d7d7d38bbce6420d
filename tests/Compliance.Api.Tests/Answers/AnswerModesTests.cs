using System.Net.Http.Json;
using Compliance.Api.Tests.Infrastructure;
using Compliance.Contracts.Questions;
using Compliance.Testing.FakeOpenAi;

namespace Compliance.Api.Tests.Answers;

/// <summary>Retrieval-only mode without a key, the daily cap and the daily budget.</summary>
public sealed class AnswerModesTests
{
    [Fact]
    public async Task Without_a_key_answers_are_the_best_passages_quoted_and_clearly_labelled()
    {
        await using var api = new ComplianceApiFactory().WithSetting("SAMPLE_POLICIES_DIR", Path.Combine(ComplianceApiFactory.RepositoryRoot(), "samples", "policies"));
        await api.InitializeAsync();
        using var client = api.CreateServiceClient();

        var response = await client.PostAsJsonAsync("/api/v1/query",
            new QueryRequest("Do I need pre-clearance for a gift over $100?", AnswersApi.UserId), TestContext.Current.CancellationToken);
        var answer = (await response.Content.ReadFromJsonAsync<QueryResponse>(DocumentUploads.Json, TestContext.Current.CancellationToken))!;

        Assert.Equal(QueryStatuses.Answered, answer.Status);
        Assert.Equal(AnswerModes.RetrievalOnly, answer.Mode);
        Assert.Contains("not a generated answer", answer.Warning, StringComparison.Ordinal);
        Assert.Contains("[1]", answer.Answer, StringComparison.Ordinal);
        Assert.Contains(answer.Citations, c => c.Title.Contains("Gift", StringComparison.OrdinalIgnoreCase));
        Assert.Null(answer.Model);
    }

    [Fact]
    public async Task The_daily_question_cap_gives_a_clear_message_not_an_error()
    {
        await using var api = new AnswersApi();
        api.WithSetting("USER_DAILY_QUESTION_CAP", "1");
        await api.InitializeAsync();

        var first = await api.AskAsync("Can I trade during the blackout period?", userId: "300000000000000099");
        // The cap counts stored questions; the audit writer stores them in the background (the per-minute rate limit
        // bounds what a burst can add before they land).
        await api.LoggedQueryAsync(first.QueryId);
        var second = await api.AskAsync("Can I trade during the blackout period again?", userId: "300000000000000099");

        Assert.Equal(QueryStatuses.RateLimited, second.Status);
        Assert.Contains("daily limit", second.Answer, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Once_the_daily_budget_is_spent_answers_fall_back_to_quoted_passages()
    {
        await using var api = new AnswersApi();
        api.WithSetting("DAILY_BUDGET_USD", "0.000001");
        await api.InitializeAsync();

        var first = await api.AskAsync("Can I trade during the blackout period?");
        await api.LoggedQueryAsync(first.QueryId); // spend is summed from stored questions, written in the background
        var second = await api.AskAsync("Do I need pre-clearance before buying shares?");

        Assert.Equal(AnswerModes.Generated, first.Mode);
        Assert.Equal(AnswerModes.RetrievalOnly, second.Mode);
        Assert.Contains("budget", second.Warning, StringComparison.Ordinal);
    }
}

/// <summary>The remaining provider faults, each with the words the user sees and the logged outcome.</summary>
public sealed class AnswerFaultTests
{
    [Fact]
    public async Task A_model_that_never_starts_answering_times_out_into_quoted_passages()
    {
        await using var api = new AnswersApi();
        api.WithSetting("GROK_FIRST_TOKEN_TIMEOUT", "1");
        await api.InitializeAsync();
        api.Provider.Enqueue(FakeReply.Answer("Too late [1].") with { DelayBeforeFirstToken = FakeReply.Forever });

        var answer = await api.AskAsync("Can I trade during the blackout period?");

        Assert.Equal(QueryStatuses.Error, answer.Status);
        Assert.Equal(AnswerModes.RetrievalOnly, answer.Mode);
        Assert.Contains("took too long", answer.Warning, StringComparison.Ordinal);
        Assert.Equal("llm_timeout", (await api.LoggedQueryAsync(answer.QueryId))["ErrorCode"]);
    }

    [Fact]
    public async Task A_malformed_stream_is_reported_not_shown()
    {
        await using var api = new AnswersApi();
        await api.InitializeAsync();
        api.Provider.Enqueue(FakeReply.Answer("Trading is not allowed in blackout periods [1].") with { MalformedChunkAfterDeltas = 0 });

        var answer = await api.AskAsync("Can I trade during the blackout period?");

        Assert.Equal(QueryStatuses.Error, answer.Status);
        Assert.Contains("could not read", answer.Warning, StringComparison.Ordinal);
        Assert.Equal("llm_bad_response", (await api.LoggedQueryAsync(answer.QueryId))["ErrorCode"]);
    }
}
