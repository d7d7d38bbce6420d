using System.Text;

namespace Compliance.Knowledge.Indexing.RediSearch;

/// <summary>
/// Builds RediSearch query strings from user text and filter values without ever passing syntax through:
/// every character that is not a letter, digit or underscore is backslash-escaped (redisearch.md).
/// </summary>
public static class RediSearchSyntax
{
    /// <summary>Escapes a term or TAG value so the query parser reads it as one literal token.</summary>
    public static string Escape(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var escaped = new StringBuilder(value.Length + 8);
        foreach (var c in value)
        {
            if (!char.IsLetterOrDigit(c) && c != '_')
            {
                escaped.Append('\\');
            }
            escaped.Append(c);
        }
        return escaped.ToString();
    }

    /// <summary>
    /// The user's terms in their search form (<see cref="RediSearchSearchForm"/>: lower case, Latin diacritics
    /// removed, as the indexed <c>*_terms</c> fields hold them), distinct, in order; not yet escaped.
    /// </summary>
    public static IReadOnlyList<string> SearchTerms(string? userText) =>
        QueryTerms.Extract(userText)
            .SelectMany(term => RediSearchSearchForm.Of(term).Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Distinct(StringComparer.Ordinal)
            .ToList();

    /// <summary>
    /// The user's terms (<see cref="SearchTerms"/>), escaped and OR-ed, then repeated as optional terms:
    /// <c>(a | b) ~a ~b</c>; null when no term is left to search.
    /// </summary>
    public static string? TextClause(string? userText) => TextClause(SearchTerms(userText));

    /// <summary>
    /// Search-form terms escaped and OR-ed, then repeated as optional terms: <c>(a | b) ~a ~b</c>; null when there
    /// is none. The OR decides which chunks match; the optional terms make every matching term count in the score.
    /// RediSearch 2.8 (seen on 2.8.38) scores an OR that is intersected with the TAG pre-filter by one matching term
    /// only, so a chunk with one stemmed match outranked one with all four; optional terms are scored in full on
    /// every version (on 2.6, which scores the OR fully, both halves count every term, so the ranking is unchanged).
    /// </summary>
    public static string? TextClause(IReadOnlyList<string> searchTerms) => TextClause(searchTerms, []);

    /// <summary>
    /// Like <see cref="TextClause(IReadOnlyList{string})"/>, with <paramref name="scoringOnlyTerms"/> added as optional
    /// terms only: <c>(a | b) ~a ~b ~c</c>. They add to the score of the chunks the OR finds but match nothing by
    /// themselves, so a frequent term (in 10-50 % of the index) no longer widens the set of chunks to score; null when
    /// no term is left to OR.
    /// </summary>
    public static string? TextClause(IReadOnlyList<string> searchTerms, IReadOnlyList<string> scoringOnlyTerms)
    {
        ArgumentNullException.ThrowIfNull(searchTerms);
        ArgumentNullException.ThrowIfNull(scoringOnlyTerms);
        if (searchTerms.Count == 0)
        {
            return null;
        }
        var escaped = searchTerms.Select(Escape).ToList();
        return "(" + string.Join(" | ", escaped) + ") " + string.Join(" ", escaped.Concat(scoringOnlyTerms.Select(Escape)).Select(term => "~" + term));
    }

    /// <summary>
    /// The pre-filter every search carries: global plus the caller's tenant, active chunks, and the optional
    /// documents (any of) and tags (any of).
    /// </summary>
    public static string FilterClause(SearchFilter filter)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var clause = new StringBuilder();
        clause.Append("@tenant:").Append(TagSet([Tenants.Global, filter.TenantId]));
        clause.Append(" @status:").Append(TagSet([ChunkStatus.Active]));
        if (filter.DocumentIds is { Count: > 0 } documents)
        {
            clause.Append(" @document:").Append(TagSet(documents.Select(RediSearchFields.DocumentTag)));
        }
        if (filter.Tags is { Count: > 0 } tags)
        {
            clause.Append(" @tags:").Append(TagSet(tags));
        }
        return clause.ToString();
    }

    /// <summary>A TAG alternative set: <c>{a | b}</c>, each value escaped.</summary>
    public static string TagSet(IEnumerable<string> values) =>
        "{" + string.Join(" | ", values.Distinct(StringComparer.Ordinal).Select(Escape)) + "}";
}
