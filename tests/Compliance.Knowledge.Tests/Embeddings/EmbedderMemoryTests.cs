using System.Diagnostics;
using Compliance.Knowledge.Embeddings;

namespace Compliance.Knowledge.Tests.Embeddings;

[CollectionDefinition(nameof(EmbedderMemoryTests), DisableParallelization = true)]
public sealed class EmbedderMemoryGroup;

/// <summary>
/// Leak checks on the embedder's use of ONNX Runtime (moved here from the old binding's tests): every run creates
/// input OrtValues that pin managed arrays, a RunOptions when the token can be cancelled, and output tensors in
/// ORT's memory (4 × 128 × 384 floats, 768 KB, per call below); every load creates a session holding the 62 MB
/// model. Forgetting to dispose any of them would add well over a hundred megabytes. Runs alone so other tests'
/// allocations do not blur the measurement.
/// </summary>
[Collection(nameof(EmbedderMemoryTests))]
public sealed class EmbedderMemoryTests(ITestOutputHelper output)
{
    private static readonly string[] SingleTokenWords = ["policy", "trade", "gift", "bond"];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Two_hundred_batches_keep_native_and_managed_memory_flat()
    {
        using var embedder = OnnxTextEmbedder.Load(TinyModel.Options());
        // Four texts of the same length (128 tokens with [CLS] and [SEP]), so every call has the same shape.
        var texts = SingleTokenWords.Select(word => string.Join(' ', Enumerable.Repeat(word, 126))).ToArray();
        Assert.All(texts, t => Assert.Equal(128, embedder.Tokenizer.Encode(t, EmbeddingOptions.MaxSequenceLength).Ids.Length));

        async Task EmbedMany(int count)
        {
            for (var i = 0; i < count; i++)
            {
                // Both paths: a token that can be cancelled (own RunOptions) and one that cannot (shared RunOptions).
                var vectors = await embedder.EmbedPassagesAsync(texts, i % 2 == 0 ? Ct : CancellationToken.None);
                Assert.Equal(384, vectors[3].Length);
            }
        }

        await EmbedMany(30);
        var (nativeBefore, managedBefore) = Measure();
        await EmbedMany(200);
        var (nativeAfter, managedAfter) = Measure();

        output.WriteLine($"RSS {nativeBefore / 1048576.0:F1} -> {nativeAfter / 1048576.0:F1} MB; GC heap {managedBefore / 1024.0:F0} -> {managedAfter / 1024.0:F0} KB");
        Assert.True(nativeAfter - nativeBefore < 48L << 20, $"resident memory grew by {(nativeAfter - nativeBefore) >> 20} MB over 200 batches");
        Assert.True(managedAfter - managedBefore < 2L << 20, $"GC heap grew by {(managedAfter - managedBefore) >> 10} KB over 200 batches");
    }

    [Fact]
    public async Task Loading_and_disposing_embedders_repeatedly_keeps_memory_flat()
    {
        async Task LoadMany(int count)
        {
            for (var i = 0; i < count; i++)
            {
                using var embedder = OnnxTextEmbedder.Load(TinyModel.Options());
                var vector = await embedder.EmbedQueryAsync("pre-clearance", Ct);
                Assert.Equal(384, vector.Length);
            }
        }

        await LoadMany(5);
        var (nativeBefore, managedBefore) = Measure();
        await LoadMany(30);
        var (nativeAfter, managedAfter) = Measure();

        output.WriteLine($"RSS {nativeBefore / 1048576.0:F1} -> {nativeAfter / 1048576.0:F1} MB; GC heap {managedBefore / 1024.0:F0} -> {managedAfter / 1024.0:F0} KB");
        Assert.True(nativeAfter - nativeBefore < 64L << 20, $"resident memory grew by {(nativeAfter - nativeBefore) >> 20} MB over 30 loads");
        Assert.True(managedAfter - managedBefore < 4L << 20, $"GC heap grew by {(managedAfter - managedBefore) >> 10} KB over 30 loads");
    }

    private static (long Native, long Managed) Measure()
    {
        // Finalizers run first: anything released only by a finalizer would otherwise look like a leak, or hide one.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        using var process = Process.GetCurrentProcess();
        return (process.WorkingSet64, GC.GetGCMemoryInfo(GCKind.FullBlocking).HeapSizeBytes);
    }
}
