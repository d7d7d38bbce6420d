using Compliance.Api.Answers;
using Compliance.Contracts.Questions;

namespace Compliance.Api.Tests.Answers;

/// <summary>Adversarial model outputs: invented numbers, no citations, citations in code, odd formats.</summary>
public sealed class CitationCheckTests
{
    private static readonly IReadOnlyList<Citation> FiveSources = Enumerable.Range(1, 5)
        .Select(n => new Citation(n, Guid.NewGuid(), $"Policy {n}", 1, $"{n} Section", n, $"chunk-{n}", 0.5, $"text {n}")).ToList();

    [Fact]
    public void A_number_that_was_not_given_is_removed_and_the_real_ones_kept()
    {
        var result = CitationCheck.Check("You need approval [2] within five days [7].", FiveSources);

        Assert.Equal("You need approval [2] within five days.", result.Text);
        Assert.Equal([2], result.Citations.Select(c => c.Number));
        Assert.Equal([7], result.DroppedNumbers);
        Assert.True(result.IsSupported);
    }

    [Fact]
    public void An_answer_citing_only_invented_numbers_is_unsupported()
    {
        var result = CitationCheck.Check("Yes, that is allowed [7][9].", FiveSources);
        Assert.False(result.IsSupported);
        Assert.DoesNotContain("[", result.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void An_answer_without_citations_is_unsupported() =>
        Assert.False(CitationCheck.Check("Yes, you may trade whenever you like.", FiveSources).IsSupported);

    [Theory]
    [InlineData("See [1, 3] and [4][5].", new[] { 1, 3, 4, 5 })]
    [InlineData("See [ 2 ].", new[] { 2 })]
    [InlineData("See [1,2,9].", new[] { 1, 2 })]
    public void Lists_and_adjacent_markers_are_all_checked(string answer, int[] expected) =>
        Assert.Equal(expected, CitationCheck.Check(answer, FiveSources).Citations.Select(c => c.Number));

    [Fact]
    public void Markers_inside_code_are_text_not_citations()
    {
        var result = CitationCheck.Check("Use the form:\n```\nfield[1] = value [2]\n```\nand `array[3]`.", FiveSources);

        Assert.False(result.IsSupported);
        Assert.Contains("field[1] = value [2]", result.Text, StringComparison.Ordinal);
        Assert.Contains("`array[3]`", result.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Cited_sources_come_back_in_number_order_once_each() =>
        Assert.Equal([1, 4], CitationCheck.Check("A [4]. B [1]. C [4].", FiveSources).Citations.Select(c => c.Number));
}
