using System.Collections.Frozen;
using System.Globalization;
using System.Text;

namespace Compliance.Knowledge.Indexing;

/// <summary>
/// Splits user text into the plain terms a full-text backend is asked for. Both backends build their query syntax
/// from these terms only, so nothing the user typed ever reaches FTS5's or RediSearch's query parser as syntax.
/// </summary>
public static class QueryTerms
{
    /// <summary>At most this many distinct terms are searched; longer questions keep their first terms.</summary>
    public const int MaxTerms = 64;

    /// <summary>Terms longer than this are dropped: no real word is this long, and it bounds the query size.</summary>
    public const int MaxTermLength = 64;

    // Lucene's classic English stop set (also RediSearch's default) plus the question words every question has;
    // they would match almost every passage and only slow the OR-query down.
    private static readonly FrozenSet<string> StopWords = FrozenSet.ToFrozenSet(
    [
        "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is", "it", "no", "not",
        "of", "on", "or", "such", "that", "the", "their", "then", "there", "these", "they", "this", "to", "was",
        "will", "with", "what", "which", "who", "whom", "how", "when", "where", "why", "do", "does", "did", "can",
        "could", "should", "would", "i", "we", "you", "our", "my", "me", "us", "its", "any", "from", "has", "have",
    ], StringComparer.Ordinal);

    /// <summary>
    /// Whether a term found in <paramref name="rowsWithTerm"/> of <paramref name="rows"/> rows is one whose BM25 IDF
    /// FTS5 floors (log((N - n + 0.5) / (n + 0.5)) at or below 0, so in half the rows or more). Its weight is the
    /// smallest and its posting list the longest: the embedded index scores it only for rows already in reach of the
    /// results, and the RediSearch index leaves it out of its OR-query when rarer terms remain.
    /// </summary>
    public static bool IsCommon(long rowsWithTerm, long rows) => rows > 0 && 2 * rowsWithTerm >= rows;

    /// <summary>
    /// Lower-cased, de-duplicated runs of letters and digits, in order of first appearance, without stop words.
    /// Every other character (punctuation, operators, quotes, braces, whitespace) separates terms, which is also
    /// how SQLite's unicode61 tokenizer and RediSearch's default tokenizer split indexed text.
    /// </summary>
    public static IReadOnlyList<string> Extract(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return [];
        }
        var terms = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var current = new StringBuilder();
        foreach (var rune in text.EnumerateRunes())
        {
            if (Rune.IsLetterOrDigit(rune) || Rune.GetUnicodeCategory(rune) is UnicodeCategory.NonSpacingMark)
            {
                current.Append(Rune.ToLowerInvariant(rune).ToString());
                continue;
            }
            if (Flush(current, terms, seen))
            {
                return terms;
            }
        }
        Flush(current, terms, seen);
        return terms;
    }

    /// <summary>Adds the pending term; true once the term limit is reached.</summary>
    private static bool Flush(StringBuilder current, List<string> terms, HashSet<string> seen)
    {
        if (current.Length == 0)
        {
            return false;
        }
        var term = current.ToString().Normalize(NormalizationForm.FormC);
        current.Clear();
        if (term.Length <= MaxTermLength && !StopWords.Contains(term) && seen.Add(term))
        {
            terms.Add(term);
        }
        return terms.Count >= MaxTerms;
    }
}
