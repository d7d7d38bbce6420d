using System.Diagnostics;
using Compliance.OnnxRuntime.Native;

namespace Compliance.OnnxRuntime.Tests;

[CollectionDefinition(nameof(MemoryStabilityTests), DisableParallelization = true)]
public sealed class MemoryStabilityGroup;

/// <summary>
/// Leak checks: thousands of native calls must leave the process's memory where it was. Each run below produces a
/// 256 KB output tensor, so leaking it (or an input tensor, or a status) would add hundreds of megabytes.
/// Every native object the binding creates must also be released by it, deterministically (not by a finalizer).
/// Runs alone so other tests' allocations do not blur the measurement.
/// </summary>
[Collection(nameof(MemoryStabilityTests))]
public sealed class MemoryStabilityTests(ITestOutputHelper output)
{
    private const int Batch = 8;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private const int Sequence = 512;

    [Fact]
    public void Thousands_of_inferences_keep_native_and_managed_memory_flat()
    {
        using var session = InferenceSession.Open(FixtureModels.GatherMask, new InferenceSessionOptions { IntraOpThreads = 1 });
        var ids = new long[Batch * Sequence];
        var mask = new long[Batch * Sequence];
        long[] shape = [Batch, Sequence];
        Int64TensorInput[] inputs = [new("input_ids", ids, shape), new("attention_mask", mask, shape)];

        void RunMany(int count)
        {
            for (var i = 0; i < count; i++)
            {
                ids[i % ids.Length] = i % FixtureModels.Rows;
                mask[i % mask.Length] = 1;
                using var result = session.Run(inputs, ["hidden", "token_count"], Ct);
                var hidden = result[0].AsFloatSpan();
                Assert.Equal(Batch * Sequence * FixtureModels.Width, hidden.Length);
            }
        }

        RunMany(300);
        var (nativeBefore, managedBefore) = Measure();
        var (liveBefore, finalizedBefore) = (NativeObjectCount.Live, NativeObjectCount.ReleasedByFinalizers);
        RunMany(5000);
        Assert.Equal(liveBefore, NativeObjectCount.Live);
        var (nativeAfter, managedAfter) = Measure();
        Assert.Equal(finalizedBefore, NativeObjectCount.ReleasedByFinalizers);

        output.WriteLine($"RSS {nativeBefore / 1048576.0:F1} -> {nativeAfter / 1048576.0:F1} MB; GC heap {managedBefore / 1024.0:F0} -> {managedAfter / 1024.0:F0} KB");
        Assert.True(nativeAfter - nativeBefore < 48L << 20, $"resident memory grew by {(nativeAfter - nativeBefore) >> 20} MB over 5000 runs");
        Assert.True(managedAfter - managedBefore < 2L << 20, $"GC heap grew by {(managedAfter - managedBefore) >> 10} KB over 5000 runs");
    }

    [Fact]
    public void Opening_and_disposing_sessions_repeatedly_keeps_memory_flat()
    {
        void OpenMany(int count)
        {
            for (var i = 0; i < count; i++)
            {
                using var session = InferenceSession.Open(FixtureModels.GatherMask, new InferenceSessionOptions { IntraOpThreads = 1 });
                using var result = session.Run(FixtureModels.Inputs(new long[,] { { 1 } }, new long[,] { { 1 } }), ["token_count"], Ct);
                Assert.Equal(1f, result[0].AsFloatSpan()[0]);
            }
        }

        OpenMany(50);
        var (nativeBefore, managedBefore) = Measure();
        var (liveBefore, finalizedBefore) = (NativeObjectCount.Live, NativeObjectCount.ReleasedByFinalizers);
        OpenMany(600);
        Assert.Equal(liveBefore, NativeObjectCount.Live);
        var (nativeAfter, managedAfter) = Measure();
        Assert.Equal(finalizedBefore, NativeObjectCount.ReleasedByFinalizers);

        output.WriteLine($"RSS {nativeBefore / 1048576.0:F1} -> {nativeAfter / 1048576.0:F1} MB; GC heap {managedBefore / 1024.0:F0} -> {managedAfter / 1024.0:F0} KB");
        Assert.True(nativeAfter - nativeBefore < 32L << 20, $"resident memory grew by {(nativeAfter - nativeBefore) >> 20} MB over 600 sessions");
        Assert.True(managedAfter - managedBefore < 2L << 20, $"GC heap grew by {(managedAfter - managedBefore) >> 10} KB over 600 sessions");
    }

    private static (long Native, long Managed) Measure()
    {
        // Finalizers run first so that anything only released by a finalizer would already be counted as released.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        using var process = Process.GetCurrentProcess();
        return (process.WorkingSet64, GC.GetGCMemoryInfo(GCKind.FullBlocking).HeapSizeBytes);
    }
}
