namespace Compliance.Evaluation.Metrics;

/// <summary>Binary-relevance ranking metrics for one question.</summary>
public static class RankingMetrics
{
    /// <summary>Share of the relevant passages found in the first <paramref name="k"/> results.</summary>
    public static double RecallAt(IReadOnlyList<string> ranked, IReadOnlySet<string> relevant, int k) =>
        relevant.Count == 0 ? 0 : (double)ranked.Take(k).Count(relevant.Contains) / relevant.Count;

    /// <summary>Average precision over the first k results, divided by min(|relevant|, k) as in MAP@k.</summary>
    public static double AveragePrecisionAt(IReadOnlyList<string> ranked, IReadOnlySet<string> relevant, int k)
    {
        if (relevant.Count == 0)
        {
            return 0;
        }
        double hits = 0, sum = 0;
        for (var i = 0; i < Math.Min(k, ranked.Count); i++)
        {
            if (relevant.Contains(ranked[i]))
            {
                hits++;
                sum += hits / (i + 1);
            }
        }
        return sum / Math.Min(relevant.Count, k);
    }

    /// <summary>nDCG@k with gain 1 per relevant result and the usual log2(rank + 1) discount.</summary>
    public static double NdcgAt(IReadOnlyList<string> ranked, IReadOnlySet<string> relevant, int k)
    {
        if (relevant.Count == 0)
        {
            return 0;
        }
        double dcg = 0, ideal = 0;
        for (var i = 0; i < Math.Min(k, ranked.Count); i++)
        {
            dcg += relevant.Contains(ranked[i]) ? 1 / Math.Log2(i + 2) : 0;
        }
        for (var i = 0; i < Math.Min(k, relevant.Count); i++)
        {
            ideal += 1 / Math.Log2(i + 2);
        }
        return dcg / ideal;
    }

    /// <summary>The value below which <paramref name="percentile"/> % of samples fall (nearest rank).</summary>
    public static double Percentile(IReadOnlyList<double> samples, double percentile)
    {
        if (samples.Count == 0)
        {
            return double.NaN;
        }
        var sorted = samples.Order().ToArray();
        var rank = (int)Math.Ceiling(percentile / 100 * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }
}
