using System.Numerics.Tensors;
using Compliance.Knowledge.Indexing;
using Compliance.Knowledge.Indexing.Embedded;
using static Compliance.Knowledge.Tests.Indexing.TestChunks;

namespace Compliance.Knowledge.Tests.Indexing;

/// <summary>
/// Large embedded indexes scan an int8 copy of the vectors first; these tests hold the result to a brute-force
/// float scan computed here, row for row and score for score — including clusters of near-duplicates whose
/// differences are far below int8 resolution, which only the error-bound pass can order correctly.
/// </summary>
public sealed class ExactVectorSearchTests : IDisposable
{
    private const int Dimensions = 32;
    private const string Tenant = "100000000000000001";

    private readonly EmbeddedIndexFolder _indexes = new("compliance-vector-tests");

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Random_vectors_give_the_brute_force_results()
    {
        var random = new Random(42);
        var chunks = Enumerable.Range(0, 3000).Select(i => Chunk(i, RandomVector(random), random)).ToList();
        var index = await OpenAsync("random");
        await index.UpsertAsync(chunks, Token);

        for (var q = 0; q < 40; q++)
        {
            var query = RandomVector(random);
            await AssertBruteForceAsync(index, chunks, query, new SearchFilter(Tenant), limit: 50);
            await AssertBruteForceAsync(index, chunks, query, new SearchFilter(Tenants.Global), limit: 5);
        }
    }

    [Fact]
    public async Task Near_duplicates_below_int8_resolution_are_ordered_exactly()
    {
        var random = new Random(7);
        // Four clusters of 1,000 vectors, each within ~1e-2 of its centre: far more near-ties than the int8 pass
        // keeps as candidates, and their int8 scores tie or cross, so only the exact rescoring of every row the
        // bound cannot rule out puts the right fifty first.
        var centres = Enumerable.Range(0, 4).Select(_ => RandomVector(random)).ToArray();
        var chunks = Enumerable.Range(0, 4000)
            .Select(i => Chunk(i, Perturbed(centres[i % centres.Length], random, 1e-2f), random))
            .ToList();
        var index = await OpenAsync("clusters");
        await index.UpsertAsync(chunks, Token);

        foreach (var centre in centres)
        {
            await AssertBruteForceAsync(index, chunks, Perturbed(centre, random, 1e-2f), new SearchFilter(Tenant), limit: 50);
            await AssertBruteForceAsync(index, chunks, Perturbed(centre, random, 1e-2f), new SearchFilter(Tenants.Global), limit: 10);
        }
    }

    [Fact]
    public async Task Deleting_rows_keeps_the_int8_copy_in_step()
    {
        var random = new Random(3);
        var chunks = Enumerable.Range(0, 2500).Select(i => Chunk(i, RandomVector(random), random)).ToList();
        var index = await OpenAsync("deletes");
        await index.UpsertAsync(chunks, Token);
        var deleted = chunks.Select(c => c.DocumentId).Distinct().Where((_, i) => i % 3 == 0).ToHashSet();
        foreach (var document in deleted)
        {
            await index.DeleteDocumentAsync(document, version: null, Token);
        }
        var remaining = chunks.Where(c => !deleted.Contains(c.DocumentId)).ToList();

        for (var q = 0; q < 20; q++)
        {
            await AssertBruteForceAsync(index, remaining, RandomVector(random), new SearchFilter(Tenant), limit: 50);
        }
    }

    public void Dispose() => _indexes.Dispose();

    private Task<SqliteKnowledgeIndex> OpenAsync(string name) => _indexes.OpenAsync(name, Dimensions);

    private static async Task AssertBruteForceAsync(SqliteKnowledgeIndex index, List<ChunkRecord> chunks, float[] query, SearchFilter filter, int limit)
    {
        var unitQuery = Unit(query);
        var expected = chunks
            .Where(c => c.Status == ChunkStatus.Active && (c.TenantId == Tenants.Global || c.TenantId == filter.TenantId))
            .Select(c => (c.ChunkId, Score: TensorPrimitives.Dot(Unit(c.Embedding!), unitQuery)))
            .OrderByDescending(x => x.Score)
            .Take(limit)
            .ToList();

        var actual = await index.SearchVectorAsync(query, filter, limit, Token);

        Assert.Equal(expected.Select(x => x.ChunkId), actual.Select(r => r.Chunk.ChunkId));
        Assert.Equal(expected.Select(x => (double)x.Score), actual.Select(r => r.Score));
    }

    private static ChunkRecord Chunk(int i, float[] vector, Random random) =>
        Make(
            "passage " + i,
            vector,
            tenant: random.Next(3) switch { 0 => Tenants.Global, 1 => Tenant, _ => "100000000000000002" },
            documentId: DocumentFor(i),
            ordinal: i,
            status: random.Next(12) == 0 ? ChunkStatus.Disabled : ChunkStatus.Active);

    // Ten chunks per document, so deleting documents deletes rows in scattered slots.
    private static Guid DocumentFor(int i) => new(i / 10, 0, 0, new byte[8]);

    private static float[] RandomVector(Random random) =>
        [.. Enumerable.Range(0, Dimensions).Select(_ => (float)(random.NextDouble() * 2 - 1))];

    private static float[] Perturbed(float[] centre, Random random, float scale) =>
        [.. centre.Select(x => x + (float)(random.NextDouble() * 2 - 1) * scale)];

    /// <summary>Normalised exactly as the index normalises (TensorPrimitives norm and divide), so scores compare bit for bit.</summary>
    private static float[] Unit(float[] vector)
    {
        var unit = new float[vector.Length];
        TensorPrimitives.Divide(vector, TensorPrimitives.Norm(vector), unit);
        return unit;
    }
}
