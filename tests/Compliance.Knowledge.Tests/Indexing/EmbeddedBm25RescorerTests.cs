using Compliance.Knowledge.Indexing;
using Compliance.Knowledge.Indexing.RediSearch;

namespace Compliance.Knowledge.Tests.Indexing;

/// <summary>
/// The client-side BM25 that orders RediSearch's text hits as the embedded index would. It runs on every search, so
/// a passage it has seen is not tokenised again.
/// </summary>
public sealed class EmbeddedBm25RescorerTests
{
    private static readonly string[] Terms = ["blackout", "trading"];
    private static readonly long[] Counts = [2, 40];

    [Fact]
    public void The_passage_with_the_rarer_term_ranks_first_and_a_repeated_search_tokenises_nothing()
    {
        using var rescorer = new EmbeddedBm25Rescorer();
        var hits = Hits(
            TestChunks.Make("Trading is allowed outside the windows set by Compliance.", chunkId: "a"),
            TestChunks.Make("No trading during the blackout period before earnings.", chunkId: "b"));

        var first = rescorer.Rescore(Terms, Counts, rows: 100, averageLength: 10, titleWeight: 2, hits);
        var tokenisedOnce = rescorer.ChunksTokenized;
        var again = rescorer.Rescore(Terms, Counts, rows: 100, averageLength: 10, titleWeight: 2, hits);

        Assert.Equal("b", first[0].Chunk.ChunkId);
        Assert.Equal(2, tokenisedOnce);
        Assert.Equal(2, rescorer.ChunksTokenized);
        Assert.Equal(first.Select(hit => (hit.Chunk.ChunkId, hit.Score)), again.Select(hit => (hit.Chunk.ChunkId, hit.Score)));
    }

    [Fact]
    public void A_passage_whose_text_changed_under_the_same_id_is_scored_on_its_new_text()
    {
        using var rescorer = new EmbeddedBm25Rescorer();
        var before = Hits(TestChunks.Make("Gifts need pre-clearance.", chunkId: "c"), TestChunks.Make("No trading in the blackout.", chunkId: "d"));
        var after = Hits(TestChunks.Make("No trading in the blackout, ever, for anyone.", chunkId: "c"), TestChunks.Make("Gifts need pre-clearance.", chunkId: "d"));

        rescorer.Rescore(Terms, Counts, rows: 100, averageLength: 10, titleWeight: 2, before);
        var ranked = rescorer.Rescore(Terms, Counts, rows: 100, averageLength: 10, titleWeight: 2, after);

        Assert.Equal("c", ranked[0].Chunk.ChunkId);
        Assert.Equal(4, rescorer.ChunksTokenized);
    }

    private static List<RankedChunk> Hits(params ChunkRecord[] chunks) =>
        [.. chunks.Select((chunk, i) => new RankedChunk(chunk, i + 1, 1.0))];
}
