using System.Text;
using Compliance.AnswerEvaluation.Questions;
using static Compliance.AnswerEvaluation.Tests.Infrastructure.Responses;

namespace Compliance.AnswerEvaluation.Tests.Questions;

public sealed class QuestionSetTests : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("answer-eval-questions-");

    public void Dispose() => _folder.Delete(recursive: true);

    [Fact]
    public void Each_broken_rule_is_named()
    {
        var set = Set with
        {
            Questions =
            [
                Answerable("dup", "First?", ["gifts-and-entertainment.md"], ["$100"]),
                Answerable("DUP", "Second?", ["gifts-and-entertainment.md"], ["$100"]),
                Answerable("no-docs", "Where?", [], ["$100"]),
                Answerable("no-facts", "What?", ["gifts-and-entertainment.md"], []),
                Answerable("unknown-doc", "Which?", ["cafeteria.md"], ["soup"]),
                new("refuse-with-facts", "Leave?", [], null, ["12 weeks"], false),
                Answerable("", " ", ["gifts-and-entertainment.md"], ["$100"]),
            ],
        };

        var problems = set.Problems();

        Assert.Contains("The id 'dup' is used by 2 questions; ids must be unique.", problems);
        Assert.Contains("'no-docs' is answerable but names no expected document.", problems);
        Assert.Contains("'no-facts' is answerable but has no facts, or an empty one.", problems);
        Assert.Contains("'unknown-doc' expects 'cafeteria.md', which is not in 'documents'.", problems);
        Assert.Contains("'refuse-with-facts' is unanswerable, so it must not expect documents, sections or facts.", problems);
        Assert.Contains("Question #7 has no id.", problems);
        Assert.Contains("Question #7 has no question text.", problems);
        Assert.Empty(Set.Problems());
    }

    [Fact]
    public async Task Loading_a_file_with_problems_fails_with_every_problem_listed()
    {
        var path = Write("""
            { "documents": { "a.md": "A" },
              "questions": [ { "id": "x", "question": "q?", "expectedDocuments": ["b.md"], "facts": ["f"], "answerable": true } ] }
            """);

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => QuestionSet.LoadAsync(path, TestContext.Current.CancellationToken));

        Assert.Contains("'x' expects 'b.md', which is not in 'documents'.", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{ not json")]
    [InlineData("null")]
    [InlineData("{ \"questions\": [] }")]
    public async Task A_file_that_is_not_a_question_set_is_refused_clearly(string content)
    {
        var path = Write(content);

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => QuestionSet.LoadAsync(path, TestContext.Current.CancellationToken));

        Assert.Contains(path, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_file_is_named()
    {
        var path = Path.Combine(_folder.FullName, "nope.json");
        var error = await Assert.ThrowsAsync<FileNotFoundException>(() => QuestionSet.LoadAsync(path, TestContext.Current.CancellationToken));
        Assert.Contains("nope.json", error.Message, StringComparison.Ordinal);
    }

    private string Write(string content)
    {
        var path = Path.Combine(_folder.FullName, Guid.NewGuid().ToString("N") + ".json");
        File.WriteAllText(path, content, new UTF8Encoding(false));
        return path;
    }
}
