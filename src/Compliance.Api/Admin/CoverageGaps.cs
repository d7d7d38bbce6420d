using Compliance.Contracts.Admin;

namespace Compliance.Api.Admin;

/// <summary>
/// Groups refused and uncertain questions by the key terms they share, so the compliance team sees topics the
/// policies miss ("crypto staking", "spouse account") rather than a list of single questions. A question's key is
/// its two most widespread content words among all gap questions; questions with the same key form a group.
/// </summary>
internal static class CoverageGaps
{
    private const int MaxGroups = 20;
    private const int ExamplesPerGroup = 3;

    private static readonly HashSet<string> StopWords = new(StringComparer.Ordinal)
    {
        "a", "about", "above", "after", "again", "all", "also", "am", "an", "and", "any", "are", "as", "at", "be", "because", "been",
        "before", "being", "between", "both", "but", "by", "can", "could", "did", "do", "does", "doing", "done", "during", "each", "else",
        "for", "from", "get", "got", "had", "has", "have", "having", "he", "her", "here", "him", "his", "how", "if", "in", "into", "is",
        "it", "its", "just", "let", "like", "may", "me", "might", "mine", "more", "most", "must", "my", "need", "no", "not", "now", "of",
        "off", "on", "once", "one", "only", "or", "other", "our", "out", "over", "own", "please", "same", "she", "should", "so", "some",
        "such", "than", "that", "the", "their", "them", "then", "there", "these", "they", "this", "those", "through", "to", "too", "under",
        "until", "up", "us", "use", "very", "want", "was", "we", "were", "what", "when", "where", "which", "while", "who", "whom", "why",
        "will", "with", "would", "you", "your", "allowed", "okay", "ok", "policy", "policies", "rule", "rules", "question", "ask", "know",
    };

    public static IReadOnlyList<CoverageGap> Group(IReadOnlyList<(string Question, string Status)> questions)
    {
        var terms = questions.Select(q => Terms(q.Question)).ToList();
        var spread = terms.SelectMany(t => t).GroupBy(t => t, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);

        var groups = new Dictionary<string, (List<string> Terms, List<int> Members)>(StringComparer.Ordinal);
        for (var i = 0; i < questions.Count; i++)
        {
            // Only words other gap questions share can say what is missing; a word seen once says nothing.
            var key = terms[i].Where(t => spread[t] >= 2).OrderByDescending(t => spread[t]).ThenBy(t => t, StringComparer.Ordinal).Take(2)
                .OrderBy(t => t, StringComparer.Ordinal).ToList();
            if (key.Count == 0)
            {
                continue;
            }
            var name = string.Join(' ', key);
            if (!groups.TryGetValue(name, out var group))
            {
                groups[name] = group = (key, []);
            }
            group.Members.Add(i);
        }

        return groups.Values.Where(g => g.Members.Count >= 2)
            .OrderByDescending(g => g.Members.Count).ThenBy(g => string.Join(' ', g.Terms), StringComparer.Ordinal)
            .Take(MaxGroups)
            .Select(g => new CoverageGap(g.Terms, g.Members.Count,
                g.Members.Count(i => questions[i].Status == "refused"), g.Members.Count(i => questions[i].Status == "uncertain"),
                g.Members.Take(ExamplesPerGroup).Select(i => questions[i].Question).ToList()))
            .ToList();
    }

    /// <summary>Distinct content words, lower-cased, with a plain plural "s" removed so "gifts" and "gift" meet.</summary>
    internal static HashSet<string> Terms(string question)
    {
        var words = new HashSet<string>(StringComparer.Ordinal);
        var current = new System.Text.StringBuilder();
        foreach (var c in question.ToLowerInvariant().Append(' '))
        {
            if (char.IsLetterOrDigit(c))
            {
                current.Append(c);
                continue;
            }
            if (current.Length >= 3)
            {
                var word = current.ToString();
                if (word.Length > 4 && word.EndsWith('s') && !word.EndsWith("ss", StringComparison.Ordinal))
                {
                    word = word[..^1];
                }
                if (!StopWords.Contains(word) && !word.All(char.IsDigit))
                {
                    words.Add(word);
                }
            }
            current.Clear();
        }
        return words;
    }
}
