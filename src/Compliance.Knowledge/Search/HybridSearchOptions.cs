namespace Compliance.Knowledge.Search;

/// <summary>How the BM25 list and the vector list are combined.</summary>
public enum FusionMethod
{
    /// <summary>Reciprocal rank fusion: Σ 1 / (k + rank). Needs no score calibration between backends.</summary>
    Rrf,

    /// <summary>Weighted sum of each list's normalised scores (see <see cref="ScoreNormalization"/>).</summary>
    Weighted,
}

/// <summary>How weighted fusion puts BM25 scores and cosine similarities on one scale, per list and per query.</summary>
public enum ScoreNormalization
{
    /// <summary>(score − min) / (max − min) over the list: the best is 1, the last 0.</summary>
    MinMax,

    /// <summary>(score − mean) / standard deviation over the list: how far a score stands out from the rest of its list.</summary>
    ZScore,
}

/// <summary>Which lists a search runs. <see cref="Hybrid"/> falls back to text when no embedder is loaded.</summary>
public enum RetrievalLists
{
    Hybrid,
    TextOnly,
    VectorOnly,
}

/// <summary>Settings of <see cref="HybridSearch"/>.</summary>
public sealed class HybridSearchOptions
{
    // The defaults are the best setting measured on ObliQA's full dev split with arctic-embed-xs that also keeps the
    // real-model paraphrase tests (docs/retrieval-quality.md): weighted z-score fusion, BM25 0.7 / vector 0.3, 200
    // candidates per list, no lexical re-ranking. RRF k=60 ranked below BM25 alone there. Lexical re-ranking raises
    // MAP@10 on ObliQA (up to +0.9 points) but, even at its weakest (top 10, weight 0.1), makes a user's paraphrase
    // ("Can I grab some shares of a hot company going public tomorrow?") cite the wrong policy, so it stays off.

    /// <summary>Candidates fetched from each list before fusion. Default 200.</summary>
    public int CandidatesPerList { get; set; } = 200;

    /// <summary>Fusion method. Default <see cref="FusionMethod.Weighted"/>.</summary>
    public FusionMethod Fusion { get; set; } = FusionMethod.Weighted;

    /// <summary>The k of reciprocal rank fusion; larger k flattens the advantage of the top ranks. Default 60.</summary>
    public int RrfK { get; set; } = 60;

    /// <summary>
    /// Weight of the BM25 list: multiplies its normalised score in weighted fusion, its 1 / (k + rank) in RRF. Default 0.7.
    /// </summary>
    public double TextWeight { get; set; } = 0.7;

    /// <summary>
    /// Weight of the vector list: multiplies the normalised cosine similarity in weighted fusion, its 1 / (k + rank) in RRF. Default 0.3.
    /// </summary>
    public double VectorWeight { get; set; } = 0.3;

    /// <summary>Per-list score normalisation of weighted fusion. Default <see cref="ScoreNormalization.ZScore"/>.</summary>
    public ScoreNormalization Normalization { get; set; } = ScoreNormalization.ZScore;

    /// <summary>At most this many results from one document (null: no cap), so one long policy cannot crowd out the rest.</summary>
    public int? MaxChunksPerDocument { get; set; }

    /// <summary>
    /// Lexical re-ranking (LeSeR-style): the fused top this many are re-scored with BM25 computed over them alone
    /// (<see cref="CandidateBm25"/>) and re-ordered by a blend of that and their fused score. 0 turns it off.
    /// Weighted fusion only. Default 0 (off; see the note on the defaults above).
    /// </summary>
    public int LexicalRerankDepth { get; set; }

    /// <summary>
    /// Share of the candidate BM25 in the re-ranking score: (1 − w) · z(fused) + w · z(candidate BM25), both
    /// z-scored over the re-ranked candidates. 0–1. Default 0.3 (the best measured with re-ranking on).
    /// </summary>
    public double LexicalRerankWeight { get; set; } = 0.3;

