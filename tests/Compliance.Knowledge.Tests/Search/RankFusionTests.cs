using Compliance.Knowledge.Indexing;
using Compliance.Knowledge.Search;
using Compliance.Knowledge.Tests.Indexing;

namespace Compliance.Knowledge.Tests.Search;

public sealed class RankFusionTests
{
    private static readonly Guid DocumentA = Guid.NewGuid();
    private static readonly Guid DocumentB = Guid.NewGuid();

    private static ChunkRecord Chunk(string id, Guid? document = null) =>
        TestChunks.Make("text " + id, documentId: document ?? DocumentA, chunkId: id);

    private static List<RankedChunk> List(params (string Id, double Score)[] items) =>
        items.Select((item, i) => new RankedChunk(Chunk(item.Id), i + 1, item.Score)).ToList();

    [Fact]
    public void Rrf_adds_one_over_k_plus_rank_from_each_list()
    {
        var text = List(("a", 9), ("b", 8), ("c", 7));
        var vector = List(("c", 0.9), ("d", 0.8), ("a", 0.7));

        var hits = RankFusion.Rrf(text, vector, k: 60, topK: 10, maxChunksPerDocument: null);

        var expected = new Dictionary<string, double>
        {
            ["a"] = 1.0 / 61 + 1.0 / 63,
            ["c"] = 1.0 / 63 + 1.0 / 61,
            ["b"] = 1.0 / 62,
            ["d"] = 1.0 / 62,
        };
        Assert.Equal(4, hits.Count);
        foreach (var hit in hits)
        {
            Assert.Equal(expected[hit.Chunk.ChunkId], hit.FusedScore, 12);
        }
        Assert.Equal([1, 2, 3, 4], hits.Select(h => h.Rank));
        var a = hits.Single(h => h.Chunk.ChunkId == "a");
        Assert.Equal((1, 9.0, 3, 0.7), (a.TextRank!.Value, a.TextScore!.Value, a.VectorRank!.Value, a.VectorScore!.Value));
        var d = hits.Single(h => h.Chunk.ChunkId == "d");
        Assert.Null(d.TextRank);
        Assert.Null(d.TextScore);
    }

    [Fact]
    public void Rrf_ties_break_by_best_rank_then_by_chunk_id()
    {
        // a and c tie exactly (ranks 1+3 each); b and d tie (rank 2 in one list each).
        var text = List(("a", 9), ("b", 8), ("c", 7));
        var vector = List(("c", 0.9), ("d", 0.8), ("a", 0.7));

        var hits = RankFusion.Rrf(text, vector, k: 60, topK: 10, maxChunksPerDocument: null);

        Assert.Equal(["a", "c", "b", "d"], hits.Select(h => h.Chunk.ChunkId));
        Assert.Equal(hits.Select(h => h.Chunk.ChunkId), RankFusion.Rrf(text, vector, 60, 10, null).Select(h => h.Chunk.ChunkId));
    }

    [Fact]
    public void Small_k_favours_the_top_of_one_list_over_agreement_lower_down()
    {
        var text = List(("top", 9), ("both", 8));
        var vector = List(("x", 0.9), ("y", 0.8), ("both", 0.7));

        var sharp = RankFusion.Rrf(text, vector, k: 0, topK: 1, maxChunksPerDocument: null);
        var flat = RankFusion.Rrf(text, vector, k: 60, topK: 1, maxChunksPerDocument: null);

        Assert.Equal("top", sharp[0].Chunk.ChunkId);  // 1/1 beats 1/2 + 1/3
        Assert.Equal("both", flat[0].Chunk.ChunkId); // 1/62 + 1/63 beats 1/61
    }

    [Fact]
    public void A_chunk_repeated_in_one_list_counts_once_at_its_best_rank()
    {
        var text = new List<RankedChunk> { new(Chunk("a"), 1, 5), new(Chunk("a"), 2, 4), new(Chunk("b"), 3, 3) };

        var hits = RankFusion.Rrf(text, [], k: 60, topK: 10, maxChunksPerDocument: null);

        Assert.Equal(["a", "b"], hits.Select(h => h.Chunk.ChunkId));
        Assert.Equal(1.0 / 61, hits[0].FusedScore, 12);
        Assert.Equal(1, hits[0].TextRank);
    }

    [Fact]
    public void Per_document_cap_skips_extra_chunks_and_fills_from_lower_ranks()
    {
        var text = new List<RankedChunk>
        {
            new(Chunk("a1", DocumentA), 1, 9), new(Chunk("a2", DocumentA), 2, 8), new(Chunk("a3", DocumentA), 3, 7),
            new(Chunk("b1", DocumentB), 4, 6),
        };

        var hits = RankFusion.Rrf(text, [], k: 60, topK: 3, maxChunksPerDocument: 2);

        Assert.Equal(["a1", "a2", "b1"], hits.Select(h => h.Chunk.ChunkId));
        Assert.Equal([1, 2, 3], hits.Select(h => h.Rank));
    }

    [Fact]
    public void Top_k_cuts_the_fused_list()
    {
        var hits = RankFusion.Rrf(List(("a", 3), ("b", 2), ("c", 1)), [], k: 60, topK: 2, maxChunksPerDocument: null);

        Assert.Equal(["a", "b"], hits.Select(h => h.Chunk.ChunkId));
    }

