using Compliance.Api.Answers;

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
}
