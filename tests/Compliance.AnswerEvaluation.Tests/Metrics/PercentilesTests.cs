using Compliance.AnswerEvaluation.Metrics;

namespace Compliance.AnswerEvaluation.Tests.Metrics;

public sealed class PercentilesTests
{
    [Theory]
    [InlineData(50, 50)]
    [InlineData(95, 95)]
    [InlineData(99, 99)]
    [InlineData(100, 100)]
    [InlineData(1, 1)]
    public void Nearest_rank_over_one_to_a_hundred_is_the_percentile_itself(double percentile, double expected)
    {
        var samples = Enumerable.Range(1, 100).Select(i => (double)i).Reverse();
        Assert.Equal(expected, Percentiles.NearestRank(samples, percentile));
    }

    [Fact]
    public void Small_samples_round_the_rank_up()
    {
        Assert.Equal(20, Percentiles.NearestRank([30, 10, 20], 50));
        Assert.Equal(30, Percentiles.NearestRank([30, 10, 20], 95));
        Assert.Equal(7, Percentiles.NearestRank([7], 50));
    }

    [Fact]
    public void No_samples_give_no_percentile() => Assert.Null(Percentiles.NearestRank([], 50));

    [Theory]
    [InlineData(0)]
    [InlineData(101)]
    public void A_percentile_outside_0_to_100_is_refused(double percentile) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Percentiles.NearestRank([1], percentile));
}
