using Compliance.Knowledge.Indexing;
using Compliance.Knowledge.Search;
using Compliance.Knowledge.Tests.Indexing;

namespace Compliance.Knowledge.Tests.Search;

/// <summary>The second round of issue 12's fusion knobs: lexical re-ranking of the fused candidates, and per-query weights.</summary>
public sealed class LexicalRerankTests
{
    private const string Question = "Must gifts from suppliers above the hospitality threshold be declared?";

    // The BM25 list ranks passages that share the common words; the passage that answers the question (it holds the
    // question's rare terms "suppliers", "hospitality", "threshold", "declared") reached only the vector list, as a
    // vector-only candidate does when the index's BM25 list is cut before it.
    private static readonly ChunkRecord Answer = Chunk("answer", "Gifts and hospitality from a supplier above the threshold of 100 EUR must be declared to Compliance.");
    private static readonly ChunkRecord[] Lexical =
    [
        Chunk("t1", "Gifts to charities must be approved by the board before they are made."),
        Chunk("t2", "Employees must declare outside directorships to their manager."),
        Chunk("t3", "Gifts of company property are not allowed."),
        Chunk("t4", "Expenses must be declared within thirty days."),
        Chunk("t5", "Training must be completed every year."),
    ];

    private static ChunkRecord Chunk(string id, string text) => TestChunks.Make(text, title: "", chunkId: id);

    private static List<RankedChunk> TextList() => [.. Lexical.Select((c, i) => new RankedChunk(c, i + 1, 20 - (3 * i)))];

    private static List<RankedChunk> VectorList() =>
    [
        new(Lexical[4], 1, 0.84),
        new(Answer, 2, 0.83),
        new(Lexical[1], 3, 0.80),
        new(Lexical[3], 4, 0.79),
        new(Lexical[2], 5, 0.70),
    ];

    private static HybridSearchOptions Options(int rerankDepth, double rerankWeight = 0.5) => new()
    {
        Fusion = FusionMethod.Weighted,
        Normalization = ScoreNormalization.ZScore,
        TextWeight = 0.7,
        VectorWeight = 0.3,
        LexicalRerankDepth = rerankDepth,
        LexicalRerankWeight = rerankWeight,
    };

    [Fact]
    public void A_passage_found_only_by_meaning_that_holds_the_questions_rare_terms_rises_after_lexical_reranking()
    {
        var fusedOnly = RankFusion.Fuse(Question, TextList(), VectorList(), Options(rerankDepth: 0), topK: 6);
        var reranked = RankFusion.Fuse(Question, TextList(), VectorList(), Options(rerankDepth: 6), topK: 5);

        var before = fusedOnly.Single(h => h.Chunk.ChunkId == "answer").Rank;
        Assert.True(before > 1, $"the answer should not already lead the plain fusion (rank {before})");
        Assert.Equal("answer", reranked[0].Chunk.ChunkId);
        // Its place in each list is still reported as the lists had it: found by meaning only.
        Assert.Null(reranked[0].TextRank);
        Assert.Equal(2, reranked[0].VectorRank);
    }

    [Fact]
    public void Reranking_only_reorders_the_fused_top_n_and_leaves_the_rest_below_it()
    {
        var fused = RankFusion.Fuse(Question, TextList(), VectorList(), Options(0), topK: 6).Select(h => h.Chunk.ChunkId).ToList();
        var reranked = RankFusion.Fuse(Question, TextList(), VectorList(), Options(rerankDepth: 3), topK: 6).Select(h => h.Chunk.ChunkId).ToList();

        Assert.Equal(fused.Take(3).Order(), reranked.Take(3).Order());
        Assert.Equal(fused.Skip(3), reranked.Skip(3));
    }

