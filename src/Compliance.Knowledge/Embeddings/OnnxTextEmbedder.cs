using System.Diagnostics.Metrics;
using System.Globalization;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Compliance.Knowledge.Embeddings;

/// <summary>
/// A BERT sentence embedder over ONNX Runtime: (prefix +) text → WordPiece tokens → encoder → the model's pooling of
/// <c>last_hidden_state</c> (mean over the attention mask, or the [CLS] row) → L2 normalisation when the recipe says
/// so. The model directory's <see cref="EmbeddingRecipe"/> decides pooling, prefixes and length. Thread-safe; one
/// instance serves the process.
/// </summary>
/// <remarks>
/// Empty or whitespace-only text tokenizes to just [CLS] (prefix) [SEP] and therefore always embeds to the same vector.
/// Inputs over the recipe's maximum (512 tokens for gte-small) keep their first word pieces; each such cut raises <see cref="TextTruncated"/>, adds to
/// <see cref="TruncatedInputs"/> and the <c>compliance.embedding.truncated_inputs</c> counter, and logs a warning with
/// the lengths only.
/// </remarks>
public sealed class OnnxTextEmbedder : ITextEmbedder, IDisposable
{
    /// <summary>Meter name for the embedder's counters.</summary>
    public const string MeterName = "Compliance.Knowledge.Embeddings";

    private const string OutputName = "last_hidden_state";
    private static readonly string[] OutputNames = [OutputName];
    private static readonly string[] ModelFileCandidates =
        ["model.onnx", "model_quantized.onnx", Path.Combine("onnx", "model.onnx"), Path.Combine("onnx", "model_quantized.onnx")];

    private static readonly Meter Meter = new(MeterName);
    private static readonly Counter<long> TruncationCounter =
        Meter.CreateCounter<long>("compliance.embedding.truncated_inputs", description: "Inputs cut to the model's maximum tokens before embedding");

    private readonly InferenceSession _session;
    // Shared by runs that cannot be cancelled; a cancellable run gets its own, so terminating it stops no other.
    private readonly RunOptions _uncancellableRun = new();
    private readonly WordPieceTokenizer _tokenizer;
    private readonly string[] _inputNames;
    private readonly int _maxBatchTokens;
    private readonly ILogger _logger;
    private readonly Lazy<string> _identity;
    private long _truncated;

    private OnnxTextEmbedder(InferenceSession session, string modelPath, WordPieceTokenizer tokenizer, EmbeddingRecipe recipe, int dimensions, int maxBatchTokens, ILogger logger)
    {
        _session = session;
        ModelPath = modelPath;
        _tokenizer = tokenizer;
        Recipe = recipe;
        ModelName = recipe.Name;
        _identity = new(() => $"{recipe.Describe()} sha256:{(recipe.DeclaredSha256 ?? HashOf(modelPath))[..12]}");
        Dimensions = dimensions;
        _maxBatchTokens = maxBatchTokens;
        _logger = logger;
        _inputNames = session.InputMetadata.ContainsKey("token_type_ids")
            ? ["input_ids", "attention_mask", "token_type_ids"]
            : ["input_ids", "attention_mask"];
    }

    /// <summary>Raised (on the embedding thread) for every input cut to the recipe's maximum tokens.</summary>
    public event EventHandler<TextTruncatedEventArgs>? TextTruncated;

    public int Dimensions { get; }

    public string ModelName { get; }

    /// <summary>The model file in use.</summary>
    public string ModelPath { get; }

    /// <summary>How this model embeds: pooling, normalisation, prefixes, maximum tokens (from its directory).</summary>
    public EmbeddingRecipe Recipe { get; }

    /// <summary>
    /// What an index records as the model that made its vectors: the recipe (<see cref="EmbeddingRecipe.Describe"/>)
    /// and the first 12 hex digits of the model file's sha256, as <c>embedding-model.json</c> declares it or, for a
    /// directory without one, hashed here on first use (about 0.3 s for gte-small's 133 MB).
    /// </summary>
    public string ModelIdentity => _identity.Value;

