using System.Text.Json;
using System.Text.Json.Serialization;

namespace Compliance.Evaluation.Dataset;

/// <summary>One corpus passage: ObliQA's <c>StructuredRegulatoryDocuments/N.json</c> entries.</summary>
public sealed record Passage(
    [property: JsonPropertyName("ID")] string Id,
    [property: JsonPropertyName("DocumentID")] int DocumentId,
    [property: JsonPropertyName("PassageID")] string PassageId,
    [property: JsonPropertyName("Passage")] string Text);

/// <summary>A question with the passage ids (the corpus uuids) judged relevant.</summary>
public sealed record EvaluationQuestion(string Id, string Text, IReadOnlySet<string> Relevant);

/// <summary>
/// A retrieval dataset in ObliQA's original format: passages in <c>StructuredRegulatoryDocuments/*.json</c>,
/// questions in a JSON list whose <c>Passages</c> name relevant passages by (DocumentID, PassageID).
/// </summary>
public sealed class ObliqaDataset
{
    private ObliqaDataset(IReadOnlyList<Passage> passages, IReadOnlyList<EvaluationQuestion> questions, int unresolved, int emptyPassages)
    {
        Passages = passages;
        Questions = questions;
        UnresolvedJudgements = unresolved;
        EmptyPassages = emptyPassages;
    }

    /// <summary>Passages with text (empty heading-only passages are left out: there is nothing to retrieve).</summary>
    public IReadOnlyList<Passage> Passages { get; }

    /// <summary>Questions with at least one resolvable relevant passage.</summary>
    public IReadOnlyList<EvaluationQuestion> Questions { get; }

    /// <summary>Relevance judgements whose (DocumentID, PassageID) is not in the corpus.</summary>
    public int UnresolvedJudgements { get; }

    public int EmptyPassages { get; }

    /// <summary>
    /// Loads <paramref name="root"/>/StructuredRegulatoryDocuments and the question file. A key that occurs more
    /// than once in the corpus (ObliQA has 17) is resolved to the passage with the judgement's exact text, or to
    /// every passage with that key when none matches exactly.
    /// </summary>
    public static async Task<ObliqaDataset> LoadAsync(string root, string questionFile, int? maxQuestions, CancellationToken cancellationToken)
    {
        var documents = Path.Combine(root, "StructuredRegulatoryDocuments");
        if (!Directory.Exists(documents))
        {
            throw new DirectoryNotFoundException($"{documents} does not exist; give the folder that holds ObliQA's StructuredRegulatoryDocuments.");
        }
        var questionPath = Path.IsPathRooted(questionFile) ? questionFile : Path.Combine(root, questionFile);
        if (!File.Exists(questionPath))
        {
            throw new FileNotFoundException($"The question file {questionPath} does not exist.", questionPath);
        }

        var all = new List<Passage>();
        foreach (var file in Directory.EnumerateFiles(documents, "*.json").Order(StringComparer.Ordinal))
        {
            await using var stream = File.OpenRead(file);
            var passages = await JsonSerializer.DeserializeAsync<List<Passage>>(stream, cancellationToken: cancellationToken)
                ?? throw new InvalidDataException($"{file} is not a JSON list of passages.");
            all.AddRange(passages);
        }
        var byKey = all.GroupBy(p => (p.DocumentId, p.PassageId)).ToDictionary(g => g.Key, g => g.ToList());

        List<RawQuestion> raw;
        await using (var stream = File.OpenRead(questionPath))
        {
            raw = await JsonSerializer.DeserializeAsync<List<RawQuestion>>(stream, cancellationToken: cancellationToken)
                ?? throw new InvalidDataException($"{questionPath} is not a JSON list of questions.");
        }
        var unresolved = 0;
        var questions = new List<EvaluationQuestion>();
        foreach (var question in raw.Take(maxQuestions ?? int.MaxValue))
        {
            var relevant = new HashSet<string>(StringComparer.Ordinal);
            foreach (var judgement in question.Passages)
            {
                if (!byKey.TryGetValue((judgement.DocumentId, judgement.PassageId), out var candidates))
                {
                    unresolved++;
                    continue;
                }
                var exact = candidates.Where(c => c.Text.Trim() == judgement.Text.Trim()).ToList();
                relevant.UnionWith((candidates.Count > 1 && exact.Count > 0 ? exact : candidates).Select(c => c.Id));
            }
            if (relevant.Count > 0)
            {
                questions.Add(new EvaluationQuestion(question.QuestionId, question.Question, relevant));
            }
        }
        var withText = all.Where(p => !string.IsNullOrWhiteSpace(p.Text)).ToList();
        return new ObliqaDataset(withText, questions, unresolved, all.Count - withText.Count);
    }

    private sealed record RawQuestion(
        [property: JsonPropertyName("QuestionID")] string QuestionId,
        [property: JsonPropertyName("Question")] string Question,
        [property: JsonPropertyName("Passages")] List<Passage> Passages);
}
