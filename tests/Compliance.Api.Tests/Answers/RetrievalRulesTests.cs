using Compliance.Api.Answers;
using Compliance.Knowledge.Indexing;
using Compliance.Knowledge.Search;

namespace Compliance.Api.Tests.Answers;

public sealed class RetrievalRulesTests
{
    [Fact]
    public void Key_terms_skip_function_words_and_words_every_policy_uses() =>
        Assert.Equal(["trade", "blackout", "window"], RetrievalConfidence.KeyTerms("Can I trade during the blackout window under the policy?"));

    [Theory]
    [InlineData("And for my spouse?", true)]
    [InlineData("What about gifts?", true)]
    [InlineData("Do I need pre-clearance to buy shares of a listed supplier company?", false)]
    public void Short_or_referring_questions_are_follow_ups(string question, bool expected) =>
        Assert.Equal(expected, FollowUps.LooksLikeFollowUp(question));

    [Fact]
    public void A_follow_up_borrows_the_previous_question_without_a_model()
    {
        var rewritten = FollowUps.Rewrite("And for my spouse?", [new ConversationTurn("Do I need pre-clearance to buy stock?", "Yes [1].")]);
        Assert.Equal("Do I need pre-clearance to buy stock? And for my spouse?", rewritten);
    }

    private const string Dinner = "Can a vendor buy me dinner?";

    [Theory]
    [InlineData(0.60, true)]
    [InlineData(0.55, false)]
    public void With_a_threshold_the_closest_passages_similarity_decides_whatever_the_words(double closest, bool covered)
    {
        // The passage shares every key term of the question, so the key-term rule alone would admit it.
        var search = Search(closest, "Can a vendor buy me dinner? A vendor may buy dinner.");

        Assert.Equal(covered, RetrievalConfidence.IsCovered(Dinner, search, minTermCoverage: 0.55, minVectorSimilarity: 0.562));
    }

    [Fact]
    public void Without_vectors_or_a_threshold_key_term_coverage_decides_as_before()
    {
        var matching = Search(closest: null, "A vendor may buy you dinner up to $250 per person.");
        var unrelated = Search(closest: null, "Records are kept for seven years.");

        Assert.True(RetrievalConfidence.IsCovered(Dinner, matching, 0.55, minVectorSimilarity: 0.562));
        Assert.False(RetrievalConfidence.IsCovered(Dinner, unrelated, 0.55, minVectorSimilarity: 0.562));
        // A model with no measured threshold: vectors are there but the key terms decide.
        Assert.False(RetrievalConfidence.IsCovered(Dinner, Search(0.99, "Records are kept for seven years."), 0.55, minVectorSimilarity: null));
    }

    [Fact]
    public void No_passage_is_never_covered() =>
        Assert.False(RetrievalConfidence.IsCovered(Dinner, new HybridSearchResult([], SearchMode.Hybrid, null, FusionMethod.Rrf, Timings) { TopVectorSimilarity = 0.9 }, 0.55, 0.5));

    [Theory]
    [InlineData("arctic-embed-xs", null, 0.562)]
    [InlineData("all-MiniLM-L6-v2", null, 0.310)]
    [InlineData("arctic-embed-xs", 0.6, 0.6)]
    [InlineData("gte-small", null, null)]
    [InlineData("gte-small", 0.8, 0.8)]
    [InlineData(null, 0.8, null)]
    public void The_threshold_is_the_configured_one_else_the_one_measured_for_the_model(string? model, double? configured, double? expected) =>
        Assert.Equal(expected, SemanticGate.Resolve(model, configured));

    private static readonly SearchTimings Timings = new(TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero);

    private static HybridSearchResult Search(double? closest, string text)
    {
        var chunk = new ChunkRecord("c1", Guid.NewGuid(), 1, "global", "Gifts and Entertainment Policy", "4.1 Limits", null, null, 0, 0, text.Length,
            text, [], null, "active", null);
        var hit = new HybridHit(chunk, 1, 1, 1, 1, closest is null ? null : 1, closest);
        return new HybridSearchResult([hit], closest is null ? SearchMode.LexicalOnly : SearchMode.Hybrid, null, FusionMethod.Rrf, Timings)
        {
            TopVectorSimilarity = closest,
        };
    }
}
