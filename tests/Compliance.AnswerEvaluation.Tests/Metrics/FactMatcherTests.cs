using Compliance.AnswerEvaluation.Metrics;

namespace Compliance.AnswerEvaluation.Tests.Metrics;

public sealed class FactMatcherTests
{
    [Theory]
    [InlineData("Record it within five business days.", "5 business days")]
    [InlineData("A fine of $1000 is donated.", "$1,000")]
    [InlineData("A fine of 1,000 dollars is donated.", "$1,000")]
    [InlineData("Up to USD 350 per election.", "$350 per election")]
    [InlineData("within the 120 day window", "120-day window")]
    [InlineData("Label it \"CONFIDENTIAL — MNPI\".", "CONFIDENTIAL – MNPI")]
    [InlineData("the **Wall\nCrossing** rules", "Wall Crossing")]
    [InlineData("GOOD-TILL-CANCELLED ORDERS ARE NOT PERMITTED", "Good-till-cancelled orders are not permitted")]
    [InlineData("a 5 percent limit", "5%")]
    public void Facts_match_whatever_the_case_spacing_and_number_format(string answer, string fact) =>
        Assert.True(FactMatcher.Contains(answer, fact), FactMatcher.Normalize(answer) + " ⊉ " + FactMatcher.Normalize(fact));

    [Theory]
    [InlineData("Record it within 15 business days.", "5 business days")]
    [InlineData("A fine of $10,000.", "$1,000")]
    [InlineData("Gifts up to $1000.", "$100")]
    [InlineData("", "$100")]
    [InlineData(null, "$100")]
    public void Different_figures_do_not_match(string? answer, string fact) => Assert.False(FactMatcher.Contains(answer, fact));

    [Fact]
    public void Missing_lists_the_facts_the_answer_lacks_in_their_order()
    {
        var missing = FactMatcher.Missing("Report within 2 hours to the Control Room.", ["2 hours", "Insider List", "Control Room", "Watch List"]);
        Assert.Equal(["Insider List", "Watch List"], missing);
    }
}