    /// <summary>
    /// Per-query weights: when the BM25 list's best z-score is below this (the question's rare terms pick out no
    /// passage), the vector list's share of the weight becomes <see cref="AdaptiveVectorWeight"/>. Null: fixed weights.
    /// Weighted fusion only.
    /// </summary>
    public double? AdaptiveTextZThreshold { get; set; }

    /// <summary>The vector list's share of the total weight for a question under <see cref="AdaptiveTextZThreshold"/>. 0–1.</summary>
    public double AdaptiveVectorWeight { get; set; } = 0.5;

    /// <summary>Results returned (<c>TOP_K_RAG</c>). Default 5.</summary>
    public int TopK { get; set; } = 5;

    /// <summary>Which lists to run; text-only and vector-only exist for evaluation and diagnostics. Default hybrid.</summary>
    public RetrievalLists Lists { get; set; } = RetrievalLists.Hybrid;

    /// <summary>Throws with the name of the first invalid setting.</summary>
    public void Validate()
    {
        Check(CandidatesPerList is >= 1 and <= 1000, $"CandidatesPerList is {CandidatesPerList}; expected 1-1000.");
        Check(RrfK is >= 0 and <= 10_000, $"RrfK is {RrfK}; expected 0-10000.");
        Check(double.IsFinite(TextWeight) && TextWeight >= 0, $"TextWeight is {TextWeight}; expected a number ≥ 0.");
        Check(double.IsFinite(VectorWeight) && VectorWeight >= 0, $"VectorWeight is {VectorWeight}; expected a number ≥ 0.");
        Check(TextWeight + VectorWeight > 0, "TextWeight and VectorWeight are both 0; fusion needs one above 0.");
        Check(Enum.IsDefined(Normalization), $"Normalization is {Normalization}; expected MinMax or ZScore.");
        Check(MaxChunksPerDocument is null or >= 1, $"MaxChunksPerDocument is {MaxChunksPerDocument}; expected at least 1, or unset.");
        Check(TopK is >= 1 and <= 100, $"TopK (TOP_K_RAG) is {TopK}; expected 1-100.");
        Check(TopK <= CandidatesPerList, $"TopK ({TopK}) is larger than CandidatesPerList ({CandidatesPerList}).");
        Check(Enum.IsDefined(Fusion), $"Fusion is {Fusion}; expected Rrf or Weighted.");
        Check(LexicalRerankDepth is >= 0 and <= 2000, $"LexicalRerankDepth is {LexicalRerankDepth}; expected 0 (off) to 2000.");
        Check(double.IsFinite(LexicalRerankWeight) && LexicalRerankWeight is >= 0 and <= 1, $"LexicalRerankWeight is {LexicalRerankWeight}; expected 0-1.");
        Check(LexicalRerankDepth == 0 || Fusion == FusionMethod.Weighted, "LexicalRerankDepth is set but Fusion is Rrf; lexical re-ranking blends normalised scores, so it needs Weighted fusion.");
        Check(AdaptiveTextZThreshold is null || double.IsFinite(AdaptiveTextZThreshold.Value), $"AdaptiveTextZThreshold is {AdaptiveTextZThreshold}; expected a number, or unset.");
        Check(double.IsFinite(AdaptiveVectorWeight) && AdaptiveVectorWeight is >= 0 and <= 1, $"AdaptiveVectorWeight is {AdaptiveVectorWeight}; expected 0-1.");
        Check(AdaptiveTextZThreshold is null || Fusion == FusionMethod.Weighted, "AdaptiveTextZThreshold is set but Fusion is Rrf; adaptive weights need Weighted fusion.");
        Check(Enum.IsDefined(Lists), $"Lists is {Lists}; expected Hybrid, TextOnly or VectorOnly.");

        static void Check(bool valid, string message)
        {
            if (!valid)
            {
                throw new ArgumentException("HybridSearchOptions." + message);
            }
        }
    }
}
