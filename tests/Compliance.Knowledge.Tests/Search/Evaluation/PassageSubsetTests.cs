using Compliance.Evaluation.Dataset;
using Compliance.Evaluation.Running;

namespace Compliance.Knowledge.Tests.Search.Evaluation;

/// <summary><c>--limit-passages</c>: a smaller corpus that keeps every judgement answerable.</summary>
public sealed class PassageSubsetTests
{
    private static readonly List<Passage> Corpus =
        [.. Enumerable.Range(0, 100).Select(i => new Passage($"p{i:000}", 1 + (i / 10), $"{i % 10}", $"passage {i}"))];

    private static readonly List<EvaluationQuestion> Questions =
    [
        new("q1", "first", new HashSet<string> { "p003", "p097" }),
        new("q2", "second", new HashSet<string> { "p050" }),
    ];

    [Fact]
    public void Keeps_every_relevant_passage_and_spreads_the_others_over_all_documents()
    {
        var subset = PassageSubset.Select(Corpus, Questions, 23);

        Assert.Equal(23, subset.Count);
        Assert.Contains(subset, p => p.Id == "p003");
        Assert.Contains(subset, p => p.Id == "p050");
        Assert.Contains(subset, p => p.Id == "p097");
        // Ten documents of ten passages; twenty distractors spread evenly take two from each.
        Assert.All(subset.GroupBy(p => p.DocumentId), g => Assert.InRange(g.Count(), 2, 3));
        Assert.Equal(subset.Select(p => p.Id).Order(StringComparer.Ordinal), subset.Select(p => p.Id)); // corpus order kept
    }

    [Fact]
    public void A_limit_below_the_relevant_passages_keeps_just_those_and_a_large_one_keeps_everything()
    {
        Assert.Equal(["p003", "p050", "p097"], PassageSubset.Select(Corpus, Questions, 2).Select(p => p.Id));
        Assert.Same(Corpus, PassageSubset.Select(Corpus, Questions, 100));
        Assert.Throws<ArgumentOutOfRangeException>(() => PassageSubset.Select(Corpus, Questions, 0));
    }

    [Fact]
    public async Task A_document_subset_keeps_whole_documents_and_only_the_questions_answered_inside_them()
    {
        var fixture = Path.Combine(AppContext.BaseDirectory, "Search", "Evaluation", "obliqa-mini");
        var index = Path.Combine(Path.GetTempPath(), $"compliance-docs-{Guid.NewGuid():N}.db");
        try
        {
            var report = await RetrievalEvaluation.RunAsync(
                new EvaluationRequest(fixture, "questions.json", null, null, index, MaxDocuments: 1), null, TestContext.Current.CancellationToken);

            // Document 1 (1.json) has 4 passages with text; q-0001 and q-0002 are answered there, q-0003..5 in document 2.
            Assert.Equal(4, report.Passages);
            Assert.Equal(2, report.Questions);
            Assert.Contains(report.Notes, n => n.StartsWith("Document subset: the first 1 documents (4 of 8 passages) and the 2 of 5 questions", StringComparison.Ordinal));
        }
        finally
        {
            foreach (var file in new[] { index, index + "-wal", index + "-shm" })
            {
                File.Delete(file);
            }
        }
    }

    [Fact]
    public async Task The_report_counts_the_subset_and_says_it_is_one()
    {
        var fixture = Path.Combine(AppContext.BaseDirectory, "Search", "Evaluation", "obliqa-mini");
        var index = Path.Combine(Path.GetTempPath(), $"compliance-subset-{Guid.NewGuid():N}.db");
        try
        {
            var report = await RetrievalEvaluation.RunAsync(
                new EvaluationRequest(fixture, "questions.json", null, null, index, MaxPassages: 6), null, TestContext.Current.CancellationToken);

            Assert.Equal(6, report.Passages);
            Assert.Contains(report.Notes, n => n.StartsWith("Passage subset: 6 of 8 passages", StringComparison.Ordinal));
            // Every relevant passage is still in the corpus, so BM25 still finds each question's passage.
            Assert.Equal(1.0, report.Results.Single(r => r.Setting == "bm25").RecallAt10, 9);
        }
        finally
        {
            foreach (var file in new[] { index, index + "-wal", index + "-shm" })
            {
                File.Delete(file);
            }
        }
    }
}
