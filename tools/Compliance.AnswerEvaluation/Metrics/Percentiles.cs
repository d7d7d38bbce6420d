namespace Compliance.AnswerEvaluation.Metrics;

/// <summary>Latency percentiles by the nearest-rank method: the value at rank ⌈p/100 · n⌉ of the sorted samples.</summary>
internal static class Percentiles
{
    /// <returns>Null when there are no samples.</returns>
    public static double? NearestRank(IEnumerable<double> samples, double percentile)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(percentile);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(percentile, 100);
        var sorted = samples.Order().ToArray();
        if (sorted.Length == 0)
        {
            return null;
        }

        var rank = (int)Math.Ceiling(percentile / 100 * sorted.Length);
        return sorted[Math.Clamp(rank, 1, sorted.Length) - 1];
    }
}

/// <summary>Milliseconds at the 50th and 95th percentile over <see cref="Samples"/> requests.</summary>
internal sealed record LatencySummary(int Samples, double? P50, double? P95)
{
    public static LatencySummary Of(IReadOnlyCollection<double> samples) =>
        new(samples.Count, Percentiles.NearestRank(samples, 50), Percentiles.NearestRank(samples, 95));
}