    [Fact]
    public void A_question_with_no_searchable_words_keeps_the_fused_order()
    {
        var fused = RankFusion.Fuse("what is the?", TextList(), VectorList(), Options(0), topK: 6).Select(h => h.Chunk.ChunkId);
        var reranked = RankFusion.Fuse("what is the?", TextList(), VectorList(), Options(rerankDepth: 6, rerankWeight: 1), topK: 6).Select(h => h.Chunk.ChunkId);

        Assert.Equal(fused, reranked);
    }

    [Fact]
    public void Lexical_only_search_keeps_the_indexs_bm25_order_when_reranking_is_on()
    {
        var hits = RankFusion.Fuse(Question, TextList(), [], Options(rerankDepth: 6, rerankWeight: 1), topK: 5);

        Assert.Equal(Lexical.Select(c => c.ChunkId), hits.Select(h => h.Chunk.ChunkId));
    }

    [Fact]
    public void Candidate_bm25_matches_plurals_and_verb_forms_and_weighs_rare_terms_above_common_ones()
    {
        ChunkRecord[] candidates =
        [
            Chunk("a", "A gift from a supplier must be declared."),
            Chunk("b", "Trading in company shares is restricted."),
            Chunk("c", "Every employee must read this policy."),
        ];

        var gifts = CandidateBm25.Score("Gifts from suppliers", candidates);
        var trades = CandidateBm25.Score("When may I trade shares?", candidates);

        Assert.True(gifts[0] > 0 && gifts[1] == 0 && gifts[2] == 0, string.Join(", ", gifts));
        Assert.True(trades[1] > 0 && trades[0] == 0, string.Join(", ", trades));
        Assert.Equal([0, 0, 0], CandidateBm25.Score("what is the?", candidates));
        // "must" is in two of the three candidates, "gift" in one: the rarer word counts more.
        var must = CandidateBm25.Score("must", candidates)[0];
        var gift = CandidateBm25.Score("gift", candidates)[0];
        Assert.True(gift > must, $"gift {gift} vs must {must}");
    }

    [Fact]
    public void Adaptive_weights_let_meaning_decide_when_no_passage_stands_out_lexically()
    {
        // A flat BM25 list (no passage's words stand out) and a vector list that prefers another passage.
        var flatText = new List<RankedChunk> { new(Lexical[0], 1, 10.2), new(Lexical[1], 2, 10.1), new(Lexical[2], 3, 10.0), new(Lexical[3], 4, 9.9) };
        var vector = new List<RankedChunk> { new(Lexical[3], 1, 0.9), new(Lexical[2], 2, 0.6), new(Lexical[1], 3, 0.55), new(Lexical[0], 4, 0.5) };
        var fixedWeights = new HybridSearchOptions { Fusion = FusionMethod.Weighted, Normalization = ScoreNormalization.ZScore, TextWeight = 0.8, VectorWeight = 0.2 };
        var adaptive = new HybridSearchOptions
        {
            Fusion = FusionMethod.Weighted, Normalization = ScoreNormalization.ZScore, TextWeight = 0.8, VectorWeight = 0.2,
            AdaptiveTextZThreshold = 3, AdaptiveVectorWeight = 0.7,
        };

        Assert.Equal("t1", RankFusion.Fuse(Question, flatText, vector, fixedWeights, 1)[0].Chunk.ChunkId);
        Assert.Equal("t4", RankFusion.Fuse(Question, flatText, vector, adaptive, 1)[0].Chunk.ChunkId);
        Assert.Equal((0.3, 0.7), Round(RankFusion.WeightsFor(flatText, adaptive)));

        // A BM25 list whose top passage stands far out keeps the configured weights.
        var sharp = new List<RankedChunk> { new(Lexical[0], 1, 50) };
        sharp.AddRange(Enumerable.Range(0, 20).Select(i => new RankedChunk(Chunk($"x{i}", "filler"), i + 2, 5 - (0.01 * i))));
        Assert.Equal((0.8, 0.2), Round(RankFusion.WeightsFor(sharp, adaptive)));

        static (double, double) Round((double Text, double Vector) w) => (Math.Round(w.Text, 9), Math.Round(w.Vector, 9));
    }
}
