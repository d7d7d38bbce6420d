namespace Compliance.OnnxRuntime;

/// <summary>How much ONNX Runtime rewrites the graph before running it (<c>GraphOptimizationLevel</c>).</summary>
public enum GraphOptimizationLevel
{
    /// <summary>Run the graph as written.</summary>
    DisableAll = 0,

    /// <summary>Constant folding and redundant-node removal.</summary>
    Basic = 1,

    /// <summary>Basic plus operator fusions (attention, LayerNorm, GELU).</summary>
    Extended = 2,

    /// <summary>Extended plus layout optimisations (ORT 1.30's "layout" level).</summary>
    Layout = 3,

    /// <summary>Everything ORT knows; ORT's own default.</summary>
    All = 99,
}

/// <summary>Settings for one <see cref="InferenceSession"/>.</summary>
public sealed class InferenceSessionOptions
{
    /// <summary>
    /// Threads one inference may use (ORT's intra-op pool). 0 lets ONNX Runtime choose (one per physical core).
    /// </summary>
    public int IntraOpThreads { get; init; }

    /// <summary>Threads for running independent graph branches in parallel; 0 lets ONNX Runtime choose.</summary>
    public int InterOpThreads { get; init; }

    /// <summary>Graph optimisation level; default <see cref="GraphOptimizationLevel.All"/>, as ORT's own default.</summary>
    public GraphOptimizationLevel GraphOptimizationLevel { get; init; } = GraphOptimizationLevel.All;

    /// <summary>
    /// Whether idle intra-op threads spin before sleeping. Spinning lowers latency but burns CPU that other work on a
    /// small machine could use; null keeps ORT's default (spin).
    /// </summary>
    public bool? AllowSpinning { get; init; }

    /// <summary>
    /// Path of the native library (file or directory). Only the first session in a process decides which library is
    /// loaded; null falls back to <c>ORT_LIBRARY_PATH</c>, then <c>.tools/onnxruntime/lib</c>, then the app directory.
    /// </summary>
    public string? LibraryPath { get; init; }

    /// <summary>Extra ORT session configuration entries (<c>AddSessionConfigEntry</c>), e.g. "session.intra_op.allow_spinning".</summary>
    public IReadOnlyDictionary<string, string> ConfigEntries { get; init; } = new Dictionary<string, string>();

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        if (IntraOpThreads is < 0 or > 1024)
        {
            throw new ArgumentException($"IntraOpThreads must be between 0 (ONNX Runtime's choice) and 1024; got {IntraOpThreads}.");
        }

        if (InterOpThreads is < 0 or > 1024)
        {
            throw new ArgumentException($"InterOpThreads must be between 0 (ONNX Runtime's choice) and 1024; got {InterOpThreads}.");
        }

        if (!Enum.IsDefined(GraphOptimizationLevel))
        {
            throw new ArgumentException($"GraphOptimizationLevel {(int)GraphOptimizationLevel} is not one of {string.Join(", ", Enum.GetNames<GraphOptimizationLevel>())}.");
        }

        foreach (var (key, value) in ConfigEntries)
        {
            if (string.IsNullOrWhiteSpace(key) || key.Contains('\0', StringComparison.Ordinal) || value is null || value.Contains('\0', StringComparison.Ordinal))
            {
                throw new ArgumentException("ConfigEntries keys must be non-empty and neither keys nor values may contain NUL characters.");
            }
        }
    }
}
