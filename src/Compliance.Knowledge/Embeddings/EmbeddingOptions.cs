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
    /// Most tokens (batch size × longest sequence in the batch, padding included) in one ONNX Runtime call.
    /// Bounds memory per call; at least <see cref="MaxSequenceLength"/> so the longest input fits. Default 8192.
    /// </summary>
    public int MaxBatchTokens { get; set; } = 8192;

    /// <summary>
    /// Whether ONNX Runtime's idle intra-op threads busy-wait for the next parallel section. Default false: the API
    /// shares its cores with Kestrel and other requests, and on a busy 2-core machine spinning threads steal the CPU
    /// the inference itself needs (measured: query p50 3x worse with spinning under load; docs/embeddings.md).
    /// On a dedicated, otherwise idle machine, true (ORT's own default) can shave a little latency.
    /// </summary>
    public bool AllowSpinning { get; set; }

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
