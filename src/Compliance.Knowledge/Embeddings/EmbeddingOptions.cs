using System.Globalization;

namespace Compliance.Knowledge.Embeddings;

/// <summary>Settings of the local ONNX text embedder (gte-small by default).</summary>
public sealed class EmbeddingOptions
{
    /// <summary>Environment variable for <see cref="ModelDirectory"/>.</summary>
    public const string ModelDirectoryVariable = "EMBED_MODEL";

    /// <summary>Environment variable for <see cref="Dimensions"/>.</summary>
    public const string DimensionsVariable = "EMBED_DIM";

    /// <summary>The longest input, in tokens including [CLS] and [SEP], that BERT's 512 positions allow.</summary>
    public const int MaxSequenceLength = 512;

    /// <summary>
    /// Directory holding <c>model.onnx</c> (or <c>model_quantized.onnx</c>, also under <c>onnx/</c>) and the
    /// tokenizer files (<c>vocab.txt</c>, <c>tokenizer.json</c>). Environment: <c>EMBED_MODEL</c>.
    /// </summary>
    public string? ModelDirectory { get; set; }

    /// <summary>
    /// Vector length the rest of the system expects; checked against the model's output at load.
    /// Environment: <c>EMBED_DIM</c>; default 384 (gte-small).
    /// </summary>
    public int Dimensions { get; set; } = 384;

    /// <summary>ONNX Runtime threads per inference; 0 lets ONNX Runtime choose (one per physical core).</summary>
    public int IntraOpThreads { get; set; }

    /// <summary>
    /// Most tokens (batch size × longest sequence in the batch, padding included) in one ONNX Runtime call; at least
    /// <see cref="MaxSequenceLength"/> so the longest input fits. Default 512: on CPU, bigger batches were slower at
    /// every passage length measured (2 cores, gte-small shape: 155-token passages 4,479 tokens/s at 512 against 3,028
    /// at 8192; 511-token passages 3,921 against 3,375; docs/embeddings.md, "Batch size"), and they cost memory besides.
    /// </summary>
    public int MaxBatchTokens { get; set; } = DefaultMaxBatchTokens;

    /// <summary>The measured best <see cref="MaxBatchTokens"/> (see there).</summary>
    public const int DefaultMaxBatchTokens = 512;

    /// <summary>
    /// Whether ONNX Runtime's intra-op threads busy-wait between the parallel sections of a run. Default true, and the
    /// embedder also sets <c>session.force_spinning_stop</c>, so the threads stop spinning the moment the last run
    /// returns: an idle API burns no CPU. Measured on 2 cores (docs/embeddings.md, "Spinning"): query p50 4.5–5.7 ms
    /// against 7.1–9.2 ms without spinning when the host is otherwise idle, the same throughput with 4 concurrent
    /// callers, but about twice as slow (18–23 against 10–17 ms) while other processes keep the cores busy: set it
    /// false (<c>EMBED_SPINNING=false</c>) on a host shared with CPU-heavy neighbours.
    /// </summary>
    public bool AllowSpinning { get; set; } = true;

    /// <summary>
    /// Extra ONNX Runtime session settings (<c>AddSessionConfigEntry</c>), for tuning on a given machine, e.g.
    /// <c>session.dynamic_block_base=4</c>; an entry here overrides <see cref="AllowSpinning"/>. Empty by default.
    /// </summary>
    public IDictionary<string, string> SessionConfigEntries { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Reads <c>EMBED_MODEL</c> and <c>EMBED_DIM</c> over these settings (when set).</summary>
    public EmbeddingOptions ApplyEnvironment(Func<string, string?>? getVariable = null)
    {
        getVariable ??= Environment.GetEnvironmentVariable;
        var model = getVariable(ModelDirectoryVariable);
        if (!string.IsNullOrWhiteSpace(model))
        {
            ModelDirectory = model;
        }

        var dim = getVariable(DimensionsVariable);
        if (!string.IsNullOrWhiteSpace(dim))
        {
            Dimensions = int.TryParse(dim, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed)
                ? parsed
                : throw new ArgumentException($"{DimensionsVariable} must be a positive whole number; got '{dim}'.");
        }

        return this;
    }

    /// <summary>Every problem with these settings, each naming the setting; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (Dimensions is < 1 or > 8192)
        {
            errors.Add($"Dimensions ({DimensionsVariable}) must be between 1 and 8192; got {Dimensions}.");
        }

        if (IntraOpThreads is < 0 or > 256)
        {
            errors.Add($"IntraOpThreads must be between 0 (ONNX Runtime's choice) and 256; got {IntraOpThreads}.");
        }

        if (MaxBatchTokens is < MaxSequenceLength or > 1_048_576)
        {
            errors.Add($"MaxBatchTokens must be between {MaxSequenceLength} and 1048576; got {MaxBatchTokens}.");
        }

        if (ModelDirectory is not null && string.IsNullOrWhiteSpace(ModelDirectory))
        {
            errors.Add($"ModelDirectory ({ModelDirectoryVariable}) is blank; unset it or name a directory.");
        }

        return errors;
    }

    /// <summary>Throws <see cref="ArgumentException"/> listing every problem.</summary>
    public void ThrowIfInvalid()
    {
        var errors = Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException("Invalid embedding settings: " + string.Join(" ", errors));
        }
    }
}
