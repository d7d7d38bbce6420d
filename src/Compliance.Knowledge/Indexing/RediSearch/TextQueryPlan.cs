namespace Compliance.Knowledge.Indexing.RediSearch;

/// <summary>
/// One text query's terms: those OR-ed to decide which chunks match, and those that only add to the score of the
/// chunks found (optional terms, <c>~term</c>).
/// </summary>
public sealed record TextQueryTerms(IReadOnlyList<string> Matching, IReadOnlyList<string> ScoringOnly);

/// <summary>
/// Which text queries the RediSearch index tries for a question, cheapest first, from how many chunks each term
/// matches. Most of a text query's time at 100k chunks is spent walking the posting lists of the OR (every chunk it
/// admits is scored); a term in a tenth of the index or more widens that set the most while weighing the least.
/// </summary>
public static class TextQueryPlan
{
    /// <summary>
    /// The queries to try in order; the first that finds the requested number of chunks answers, else the last:
    /// <list type="number">
    /// <item>the rare terms (in under <paramref name="frequentShare"/> of the index) OR-ed, the frequent ones (from
    /// that share up to half the index) only scoring what the rare terms find — when the question has both;</item>
    /// <item>every term in under half the index OR-ed (<see cref="QueryTerms.IsCommon"/>: the common ones left out)
    /// — when some term is common or matches nothing;</item>
    /// <item>every term OR-ed, so chunks matched only by common terms still fill the list.</item>
    /// </list>
    /// </summary>
    /// <param name="terms">The search-form terms, in query order.</param>
    /// <param name="counts">How many chunks of the index each term matches (same order).</param>
    /// <param name="rows">Chunks in the index.</param>
    /// <param name="frequentShare">The share of the index from which a term is frequent (0.5 turns step 1 off).</param>
    public static IReadOnlyList<TextQueryTerms> For(IReadOnlyList<string> terms, IReadOnlyList<long> counts, long rows, double frequentShare)
    {
        ArgumentNullException.ThrowIfNull(terms);
        ArgumentNullException.ThrowIfNull(counts);
        ArgumentOutOfRangeException.ThrowIfNotEqual(counts.Count, terms.Count);
        var rare = new List<string>();
        var frequent = new List<string>();
        for (var i = 0; i < terms.Count; i++)
        {
            if (counts[i] <= 0 || QueryTerms.IsCommon(counts[i], rows))
            {
                continue;
            }
            (counts[i] >= frequentShare * rows ? frequent : rare).Add(terms[i]);
        }
        var plan = new List<TextQueryTerms>(3);
        if (rare.Count > 0 && frequent.Count > 0)
        {
            plan.Add(new TextQueryTerms(rare, frequent));
        }
        var rarer = terms.Where(term => rare.Contains(term) || frequent.Contains(term)).ToList();
        if (rarer.Count > 0 && rarer.Count < terms.Count)
        {
            plan.Add(new TextQueryTerms(rarer, []));
        }
        plan.Add(new TextQueryTerms(terms, []));
        return plan;
    }
}