    /// <summary>The model's own tokenizer, for sizing chunks in the tokens this model reads.</summary>
    public WordPieceTokenizer Tokenizer => _tokenizer;

    /// <summary>How many inputs have been truncated since load.</summary>
    public long TruncatedInputs => Interlocked.Read(ref _truncated);

    /// <summary>
    /// Loads the model, tokenizer and recipe (<see cref="EmbeddingRecipe.FromDirectory"/>) from
    /// <see cref="EmbeddingOptions.ModelDirectory"/>, checks the model's inputs and
    /// output and runs one tiny inference to confirm it yields <see cref="EmbeddingOptions.Dimensions"/>-long vectors.
    /// Throws <see cref="EmbeddingModelException"/> naming the path and what was expected.
    /// </summary>
    public static OnnxTextEmbedder Load(EmbeddingOptions options, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.ThrowIfInvalid();
        logger ??= NullLogger.Instance;
        if (string.IsNullOrWhiteSpace(options.ModelDirectory))
        {
            throw new EmbeddingModelException(
                $"No embedding model configured: set {EmbeddingOptions.ModelDirectoryVariable} to a directory with model.onnx and the " +
                "tokenizer files (scripts/download-model.sh fetches gte-small into models/gte-small).");
        }

        var directory = Path.GetFullPath(options.ModelDirectory);
        if (!Directory.Exists(directory))
        {
            throw new EmbeddingModelException(
                $"Embedding model directory {directory} ({EmbeddingOptions.ModelDirectoryVariable}) does not exist; " +
                "scripts/download-model.sh fetches gte-small into models/gte-small.");
        }

        var modelPath = ModelFileCandidates.Select(c => Path.Combine(directory, c)).FirstOrDefault(File.Exists)
            ?? throw new EmbeddingModelException(
                $"Embedding model directory {directory} has no model.onnx or model_quantized.onnx (also looked under onnx/).");

        WordPieceTokenizer tokenizer;
        try
        {
            tokenizer = WordPieceTokenizer.FromDirectory(directory);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Whatever the tokenizer throws (missing file, bad JSON, missing special token), the user needs the directory.
            throw new EmbeddingModelException(
                $"The tokenizer files in {directory} could not be loaded (expected gte-small's vocab.txt/tokenizer.json): {e.Message}", e);
        }

        // Before the session: a broken recipe file should not cost an ONNX load to report.
        var recipe = EmbeddingRecipe.FromDirectory(directory);
        var session = OpenSession(modelPath, options);
        OnnxTextEmbedder? embedder = null;
        try
        {
            CheckSignature(session, modelPath, options.Dimensions);
            embedder = new OnnxTextEmbedder(session, modelPath, tokenizer, recipe, options.Dimensions, options.MaxBatchTokens, logger);
            embedder.CheckOutputDimensions();
            logger.LogInformation("Embedding model {ModelPath} loaded: {Dimensions} dimensions, ONNX Runtime {OrtVersion}, recipe {Recipe} from {RecipeSource}",
                modelPath, options.Dimensions, OrtEnv.Instance().GetVersionString(), recipe.Describe(), recipe.Source);
            return embedder;
        }
        catch
        {
            // The embedder owns the session once it exists (and its run options besides).
            if (embedder is null)
            {
                session.Dispose();
            }
            else
            {
                embedder.Dispose();
            }

            throw;
        }
    }

    /// <summary>
    /// Like <see cref="Load"/>, except that when no model directory is configured or it does not exist and
    /// <paramref name="requireModel"/> is false, it logs a loud warning and returns null so the caller can run
    /// lexical-only search. A model that is present but broken still throws.
    /// </summary>
    public static OnnxTextEmbedder? TryLoad(EmbeddingOptions options, ILogger logger, bool requireModel)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        var absent = string.IsNullOrWhiteSpace(options.ModelDirectory) || !Directory.Exists(options.ModelDirectory);
        if (absent && !requireModel)
        {
            logger.LogWarning(
                "!!! NO EMBEDDING MODEL: {Variable} is {State}. Search runs LEXICAL-ONLY (no semantic matching). " +
                "Run scripts/download-model.sh and point EMBED_MODEL at models/gte-small to enable embeddings. !!!",
                EmbeddingOptions.ModelDirectoryVariable,
                string.IsNullOrWhiteSpace(options.ModelDirectory) ? "not set" : $"'{Path.GetFullPath(options.ModelDirectory)}', which does not exist");
            return null;
        }

