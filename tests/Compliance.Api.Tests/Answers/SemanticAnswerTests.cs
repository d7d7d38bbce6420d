using System.Net.Http.Json;
using System.Text.Json;
using Compliance.Contracts.Questions;
using Compliance.Contracts.Search;

namespace Compliance.Api.Tests.Answers;

/// <summary>
/// What users notice of semantic search, with a real model through the real API: questions worded nothing like the
/// policy find it and are answered from it (the refusal gate judges closeness in meaning, not shared words), and
/// questions no policy covers are still refused before the model is asked. The questions are from
/// eval/answers/questions.json; docs/answer-quality.md has their measured similarities.
/// </summary>
public sealed class SemanticAnswerTests(RealModelAnswersApi api) : IClassFixture<RealModelAnswersApi>
{
    private const string Insider = "Insider Trading and Blackout Policy";

    [Fact]
    public async Task Selling_stock_before_the_earnings_release_is_answered_from_the_insider_trading_policy()
    {
        RealModelAnswersApi.SkipUnlessModelPresent();
        // Worded nothing like the blackout rule ("blackout", "Northwind Securities", "publicly releases its quarterly results").
        var answer = await api.AskAsync("Am I allowed to sell company stock right before the earnings release?");

        Assert.Equal(QueryStatuses.Answered, answer.Status);
        Assert.Equal(AnswerModes.Generated, answer.Mode);
        Assert.Contains(answer.Sources, s => s.Title == Insider);
        var prompt = api.Provider.Requests.Last(r => r.LastUserMessage.Contains("earnings release", StringComparison.Ordinal)).LastUserMessage;
        Assert.Contains("may not trade Northwind Securities during a blackout period", Flatten(prompt), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Lawyers told us to preserve files for a lawsuit. What must I do?", "Record Retention Policy")]
    [InlineData("How long do we hang on to old messages from Outlook?", "Record Retention Policy")]
    [InlineData("What is the punishment for a repeat slip-up in my own investing?", "Personal Trading and Pre-Clearance Policy")]
    [InlineData("Can I grab some shares of a hot company going public tomorrow?", "Personal Trading and Pre-Clearance Policy")]
    // Two of the six paraphrases added on 7 Dec 2026 as a fresh held-out check (written before any score was measured).
    [InlineData("Can I leave the confidential deal deck lying on my desk overnight?", "Handling of Material Non-Public Information Policy")]
    [InlineData("Is it fine to text a client about their account from my personal phone?", "Record Retention Policy")]
    public async Task A_paraphrase_is_answered_citing_the_policy_it_means(string question, string policy)
    {
        RealModelAnswersApi.SkipUnlessModelPresent();

        var answer = await api.AskAsync(question);

        // The fake provider cites source [1]: the citation is the passage retrieval ranked first.
        Assert.Equal(QueryStatuses.Answered, answer.Status);
        Assert.Equal(policy, Assert.Single(answer.Citations).Title);
    }

    [Fact]
    public async Task A_vendor_buying_dinner_retrieves_the_gifts_and_entertainment_policy()
    {
        RealModelAnswersApi.SkipUnlessModelPresent();
        using var client = api.CreateServiceClient();

        var response = await client.PostAsJsonAsync("/api/v1/search", new SearchRequest("Can a vendor buy me dinner?", TopK: 5), TestContext.Current.CancellationToken);
        response.EnsureSuccessStatusCode();
        var search = (await response.Content.ReadFromJsonAsync<SearchResponse>(TestContext.Current.CancellationToken))!;

        Assert.Equal("hybrid", search.Mode);
        var giftsRank = search.Results.FirstOrDefault(r => r.Title == "Gifts and Entertainment Policy")?.Rank;
        TestContext.Current.TestOutputHelper?.WriteLine($"vendor-dinner: first gifts passage at rank {giftsRank}; ranks: " +
            string.Join(" | ", search.Results.Select(r => $"{r.Rank} {r.Title}")));
        // Among the results, not first: with the shipped fusion (BM25 0.7 / vector 0.3, the best measured on ObliQA)
        // the trading policy's "buy" outranks it in the fused list (docs/answer-quality.md, known gap).
        Assert.Contains(search.Results, r => r.Title == "Gifts and Entertainment Policy");
        // The closest passage in meaning is a gifts passage too ("dinner" and "vendor" as the policy words them:
        // Business Entertainment, Business Contact).
        Assert.Equal("Gifts and Entertainment Policy", search.Results.Where(r => r.VectorScore is not null).MaxBy(r => r.VectorScore)!.Title);
    }

    [Theory]
    [InlineData("What's on the cafeteria menu this Friday?")]
    [InlineData("Can I work remotely from Portugal for a month?")]
    [InlineData("Can I get reimbursed for a taxi home after working late?")]
    // Workplace questions from the fresh held-out set, near policy words ("office", "account") but covered by none.
    [InlineData("Can I bring my dog to the office on Fridays?")]
    [InlineData("How do I change the bank account my salary is paid into?")]
    public async Task An_off_topic_question_is_refused_without_asking_the_model(string question)
    {
        RealModelAnswersApi.SkipUnlessModelPresent();

        var answer = await api.AskAsync(question);

        Assert.Equal(QueryStatuses.Refused, answer.Status);
        Assert.Equal(AnswerModes.Refusal, answer.Mode);
        // A refusal shows the closest passages (as citations) so the user can judge; the model never saw the question.
        Assert.DoesNotContain(api.Provider.Requests, r => r.LastUserMessage.Contains(question, StringComparison.Ordinal));
        using var diagnostics = JsonDocument.Parse((string)(await api.LoggedQueryAsync(answer.QueryId))["RetrievalDiagnostics"]!);
        Assert.Equal("semantic", diagnostics.RootElement.GetProperty("gate").GetString());
        Assert.True(diagnostics.RootElement.GetProperty("topVectorSimilarity").GetDouble() < diagnostics.RootElement.GetProperty("minVectorSimilarity").GetDouble());
    }

    private static string Flatten(string text) => string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
}
