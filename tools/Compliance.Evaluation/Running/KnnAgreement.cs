using System.Globalization;
using Compliance.Evaluation.Dataset;
using Compliance.Knowledge.Embeddings;
using Compliance.Knowledge.Indexing;

namespace Compliance.Evaluation.Running;

/// <summary>
/// How much of an exact KNN an index's vector search returns: for every question, the share of the exact top 10 and
/// top 50 (cosine over every passage vector, computed here) that the index's own top 50 holds. RediSearch answers
/// a tenant-only filter from its HNSW graph in batches, which may miss a true neighbour; this measures how often.
/// </summary>
public static class KnnAgreement
{
    private const int Depth = 50;

    public static async Task<string> MeasureAsync(
        IKnowledgeIndex index, ITextEmbedder questions, IReadOnlyList<EvaluationQuestion> asked, IReadOnlyList<(string Id, float[] Vector)> passages, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(index);
        ArgumentNullException.ThrowIfNull(questions);
        ArgumentNullException.ThrowIfNull(asked);
        ArgumentNullException.ThrowIfNull(passages);
        double at10 = 0, at50 = 0;
        var filter = new SearchFilter(Tenants.Global);
        foreach (var question in asked)
        {
            var vector = await questions.EmbedQueryAsync(question.Text, cancellationToken);
            var exact = passages
                .Select(p => (p.Id, Score: Dot(vector, p.Vector)))
                .OrderByDescending(p => p.Score).ThenBy(p => p.Id, StringComparer.Ordinal)
                .Take(Depth).Select(p => p.Id).ToList();
            var found = (await index.SearchVectorAsync(vector, filter, Depth, cancellationToken)).Select(r => r.Chunk.ChunkId).ToHashSet(StringComparer.Ordinal);
            at10 += exact.Take(10).Count(found.Contains) / 10.0;
            at50 += exact.Count(found.Contains) / (double)Math.Max(exact.Count, 1);
        }
        var n = Math.Max(asked.Count, 1);
        return string.Create(CultureInfo.InvariantCulture,
            $"KNN against an exact scan ({asked.Count} questions, {passages.Count} passages): the index's top {Depth} holds {at10 / n:P2} of the exact top 10 and {at50 / n:P2} of the exact top {Depth}.");
    }

    private static double Dot(float[] a, float[] b)
    {
        double sum = 0;
        for (var i = 0; i < a.Length; i++)
        {
            sum += a[i] * b[i];
        }
        return sum;
    }
}
