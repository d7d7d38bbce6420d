namespace Compliance.Evaluation.Dataset;

/// <summary>
/// A smaller corpus for machines where embedding all of ObliQA's 13,012 passages takes too long: every passage
/// judged relevant to an evaluated question, plus other passages spread evenly over the whole corpus (every
/// document contributes distractors) up to the limit. Scores on a subset are higher than on the full corpus.
/// </summary>
public static class PassageSubset
{
    public static IReadOnlyList<Passage> Select(IReadOnlyList<Passage> passages, IReadOnlyList<EvaluationQuestion> questions, int maxPassages)
    {
        ArgumentNullException.ThrowIfNull(passages);
        ArgumentNullException.ThrowIfNull(questions);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPassages, 1);
        if (maxPassages >= passages.Count)
        {
            return passages;
        }
        var relevant = questions.SelectMany(q => q.Relevant).ToHashSet(StringComparer.Ordinal);
        var others = passages.Where(p => !relevant.Contains(p.Id)).ToList();
        var budget = Math.Max(0, maxPassages - (passages.Count - others.Count));
        // Evenly spaced picks, so the distractors come from every document, not just the first few files.
        var picked = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < budget; i++)
        {
            picked.Add(others[(int)((long)i * others.Count / budget)].Id);
        }
        return passages.Where(p => relevant.Contains(p.Id) || picked.Contains(p.Id)).ToList();
    }
}

/// <summary>
/// A sub-corpus of whole documents: the first <c>maxDocuments</c> documents in file order (the order passages are
/// embedded in) and only the questions whose every relevant passage lies in them. Lets two models be compared
/// on the same documents while a full run is still embedding; scores are higher than on the full corpus.
/// </summary>
public static class DocumentSubset
{
    public static (IReadOnlyList<Passage> Passages, IReadOnlyList<EvaluationQuestion> Questions) Select(
        IReadOnlyList<Passage> passages, IReadOnlyList<EvaluationQuestion> questions, int maxDocuments)
    {
        ArgumentNullException.ThrowIfNull(passages);
        ArgumentNullException.ThrowIfNull(questions);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxDocuments, 1);
        var kept = passages.Select(p => p.DocumentId).Distinct().Take(maxDocuments).ToHashSet();
        var corpus = passages.Where(p => kept.Contains(p.DocumentId)).ToList();
        var ids = corpus.Select(p => p.Id).ToHashSet(StringComparer.Ordinal);
        return (corpus, questions.Where(q => q.Relevant.All(ids.Contains)).ToList());
    }
}
