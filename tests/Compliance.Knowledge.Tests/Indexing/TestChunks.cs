using Compliance.Knowledge.Indexing;

namespace Compliance.Knowledge.Tests.Indexing;

/// <summary>Builds chunk records for index tests with sensible defaults.</summary>
internal static class TestChunks
{
    public static ChunkRecord Make(
        string text,
        float[]? embedding = null,
        string tenant = Tenants.Global,
        string title = "Policy",
        Guid? documentId = null,
        int version = 1,
        int ordinal = 0,
        string status = ChunkStatus.Active,
        IReadOnlyList<string>? tags = null,
        string? chunkId = null)
    {
        var document = documentId ?? Guid.NewGuid();
        return new ChunkRecord(
            ChunkId: chunkId ?? ChunkRecord.IdFor(document, version, ordinal),
            DocumentId: document,
            DocumentVersion: version,
            TenantId: tenant,
            Title: title,
            SectionPath: "1 Scope",
            PageStart: 1,
            PageEnd: 2,
            Ordinal: ordinal,
            CharStart: 0,
            CharEnd: text.Length,
            Text: text,
            Tags: tags ?? [],
            EffectiveDate: new DateOnly(2025, 1, 1),
            Status: status,
            Embedding: embedding);
    }

    /// <summary>The unit vector pointing along the given components.</summary>
    public static float[] Vector(params float[] components)
    {
        var norm = MathF.Sqrt(components.Sum(c => c * c));
        return components.Select(c => c / norm).ToArray();
    }

    public static double Cosine(float[] a, float[] b)
    {
        double dot = 0, na = 0, nb = 0;
        for (var i = 0; i < a.Length; i++)
        {
            dot += a[i] * b[i];
            na += a[i] * a[i];
            nb += b[i] * b[i];
        }
        return dot / Math.Sqrt(na * nb);
    }
}
