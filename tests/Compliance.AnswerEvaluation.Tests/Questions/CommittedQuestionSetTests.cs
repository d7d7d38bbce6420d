using System.Text.RegularExpressions;
using Compliance.AnswerEvaluation.Questions;
using Compliance.AnswerEvaluation.Tests.Infrastructure;

namespace Compliance.AnswerEvaluation.Tests.Questions;

/// <summary>The committed eval/answers/questions.json is usable: enough questions, and nothing it expects is invented.</summary>
public sealed partial class CommittedQuestionSetTests
{
    private static readonly Lazy<Task<QuestionSet>> CommittedSet = new(() => QuestionSet.LoadAsync(Repository.QuestionFile, CancellationToken.None));

    [Fact]
    public async Task It_loads_without_problems_and_its_ids_are_unique()
    {
        var set = await CommittedSet.Value;

        Assert.Empty(set.Problems());
        Assert.Equal(set.Questions.Count, set.Questions.Select(q => q.Id).Distinct(StringComparer.OrdinalIgnoreCase).Count());
    }

    [Fact]
    public async Task It_has_at_least_40_answerable_and_10_unanswerable_questions()
    {
        var set = await CommittedSet.Value;

        Assert.True(set.Answerable.Count() >= 40, $"{set.Answerable.Count()} answerable questions");
        Assert.True(set.Unanswerable.Count() >= 10, $"{set.Unanswerable.Count()} unanswerable questions");
    }

    [Fact]
    public async Task Every_sample_policy_is_expected_by_some_question_and_every_expected_document_exists()
    {
        var set = await CommittedSet.Value;
        var samples = Directory.GetFiles(Repository.SamplePolicies, "*.md").Select(Path.GetFileName)
            .Where(f => !string.Equals(f, "README.md", StringComparison.OrdinalIgnoreCase)).Order(StringComparer.Ordinal).ToList();

        Assert.Equal(samples, set.Documents.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(samples, set.Answerable.SelectMany(q => q.ExpectedDocuments).Distinct().Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Every_title_section_and_fact_is_in_the_expected_policies()
    {
        var set = await CommittedSet.Value;

        var problems = PolicyCorpusCheck.Problems(set, Repository.SamplePolicies);

        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    [Fact]
    public async Task Unanswerable_questions_use_none_of_the_policies_defined_terms()
    {
        // A sanity check on the negatives: no unanswerable question may contain a defined term of the policies
        // (capitalised words such as "Covered Person", "TradeClear") that would make it answerable.
        var set = await CommittedSet.Value;
        var policyText = string.Join(' ', Directory.GetFiles(Repository.SamplePolicies, "*.md").Select(File.ReadAllText));
        var definedTerms = DefinedTerm().Matches(policyText).Select(m => m.Groups["term"].Value).ToHashSet(StringComparer.OrdinalIgnoreCase);

        var offenders = set.Unanswerable.Where(q => definedTerms.Any(t => q.Question.Contains(t, StringComparison.OrdinalIgnoreCase))).Select(q => q.Id).ToList();

        Assert.NotEmpty(definedTerms);
        Assert.Empty(offenders);
    }

    [Fact]
    public async Task Paraphrase_questions_are_worded_unlike_the_sections_they_need()
    {
        // The para-* questions test the semantic gate: the section that answers each must NOT contain enough of the
        // question's key terms to pass the key-term gate (MIN_TERM_COVERAGE 0.55) even if retrieval found it first.
        var set = await CommittedSet.Value;
        var paraphrases = set.Answerable.Where(q => q.Id.StartsWith("para-", StringComparison.Ordinal)).ToList();

        var offenders = paraphrases.Select(q =>
        {
            var section = string.Join(' ', q.ExpectedSections!.Select(s => SectionText(Path.Combine(Repository.SamplePolicies, q.ExpectedDocuments[0]), s)));
            var sectionTerms = Compliance.Api.Answers.RetrievalConfidence.KeyTerms(section).ToHashSet(StringComparer.Ordinal);
            var terms = Compliance.Api.Answers.RetrievalConfidence.KeyTerms(q.Question);
            return (q.Id, Coverage: terms.Count(sectionTerms.Contains) / (double)terms.Count);
        }).Where(p => p.Coverage >= 0.55).ToList();

        Assert.True(paraphrases.Count >= 20, $"{paraphrases.Count} paraphrase questions");
        Assert.Empty(offenders);
    }

    /// <summary>The text under a heading, up to the next heading.</summary>
    private static string SectionText(string file, string heading)
    {
        var lines = File.ReadAllLines(file);
        var start = Array.FindIndex(lines, l => l.StartsWith('#') && l.TrimStart('#').Trim() == heading);
        Assert.True(start >= 0, $"'{heading}' is not a heading of {file}");
        return string.Join('\n', lines.Skip(start).TakeWhile((l, i) => i == 0 || !l.StartsWith('#')));
    }

    [Fact]
    public async Task The_check_finds_a_fact_that_is_not_in_the_policies()
    {
        var set = await CommittedSet.Value;
        var first = set.Answerable.First();
        var tampered = set with { Questions = [first with { Facts = [.. first.Facts, "$999 per quarter"] }] };

        var problems = PolicyCorpusCheck.Problems(tampered, Repository.SamplePolicies);

        Assert.Contains(problems, p => p.Contains("$999 per quarter", StringComparison.Ordinal) && p.Contains(first.Id, StringComparison.Ordinal));
    }

    [GeneratedRegex(@"\*\*(?<term>[^*]+)\*\*:")]
    private static partial Regex DefinedTerm();
}