        return Load(options, logger);
    }

    public Task<float[]> EmbedQueryAsync(string query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        cancellationToken.ThrowIfCancellationRequested();
        var vectors = new float[1][];
        EmbedBatch([Encode(Recipe.QueryPrefix + query)], [0], vectors, cancellationToken);
        return Task.FromResult(vectors[0]);
    }

    public Task<float[][]> EmbedPassagesAsync(IReadOnlyList<string> passages, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(passages);
        cancellationToken.ThrowIfCancellationRequested();
        var encoded = new int[passages.Count][];
        for (var i = 0; i < passages.Count; i++)
        {
            encoded[i] = Encode(Recipe.PassagePrefix + (passages[i] ?? throw new ArgumentNullException(nameof(passages), $"passages[{i}] is null.")));
        }

        // Shortest first, so each batch pads only to lengths close to its own; results go back by original index.
        var order = Enumerable.Range(0, encoded.Length).OrderBy(i => encoded[i].Length).ToArray();
        var vectors = new float[encoded.Length][];
        var start = 0;
        while (start < order.Length)
        {
            var end = start + 1;
            while (end < order.Length && (end - start + 1) * encoded[order[end]].Length <= _maxBatchTokens)
            {
                end++;
            }

            var batch = order.AsSpan(start, end - start);
            var batchIds = new int[batch.Length][];
            for (var i = 0; i < batch.Length; i++)
            {
                batchIds[i] = encoded[batch[i]];
            }

            EmbedBatch(batchIds, batch, vectors, cancellationToken);
            start = end;
        }

        return Task.FromResult(vectors);
    }

    public void Dispose()
    {
        _session.Dispose();
        _uncancellableRun.Dispose();
    }

    private static InferenceSession OpenSession(string modelPath, EmbeddingOptions options)
    {
        try
        {
            using var sessionOptions = new SessionOptions { IntraOpNumThreads = options.IntraOpThreads };
            // Set explicitly (ORT's own default is to spin and keep spinning after a run); an entry in
            // SessionConfigEntries overrides either. Spinning stops when the last run returns, so idle costs no CPU.
            var entries = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["session.intra_op.allow_spinning"] = options.AllowSpinning ? "1" : "0",
                ["session.force_spinning_stop"] = "1",
            };
            foreach (var (key, value) in options.SessionConfigEntries)
            {
                entries[key] = value;
            }

            foreach (var (key, value) in entries)
            {
                sessionOptions.AddSessionConfigEntry(key, value);
            }

            return new InferenceSession(modelPath, sessionOptions);
        }
        catch (OnnxRuntimeException e)
        {
            throw new EmbeddingModelException($"ONNX Runtime could not load the embedding model {modelPath}: {e.Message}", e);
        }
        catch (Exception e) when (e is DllNotFoundException or TypeInitializationException or EntryPointNotFoundException or BadImageFormatException)
        {
            // The package ships the native library for win/linux/osx x64 and arm64; anywhere else it is missing.
            throw new EmbeddingModelException(
                $"ONNX Runtime's native library (NuGet package Microsoft.ML.OnnxRuntime) could not be loaded on " +
                $"{RuntimeInformation.RuntimeIdentifier}, so the embedding model {modelPath} cannot run: {(e.InnerException ?? e).Message}", e);
        }
    }

    private int[] Encode(string text)
    {
        var encoded = _tokenizer.Encode(text, Recipe.MaxTokens);
        if (encoded.Truncated)
        {
            Interlocked.Increment(ref _truncated);
            TruncationCounter.Add(1);
            // Lengths only: the text may be a user's question or a confidential policy.
            _logger.LogWarning("Embedding input of {Tokens} tokens truncated to {Kept} tokens", encoded.UntruncatedLength, encoded.Ids.Length);
            TextTruncated?.Invoke(this, new TextTruncatedEventArgs(encoded.UntruncatedLength, encoded.Ids.Length));
        }

        return encoded.Ids;
    }

    /// <summary>Runs one padded batch and writes each pooled, normalised vector to <c>vectors[targets[i]]</c>.</summary>
    private void EmbedBatch(int[][] batchIds, ReadOnlySpan<int> targets, float[][] vectors, CancellationToken cancellationToken)
    {
        var batch = batchIds.Length;
        var sequence = batchIds.Max(ids => ids.Length);
        var ids = new long[batch * sequence];
        var mask = new long[batch * sequence];
        var pad = _tokenizer.PadId;
        for (var b = 0; b < batch; b++)
        {
            var row = batchIds[b];
            var offset = b * sequence;
            for (var s = 0; s < sequence; s++)
            {
                var real = s < row.Length;
                ids[offset + s] = real ? row[s] : pad;
                mask[offset + s] = real ? 1 : 0;
            }
        }

        long[] shape = [batch, sequence];
        using var outputs = Run(ids, mask, shape, cancellationToken);
        // Read in ORT's memory, not copied; valid until the outputs are disposed.
        var hidden = outputs[0].GetTensorDataAsSpan<float>();
        var width = Dimensions;
        if (hidden.Length != batch * sequence * width)
        {
            throw new EmbeddingModelException(
                $"Model {ModelPath} returned {hidden.Length} values for a [{batch}, {sequence}] batch; expected {batch * sequence * width}.");
        }

        for (var b = 0; b < batch; b++)
        {
            var vector = new float[width];
            var tokens = batchIds[b].Length;
            var rows = hidden.Slice(b * sequence * width, tokens * width);
            if (Recipe.Pooling == EmbeddingPooling.Cls)
            {
                rows[..width].CopyTo(vector);
            }
            else
            {
                // Mean over the real tokens only: padded rows are excluded, exactly as the mask says.
                for (var s = 0; s < tokens; s++)
                {
                    TensorPrimitives.Add(vector, rows.Slice(s * width, width), vector);
                }

                TensorPrimitives.Divide(vector, tokens, vector);
            }

            if (Recipe.Normalize)
            {
                var norm = TensorPrimitives.Norm(vector);
                TensorPrimitives.Divide(vector, Math.Max(norm, 1e-12f), vector);
            }

            vectors[targets[b]] = vector;
        }
    }

    /// <summary>
    /// One ORT run. A cancellable token gets its own <see cref="RunOptions"/>, whose Terminate flag the token sets, so
    /// a long batch stops mid-inference; ORT then fails the run and that becomes <see cref="OperationCanceledException"/>.
    /// </summary>
    private IDisposableReadOnlyCollection<OrtValue> Run(long[] ids, long[] mask, long[] shape, CancellationToken cancellationToken)
    {
        // The OrtValues pin the arrays for ORT to read in place (no copy) until they are disposed.
        var inputs = new OrtValue[_inputNames.Length];
        try
        {
            inputs[0] = OrtValue.CreateTensorValueFromMemory(ids, shape);
            inputs[1] = OrtValue.CreateTensorValueFromMemory(mask, shape);
            if (inputs.Length == 3)
            {
                inputs[2] = OrtValue.CreateTensorValueFromMemory(new long[ids.Length], shape);
            }

            if (!cancellationToken.CanBeCanceled)
            {
                return _session.Run(_uncancellableRun, _inputNames, inputs, OutputNames);
            }

            using var runOptions = new RunOptions();
            using var registration = cancellationToken.UnsafeRegister(static state => ((RunOptions)state!).Terminate = true, runOptions);
            try
            {
                cancellationToken.ThrowIfCancellationRequested();
                return _session.Run(runOptions, _inputNames, inputs, OutputNames);
            }
            catch (OnnxRuntimeException terminated) when (cancellationToken.IsCancellationRequested)
            {
                // The ORT error stays as the inner exception: it is the evidence the run was stopped part way.
                throw new OperationCanceledException("The embedding run was terminated part way.", terminated, cancellationToken);
            }
        }
        finally
        {
            foreach (var input in inputs)
            {
                input?.Dispose();
            }
        }
    }

    private void CheckOutputDimensions()
    {
        long[] actual;
        try
        {
            // The empty text: [CLS][SEP].
            using var outputs = Run([_tokenizer.ClsId, _tokenizer.SepId], [1, 1], [1, 2], CancellationToken.None);
            actual = outputs[0].GetTensorTypeAndShape().Shape;
        }
        catch (OnnxRuntimeException e)
        {
            throw new EmbeddingModelException($"The embedding model {ModelPath} failed its check inference: {e.Message}", e);
        }

        if (actual.Length != 3 || actual[2] != Dimensions)
        {
            throw new EmbeddingModelException(
                $"{EmbeddingOptions.DimensionsVariable} is {Dimensions}, but model {ModelPath} produces {OutputName} of shape " +
                $"[{string.Join(", ", actual)}] (vectors of {(actual.Length == 3 ? actual[2] : -1)} dimensions). " +
                $"Set {EmbeddingOptions.DimensionsVariable} to the model's size or use the model the index was built with.");
        }
    }

    private static void CheckSignature(InferenceSession session, string modelPath, int dimensions)
    {
        var expected = "inputs input_ids, attention_mask (and optionally token_type_ids) as int64 [batch, sequence] and output " +
            $"{OutputName} as float [batch, sequence, {dimensions}]";
        var inputs = session.InputMetadata;
        var unexpected = inputs.Where(i => i.Key is not ("input_ids" or "attention_mask" or "token_type_ids")
            || !i.Value.IsTensor || i.Value.ElementDataType != TensorElementType.Int64 || i.Value.Dimensions.Length != 2).ToList();
        var output = session.OutputMetadata.GetValueOrDefault(OutputName);
        if (!inputs.ContainsKey("input_ids") || !inputs.ContainsKey("attention_mask") || unexpected.Count > 0
            || output is null || !output.IsTensor || output.ElementDataType != TensorElementType.Float || output.Dimensions.Length != 3)
        {
            throw new EmbeddingModelException(
                $"Model {modelPath} does not look like a BERT sentence encoder: expected {expected}; it has inputs " +
                $"{Describe(inputs)} and outputs {Describe(session.OutputMetadata)}.");
        }

        if (output.Dimensions[2] > 0 && output.Dimensions[2] != dimensions)
        {
            throw new EmbeddingModelException(
                $"{EmbeddingOptions.DimensionsVariable} is {dimensions}, but model {modelPath} declares {Describe(OutputName, output)}. " +
                $"Set {EmbeddingOptions.DimensionsVariable} to {output.Dimensions[2]} or use a {dimensions}-dimensional model.");
        }
    }

    private static string HashOf(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(stream));
    }

    private static string Describe(IReadOnlyDictionary<string, NodeMetadata> nodes) =>
        string.Join("; ", nodes.Select(n => Describe(n.Key, n.Value)));

    /// <summary>A model input or output as the model declares it, e.g. "input_ids: Int64 [batch_size, sequence_length]".</summary>
    private static string Describe(string name, NodeMetadata node)
    {
        if (!node.IsTensor)
        {
            return $"{name}: (not a tensor)";
        }

        var dims = node.Dimensions.Select((d, i) => d >= 0 ? d.ToString(CultureInfo.InvariantCulture)
            : node.SymbolicDimensions.Length > i && node.SymbolicDimensions[i].Length > 0 ? node.SymbolicDimensions[i] : "?");
        return $"{name}: {node.ElementDataType} [{string.Join(", ", dims)}]";
    }
}
