using System.Globalization;
using Compliance.Knowledge.Search;

namespace Compliance.Evaluation.Running;

/// <summary>One row of the evaluation: a named configuration of <see cref="HybridSearch"/>.</summary>
public sealed record RetrievalSetting(string Name, RetrievalLists Lists, FusionMethod Fusion, int RrfK, double VectorWeight,
    int Candidates = 50, ScoreNormalization Normalization = ScoreNormalization.MinMax,
    int RerankDepth = 0, double RerankWeight = 0.5, double? AdaptiveZ = null, double AdaptiveVectorWeight = 0.5)
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
        LexicalRerankDepth = RerankDepth,
        LexicalRerankWeight = RerankWeight,
        AdaptiveTextZThreshold = AdaptiveZ,
        AdaptiveVectorWeight = AdaptiveVectorWeight,
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
        // The second round's knobs, searched for real so the sweep's in-memory versions can be checked against them.
        new("hybrid z-score v=0.3 rerank top 20 w=0.3", RetrievalLists.Hybrid, FusionMethod.Weighted, 60, 0.3, 50, ScoreNormalization.ZScore, 20, 0.3),
        new("hybrid z-score v=0.3 adaptive z<3→v=0.6", RetrievalLists.Hybrid, FusionMethod.Weighted, 60, 0.3, 50, ScoreNormalization.ZScore, AdaptiveZ: 3, AdaptiveVectorWeight: 0.6),
    ];

    private static RetrievalSetting Of(HybridSearchOptions options)
    {
        var vectorShare = options.VectorWeight / (options.TextWeight + options.VectorWeight);
        var fusion = options.Fusion == FusionMethod.Rrf
            ? string.Create(CultureInfo.InvariantCulture, $"rrf k={options.RrfK}")
            : "weighted " + (options.Normalization == ScoreNormalization.MinMax ? "min-max" : "z-score");
        var extras = (options.AdaptiveTextZThreshold is { } z ? string.Create(CultureInfo.InvariantCulture, $", adaptive z<{z:0.0}→v={options.AdaptiveVectorWeight:0.00}") : "")
            + (options.LexicalRerankDepth > 0 ? string.Create(CultureInfo.InvariantCulture, $", rerank top {options.LexicalRerankDepth} w={options.LexicalRerankWeight:0.00}") : "");
        return new RetrievalSetting(
            string.Create(CultureInfo.InvariantCulture, $"hybrid shipped default ({fusion}, v={vectorShare:0.00}, n={options.CandidatesPerList}{extras})"),
            RetrievalLists.Hybrid, options.Fusion, options.RrfK, vectorShare, options.CandidatesPerList, options.Normalization,
            options.LexicalRerankDepth, options.LexicalRerankWeight, options.AdaptiveTextZThreshold, options.AdaptiveVectorWeight);
    }
}
