using System.Text.RegularExpressions;
using Compliance.Knowledge.Search;

namespace Compliance.Api.Answers;

/// <summary>
/// Decides whether retrieval found something that can answer the question, before any model sees it. With an
/// embedding model and a measured threshold (<see cref="SemanticGate"/>), a question is covered when the passage
/// closest to it in meaning is close enough, whatever words it uses ("Can a vendor buy me dinner?" shares no key
/// word with the entertainment limits). Without one (lexical-only search), it is covered when the best passages
/// contain enough of its key terms (words that carry meaning here: not stop-words, not words every policy uses).
/// Anything else gets an honest refusal instead of an answer built on unrelated text.
/// </summary>
public static partial class RetrievalConfidence
{
    // Function words, question words, and words that occur in every policy and so prove nothing about coverage.
    private static readonly HashSet<string> Uninformative = new(StringComparer.Ordinal)
    {
        "a", "an", "the", "and", "or", "but", "if", "then", "of", "to", "in", "on", "at", "for", "from", "by", "with",
        "about", "as", "into", "over", "under", "before", "after", "during", "than", "is", "are", "was", "were", "be",
        "been", "being", "am", "do", "does", "did", "done", "have", "has", "had", "can", "could", "may", "might", "must",
        "shall", "should", "will", "would", "i", "me", "my", "mine", "we", "our", "us", "you", "your", "he", "she", "it",
        "its", "they", "them", "their", "this", "that", "these", "those", "there", "here", "what", "which", "who", "whom",
        "whose", "when", "where", "why", "how", "any", "some", "all", "no", "not", "yes", "so", "too", "very", "just",
        "also", "only", "own", "same", "such", "get", "got", "need", "needs", "allowed", "ok", "okay", "please", "tell",
        "know", "want", "policy", "policies", "rule", "rules", "company", "firm", "employee", "employees", "staff",
        "northwind", "compliance", "team", "allowed", "permitted", "required", "require", "requires",
    };

    /// <summary>The question's key terms (lower-case, crude singulars), in order, without repeats.</summary>
    public static IReadOnlyList<string> KeyTerms(string question)
    {
        ArgumentNullException.ThrowIfNull(question);
        var terms = new List<string>();
        foreach (Match match in Word().Matches(question.ToLowerInvariant()))
        {
            var term = Stem(match.Value);
            // Redaction markers ([redacted-email]) stand for personal data, which no policy contains.
            if (term.StartsWith("redacted-", StringComparison.Ordinal))
            {
                continue;
            }
            if (term.Length > 1 && !Uninformative.Contains(term) && !Uninformative.Contains(match.Value) && !terms.Contains(term))
            {
                terms.Add(term);
            }
        }
        return terms;
    }

    /// <summary>Share of the question's key terms found in the top passages (1 when the question has none).</summary>
    public static double TermCoverage(string question, IReadOnlyList<HybridHit> hits, int passages = 3)
    {
        var terms = KeyTerms(question);
        if (terms.Count == 0)
        {
            return hits.Count > 0 ? 1 : 0;
        }
        var text = new HashSet<string>(StringComparer.Ordinal);
        foreach (var hit in hits.Take(passages))
        {
            foreach (Match match in Word().Matches((hit.Chunk.Title + " " + hit.Chunk.SectionPath + " " + hit.Chunk.Text).ToLowerInvariant()))
            {
                text.Add(Stem(match.Value));
            }
        }
        return terms.Count(text.Contains) / (double)terms.Count;
    }

    /// <summary>
    /// The gate. <paramref name="minVectorSimilarity"/> null, or a search without vectors, keeps the key-term rule;
    /// otherwise only the closest passage's similarity counts, because key terms measured on real embeddings add
    /// wrong answers (an off-topic question that happens to share words) more than right ones.
    /// </summary>
    public static bool IsCovered(string question, HybridSearchResult search, double minTermCoverage, double? minVectorSimilarity)
    {
        ArgumentNullException.ThrowIfNull(search);
        if (search.Hits.Count == 0)
        {
            return false;
        }
        return minVectorSimilarity is { } threshold && search.TopVectorSimilarity is { } closest
            ? closest >= threshold
            : TermCoverage(question, search.Hits) >= minTermCoverage;
    }

    // Enough stemming to match "gifts"/"gift" and "trades"/"trade" without a stemmer package.
    private static string Stem(string word) =>
        word.Length > 4 && word.EndsWith("ies", StringComparison.Ordinal) ? word[..^3] + "y"
        : word.Length > 3 && word.EndsWith('s') && !word.EndsWith("ss", StringComparison.Ordinal) ? word[..^1]
        : word;

    [GeneratedRegex(@"[\p{L}\p{N}$%]+(?:[-'][\p{L}\p{N}]+)*", RegexOptions.CultureInvariant)]
    private static partial Regex Word();
}