    [Fact]
    public void Weighted_fusion_uses_min_max_normalised_scores()
    {
        var text = List(("a", 20), ("b", 15), ("c", 10));        // normalised: 1, 0.5, 0
        var vector = List(("c", 0.9), ("b", 0.8), ("d", 0.5));    // normalised: 1, 0.75, 0

        var hits = RankFusion.Weighted(text, vector, textWeight: 0.3, vectorWeight: 0.7, topK: 10, maxChunksPerDocument: null);

        var scores = hits.ToDictionary(h => h.Chunk.ChunkId, h => h.FusedScore);
        Assert.Equal(0.3 * 1, scores["a"], 9);
        Assert.Equal((0.3 * 0.5) + (0.7 * 0.75), scores["b"], 9);
        Assert.Equal(0.7 * 1, scores["c"], 9);
        Assert.Equal(0, scores["d"], 9);
        Assert.Equal(["c", "b", "a", "d"], hits.Select(h => h.Chunk.ChunkId));
    }

    [Fact]
    public void Weighted_fusion_of_a_list_with_equal_scores_counts_each_as_full()
    {
        var hits = RankFusion.Weighted(List(("a", 2), ("b", 2)), [], textWeight: 0.4, vectorWeight: 0.6, topK: 10, maxChunksPerDocument: null);

        Assert.All(hits, h => Assert.Equal(0.4, h.FusedScore, 9));
        Assert.Equal(["a", "b"], hits.Select(h => h.Chunk.ChunkId));
    }

    [Theory]
    [InlineData(FusionMethod.Rrf, ScoreNormalization.MinMax)]
    [InlineData(FusionMethod.Weighted, ScoreNormalization.MinMax)]
    [InlineData(FusionMethod.Weighted, ScoreNormalization.ZScore)]
    public void A_passage_second_in_both_lists_outranks_one_first_in_a_single_list(FusionMethod fusion, ScoreNormalization normalization)
    {
        var text = List(("lexical-only", 30), ("both", 29), ("t3", 12), ("t4", 11), ("t5", 10));
        var vector = List(("semantic-only", 0.91), ("both", 0.90), ("v3", 0.70), ("v4", 0.69), ("v5", 0.68));
        var options = new HybridSearchOptions { Fusion = fusion, Normalization = normalization, RrfK = 5, TextWeight = 0.5, VectorWeight = 0.5 };

        var hits = RankFusion.Fuse(text, vector, options, topK: 3);

        Assert.Equal("both", hits[0].Chunk.ChunkId);
        Assert.Equal((2, 2), (hits[0].TextRank, hits[0].VectorRank));
    }

    [Theory]
    [InlineData(FusionMethod.Rrf, ScoreNormalization.MinMax)]
    [InlineData(FusionMethod.Weighted, ScoreNormalization.MinMax)]
    [InlineData(FusionMethod.Weighted, ScoreNormalization.ZScore)]
    public void Weights_decide_which_list_wins_a_disagreement(FusionMethod fusion, ScoreNormalization normalization)
    {
        var text = List(("statute", 20), ("t2", 15), ("t3", 10), ("paraphrase", 9));
        var vector = List(("paraphrase", 0.9), ("v2", 0.8), ("v3", 0.7), ("statute", 0.6));

        string Top(double vectorWeight) => RankFusion.Fuse(text, vector,
            new HybridSearchOptions { Fusion = fusion, Normalization = normalization, RrfK = 10, TextWeight = 1 - vectorWeight, VectorWeight = vectorWeight },
            topK: 1)[0].Chunk.ChunkId;

        Assert.Equal("statute", Top(0.2));
        Assert.Equal("paraphrase", Top(0.8));
    }

    [Fact]
    public void Weighted_rrf_multiplies_each_lists_reciprocal_rank()
    {
        var text = List(("a", 9), ("b", 8));
        var vector = List(("b", 0.9), ("c", 0.8));

        var hits = RankFusion.Rrf(text, vector, k: 10, textWeight: 0.25, vectorWeight: 0.75, topK: 10, maxChunksPerDocument: null);

        var scores = hits.ToDictionary(h => h.Chunk.ChunkId, h => h.FusedScore);
        Assert.Equal(0.25 / 11, scores["a"], 12);
        Assert.Equal((0.25 / 12) + (0.75 / 11), scores["b"], 12);
        Assert.Equal(0.75 / 12, scores["c"], 12);
    }

    [Fact]
    public void Z_score_fusion_scores_a_passage_missing_from_a_list_as_that_lists_lowest_score()
    {
        // text z-scores: a +1.22, b 0, c -1.22; vector z-scores: d +1.22, c 0, e -1.22 (population deviation).
        var text = List(("a", 30), ("b", 20), ("c", 10));
        var vector = List(("d", 0.9), ("c", 0.8), ("e", 0.7));

        var hits = RankFusion.Weighted(text, vector, 0.5, 0.5, ScoreNormalization.ZScore, topK: 10, maxChunksPerDocument: null);

        var scores = hits.ToDictionary(h => h.Chunk.ChunkId, h => h.FusedScore);
        var z = Math.Sqrt(1.5);
        Assert.Equal(0.5 * (z - z), scores["a"], 9);          // best BM25, missing from the vector list: that list's floor
        Assert.Equal(0.5 * (0 - z), scores["b"], 9);
        Assert.Equal(0.5 * (-z + 0), scores["c"], 9);
        Assert.Equal(0.5 * (-z - z), scores["e"], 9);
        Assert.Equal(["a", "d"], hits.Take(2).Select(h => h.Chunk.ChunkId).Order());
    }

    [Fact]
    public void Empty_lists_fuse_to_nothing()
    {
        Assert.Empty(RankFusion.Rrf([], [], 60, 5, null));
        Assert.Empty(RankFusion.Weighted([], [], 0.5, 0.5, 5, 1));
    }
}
