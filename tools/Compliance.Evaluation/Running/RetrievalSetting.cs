using System.Globalization;
using Compliance.Knowledge.Search;

namespace Compliance.Evaluation.Running;

/// <summary>One row of the evaluation: a named configuration of <see cref="HybridSearch"/>.</summary>
public sealed record RetrievalSetting(string Name, RetrievalLists Lists, FusionMethod Fusion, int RrfK, double VectorWeight)
{
    public bool NeedsEmbedder => Lists != RetrievalLists.TextOnly;

    public HybridSearchOptions ToOptions(int candidates, int topK) => new()
    {
        Lists = Lists,
        Fusion = Fusion,
        RrfK = RrfK,
        VectorWeight = VectorWeight,
        TextWeight = 1 - VectorWeight,
        CandidatesPerList = candidates,
        TopK = topK,
    };

    /// <summary>BM25 only, vector only, RRF k=60, and weighted fusion at vector weights 0.3, 0.5 and 0.7.</summary>
    public static IReadOnlyList<RetrievalSetting> Standard { get; } =
    [
        new("bm25", RetrievalLists.TextOnly, FusionMethod.Rrf, 60, 0),
        new("vector", RetrievalLists.VectorOnly, FusionMethod.Rrf, 60, 1),
        new("hybrid rrf k=60", RetrievalLists.Hybrid, FusionMethod.Rrf, 60, 0.5),
        .. new[] { 0.3, 0.5, 0.7 }.Select(w => new RetrievalSetting(
            string.Create(CultureInfo.InvariantCulture, $"hybrid weighted v={w:0.0}"), RetrievalLists.Hybrid, FusionMethod.Weighted, 60, w)),
    ];
}
