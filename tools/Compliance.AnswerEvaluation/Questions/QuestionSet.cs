using System.Text.Json;

namespace Compliance.AnswerEvaluation.Questions;

/// <summary>
/// The committed evaluation questions (<c>eval/answers/questions.json</c>). <see cref="Documents"/> maps each policy
/// file name to its title, because the API cites documents by title while the questions name files.
/// </summary>
internal sealed record QuestionSet(
    string? Description,
    IReadOnlyDictionary<string, string> Documents,
    IReadOnlyList<EvaluationQuestion> Questions)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    public IEnumerable<EvaluationQuestion> Answerable => Questions.Where(q => q.Answerable);

    public IEnumerable<EvaluationQuestion> Unanswerable => Questions.Where(q => !q.Answerable);

    /// <summary>The titles a citation of <paramref name="fileName"/> may carry: the mapped title, and the bare file name.</summary>
    public IEnumerable<string> TitlesOf(string fileName)
    {
        if (Documents.TryGetValue(fileName, out var title))
        {
            yield return title;
        }
        // A document without a heading is titled after its file name by the API.
        yield return Path.GetFileNameWithoutExtension(fileName);
        yield return fileName;
    }

    /// <summary>The file name a cited title belongs to, or the title itself when the set does not know it.</summary>
    public string FileNameOf(string title) =>
        Documents.FirstOrDefault(d => string.Equals(d.Value, title, StringComparison.OrdinalIgnoreCase)).Key ?? title;

    /// <summary>Reads and checks a question file.</summary>
    /// <exception cref="InvalidDataException">The file is not valid JSON or breaks a rule of <see cref="Problems"/>.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static async Task<QuestionSet> LoadAsync(string path, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"The question file '{path}' does not exist.", path);
        }

        await using var stream = File.OpenRead(path);
        QuestionSet? set;
        try
        {
            set = await JsonSerializer.DeserializeAsync<QuestionSet>(stream, Json, cancellationToken);
        }
        catch (JsonException exception)
        {
            throw new InvalidDataException($"'{path}' is not a valid question file: {exception.Message}", exception);
        }

        if (set is null)
        {
            throw new InvalidDataException($"'{path}' is empty (JSON null).");
        }

        var problems = set.Problems();
        return problems.Count == 0
            ? set
            : throw new InvalidDataException($"'{path}' has {problems.Count} problem(s):{Environment.NewLine}  " + string.Join(Environment.NewLine + "  ", problems));
    }

    /// <summary>Every rule the file breaks, in words; empty when it is well-formed.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        // Records from JSON can hold nulls where the type says otherwise: check before use.
        if (Documents is null || Questions is null)
        {
            problems.Add("The file needs a 'documents' object (file name → title) and a 'questions' array.");
            return problems;
        }

        foreach (var group in Questions.GroupBy(q => q?.Id ?? string.Empty, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1))
        {
            problems.Add($"The id '{group.Key}' is used by {group.Count()} questions; ids must be unique.");
        }

        for (var i = 0; i < Questions.Count; i++)
        {
            var question = Questions[i];
            if (question is null)
            {
                problems.Add($"Question #{i + 1} is null.");
                continue;
            }

            var name = string.IsNullOrWhiteSpace(question.Id) ? $"Question #{i + 1}" : $"'{question.Id}'";
            if (string.IsNullOrWhiteSpace(question.Id))
            {
                problems.Add($"{name} has no id.");
            }

            if (string.IsNullOrWhiteSpace(question.Question))
            {
                problems.Add($"{name} has no question text.");
            }

            var expected = question.ExpectedDocuments ?? [];
            var facts = question.Facts ?? [];
            if (question.Answerable)
            {
                if (expected.Count == 0)
                {
                    problems.Add($"{name} is answerable but names no expected document.");
                }

                if (facts.Count == 0 || facts.Any(string.IsNullOrWhiteSpace))
                {
                    problems.Add($"{name} is answerable but has no facts, or an empty one.");
                }
            }
            else if (expected.Count > 0 || facts.Count > 0 || question.ExpectedSections is { Count: > 0 })
            {
                problems.Add($"{name} is unanswerable, so it must not expect documents, sections or facts.");
            }

            foreach (var document in expected.Where(d => !Documents.ContainsKey(d)))
            {
                problems.Add($"{name} expects '{document}', which is not in 'documents'.");
            }
        }

        return problems;
    }
}

/// <summary>
/// One question as an employee would ask it. For an answerable one, <see cref="ExpectedDocuments"/> are the policy
/// files an answer should cite, <see cref="ExpectedSections"/> (optional) the headings it should point at, and
/// <see cref="Facts"/> phrases taken verbatim from those files that a complete answer contains.
/// </summary>
internal sealed record EvaluationQuestion(
    string Id,
    string Question,
    IReadOnlyList<string> ExpectedDocuments,
    IReadOnlyList<string>? ExpectedSections,
    IReadOnlyList<string> Facts,
    bool Answerable);
