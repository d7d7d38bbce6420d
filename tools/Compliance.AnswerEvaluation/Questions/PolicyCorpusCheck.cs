using System.Text.RegularExpressions;

namespace Compliance.AnswerEvaluation.Questions;

/// <summary>
/// Checks a question set against the policy files it was written from: each document exists and carries the title
/// the set maps it to, each expected section is a heading in an expected document, and each fact appears verbatim
/// (ignoring case and line breaks) in one of them. A fact that is not in the policies would score a correct
/// answer as wrong.
/// </summary>
internal static partial class PolicyCorpusCheck
{
    public static IReadOnlyList<string> Problems(QuestionSet set, string policiesFolder)
    {
        ArgumentNullException.ThrowIfNull(set);
        if (!Directory.Exists(policiesFolder))
        {
            return [$"The policies folder '{policiesFolder}' does not exist."];
        }

        var problems = new List<string>();
        var texts = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (file, title) in set.Documents)
        {
            var path = Path.Combine(policiesFolder, file);
            if (!File.Exists(path))
            {
                problems.Add($"The document '{file}' is not in {policiesFolder}.");
                continue;
            }

            var text = File.ReadAllText(path);
            var heading = text.Split('\n').Select(l => l.TrimEnd('\r')).FirstOrDefault(l => l.StartsWith("# ", StringComparison.Ordinal))?[2..].Trim();
            if (!string.Equals(heading, title, StringComparison.Ordinal))
            {
                problems.Add($"'{file}' is titled '{heading}', but the question set calls it '{title}'.");
            }

            texts[file] = Flatten(text);
        }

        foreach (var question in set.Answerable)
        {
            var sources = question.ExpectedDocuments.Where(texts.ContainsKey).Select(d => texts[d]).ToList();
            if (sources.Count == 0)
            {
                continue;
            }

            foreach (var fact in question.Facts.Where(f => !sources.Any(s => s.Contains(Flatten(f), StringComparison.OrdinalIgnoreCase))))
            {
                problems.Add($"'{question.Id}': the fact \"{fact}\" is not in {string.Join(", ", question.ExpectedDocuments)}.");
            }

            foreach (var section in (question.ExpectedSections ?? []).Where(s => !sources.Any(t => t.Contains("# " + Flatten(s), StringComparison.OrdinalIgnoreCase))))
            {
                problems.Add($"'{question.Id}': the section \"{section}\" is not a heading in {string.Join(", ", question.ExpectedDocuments)}.");
            }
        }

        return problems;
    }

    /// <summary>Line breaks inside a paragraph are layout, not content: runs of whitespace become one space.</summary>
    private static string Flatten(string text) => Whitespace().Replace(text, " ");

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
