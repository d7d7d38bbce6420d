using System.Globalization;
using Compliance.Knowledge.Search;

namespace Compliance.Evaluation.Running;

/// <summary>One row of the evaluation: a named configuration of <see cref="HybridSearch"/>.</summary>
public sealed record RetrievalSetting(string Name, RetrievalLists Lists, FusionMethod Fusion, int RrfK, double VectorWeight,
    int Candidates = 50, ScoreNormalization Normalization = ScoreNormalization.MinMax)
{
    public bool NeedsEmbedder => Lists != RetrievalLists.TextOnly;

    public HybridSearchOptions ToOptions(int topK) => new()
    {
        Lists = Lists,
        Fusion = Fusion,
        RrfK = RrfK,
        VectorWeight = VectorWeight,
        TextWeight = 1 - VectorWeight,
        Normalization = Normalization,
        CandidatesPerList = Candidates,
        TopK = topK,
    };

    /// <summary>The setting the API ships: <see cref="HybridSearchOptions"/>'s defaults (weights as given there).</summary>
    public static RetrievalSetting ShippedDefault { get; } = Of(new HybridSearchOptions());

    /// <summary>
    /// BM25 only, vector only, the shipped default, the previous default (RRF k=60, 50 candidates), and weighted
    /// min-max fusion at vector weights 0.3, 0.5 and 0.7.
    /// </summary>
    public static IReadOnlyList<RetrievalSetting> Standard { get; } =
    [
        new("bm25", RetrievalLists.TextOnly, FusionMethod.Rrf, 60, 0),
        new("vector", RetrievalLists.VectorOnly, FusionMethod.Rrf, 60, 1),
        ShippedDefault,
        new("hybrid rrf k=60", RetrievalLists.Hybrid, FusionMethod.Rrf, 60, 0.5),
        .. new[] { 0.3, 0.5, 0.7 }.Select(w => new RetrievalSetting(
            string.Create(CultureInfo.InvariantCulture, $"hybrid weighted v={w:0.0}"), RetrievalLists.Hybrid, FusionMethod.Weighted, 60, w)),
    ];

    private static RetrievalSetting Of(HybridSearchOptions options)
    {
        var vectorShare = options.VectorWeight / (options.TextWeight + options.VectorWeight);
        var fusion = options.Fusion == FusionMethod.Rrf
            ? string.Create(CultureInfo.InvariantCulture, $"rrf k={options.RrfK}")
            : "weighted " + (options.Normalization == ScoreNormalization.MinMax ? "min-max" : "z-score");
        return new RetrievalSetting(
            string.Create(CultureInfo.InvariantCulture, $"hybrid shipped default ({fusion}, v={vectorShare:0.00}, n={options.CandidatesPerList})"),
            RetrievalLists.Hybrid, options.Fusion, options.RrfK, vectorShare, options.CandidatesPerList, options.Normalization);
    }
}
