using System.Text.Json;
using System.Text.Json.Serialization;

namespace Compliance.Knowledge.Embeddings;

/// <summary>How the token vectors of a BERT encoder become one sentence vector.</summary>
public enum EmbeddingPooling
{
    /// <summary>Mean of the token vectors over the attention mask (gte-small, all-MiniLM-L6-v2).</summary>
    Mean,

    /// <summary>The [CLS] token's vector (arctic-embed-xs).</summary>
    Cls,
}

/// <summary>
/// How a model directory's model must be run to embed as its reference does: pooling, normalisation, the prefixes
/// prepended to queries and to passages, and the longest input. Read by <see cref="FromDirectory"/> from
/// sentence-transformers' own files, else the project's <c>embedding-model.json</c>, else gte-small's recipe.
/// </summary>
public sealed record EmbeddingRecipe
{
    /// <summary>The project's manifest, written beside models that lack sentence-transformers' files.</summary>
    public const string ManifestFileName = "embedding-model.json";

    /// <summary>sentence-transformers' list of modules (Transformer, Pooling, Normalize).</summary>
    public const string ModulesFileName = "modules.json";

    /// <summary>gte-small's recipe: what every model directory without a recipe file has held so far.</summary>
    public static EmbeddingRecipe GteSmall { get; } = new()
    {
        Name = "gte-small", Pooling = EmbeddingPooling.Mean, Normalize = true, MaxTokens = EmbeddingOptions.MaxSequenceLength,
        Source = "default (gte-small: mean pooling, normalised, no prefix, 512 tokens)",
    };

    /// <summary>Model name, for logs and the index's model identity.</summary>
    public required string Name { get; init; }

    public required EmbeddingPooling Pooling { get; init; }

    /// <summary>Whether sentence vectors are scaled to unit length (every model the project ships does).</summary>
    public bool Normalize { get; init; } = true;

    /// <summary>Prepended to every query before embedding (never to the BM25 query). Empty for most models.</summary>
    public string QueryPrefix { get; init; } = "";

    /// <summary>Prepended to every passage (document chunk) before embedding.</summary>
    public string PassagePrefix { get; init; } = "";

    /// <summary>Longest input in tokens, [CLS] and [SEP] included; longer inputs are cut.</summary>
    public int MaxTokens { get; init; } = EmbeddingOptions.MaxSequenceLength;

    /// <summary>Where the recipe came from (the file read, or the default), for logs and diagnostics.</summary>
    public string Source { get; init; } = "";

    /// <summary>The model file's sha256 as the manifest declares it; null when it declares none.</summary>
    public string? DeclaredSha256 { get; init; }

    /// <summary>
    /// The recipe as it bears on vectors, e.g. <c>arctic-embed-xs cls norm q="Represent…" p="" 512</c>: two indexes whose
    /// models share this and the model file's hash hold comparable vectors.
    /// </summary>
    public string Describe() =>
        $"{Name} {(Pooling == EmbeddingPooling.Cls ? "cls" : "mean")} {(Normalize ? "norm" : "raw")} " +
        $"q={JsonSerializer.Serialize(QueryPrefix)} p={JsonSerializer.Serialize(PassagePrefix)} {MaxTokens}";

    /// <summary>
    /// Reads the recipe of <paramref name="directory"/>: sentence-transformers' <c>modules.json</c> (with its Pooling
    /// folder's <c>config.json</c>, <c>config_sentence_transformers.json</c> prompts and <c>sentence_bert_config.json</c>
    /// max_seq_length) when present, else <c>embedding-model.json</c>, else <see cref="GteSmall"/> named after the
    /// directory. A recipe file that cannot be read or asks for what this embedder cannot do throws
    /// <see cref="EmbeddingModelException"/> naming the file.
    /// </summary>
    public static EmbeddingRecipe FromDirectory(string directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        var name = NameOf(directory);
        if (File.Exists(Path.Combine(directory, ModulesFileName)))
        {
            return FromSentenceTransformers(directory, name);
        }

        var manifest = Path.Combine(directory, ManifestFileName);
        if (File.Exists(manifest))
        {
            return FromManifest(manifest, name);
        }

        return GteSmall with { Name = name };
    }

    private static EmbeddingRecipe FromSentenceTransformers(string directory, string name)
    {
        var modulesPath = Path.Combine(directory, ModulesFileName);
        var modules = Read<SentenceTransformerModule[]>(modulesPath) ?? [];
        var pooling = modules.FirstOrDefault(m => m.Type?.EndsWith(".Pooling", StringComparison.Ordinal) == true)
            ?? throw Broken(modulesPath, "has no sentence_transformers.models.Pooling module, so the pooling is unknown");
        var poolingPath = Path.Combine(directory, pooling.Path ?? "", "config.json");
        if (!File.Exists(poolingPath))
        {
            throw Broken(modulesPath, $"names a Pooling module whose {poolingPath} does not exist");
        }

        var poolingConfig = Read<PoolingConfig>(poolingPath) ?? new PoolingConfig();
        var others = poolingConfig.OtherModes();
        var mode = (poolingConfig.Cls, poolingConfig.Mean, others) switch
        {
            (true, false, null) => EmbeddingPooling.Cls,
            (false, true, null) => EmbeddingPooling.Mean,
            (_, _, { } other) => throw Broken(poolingPath, $"asks for {other}; this embedder supports only pooling_mode_cls_token or pooling_mode_mean_tokens"),
            _ => throw Broken(poolingPath, "must set exactly one of pooling_mode_cls_token and pooling_mode_mean_tokens to true"),
        };

        var prompts = File.Exists(Path.Combine(directory, "config_sentence_transformers.json"))
            ? Read<SentenceTransformersConfig>(Path.Combine(directory, "config_sentence_transformers.json"))?.Prompts
            : null;
        var bertConfigPath = Path.Combine(directory, "sentence_bert_config.json");
        var maxTokens = File.Exists(bertConfigPath)
            ? Read<SentenceBertConfig>(bertConfigPath)?.MaxSeqLength ?? EmbeddingOptions.MaxSequenceLength
            : EmbeddingOptions.MaxSequenceLength;
        CheckMaxTokens(maxTokens, bertConfigPath, "max_seq_length");
        return new EmbeddingRecipe
        {
            Name = name,
            Pooling = mode,
            Normalize = modules.Any(m => m.Type?.EndsWith(".Normalize", StringComparison.Ordinal) == true),
            QueryPrefix = prompts?.GetValueOrDefault("query") ?? "",
            PassagePrefix = prompts?.GetValueOrDefault("document") ?? prompts?.GetValueOrDefault("passage") ?? "",
            MaxTokens = maxTokens,
            Source = "sentence-transformers files (" + ModulesFileName + ")",
        };
    }

    private static EmbeddingRecipe FromManifest(string path, string directoryName)
    {
        var manifest = Read<Manifest>(path) ?? throw Broken(path, "is empty (null)");
        var pooling = manifest.Pooling?.ToLowerInvariant() switch
        {
            "mean" => EmbeddingPooling.Mean,
            "cls" => EmbeddingPooling.Cls,
            null => throw Broken(path, "has no \"pooling\"; it must be \"mean\" or \"cls\""),
            _ => throw Broken(path, $"has pooling \"{manifest.Pooling}\"; it must be \"mean\" or \"cls\""),
        };
        var maxTokens = manifest.MaxTokens ?? EmbeddingOptions.MaxSequenceLength;
        CheckMaxTokens(maxTokens, path, "maxTokens");
        return new EmbeddingRecipe
        {
            Name = string.IsNullOrWhiteSpace(manifest.Name) ? directoryName : manifest.Name,
            Pooling = pooling,
            Normalize = manifest.Normalize ?? true,
            QueryPrefix = manifest.QueryPrefix ?? "",
            PassagePrefix = manifest.PassagePrefix ?? "",
            MaxTokens = maxTokens,
            Source = ManifestFileName + (string.IsNullOrWhiteSpace(manifest.Source) ? "" : " (" + manifest.Source + ")"),
            DeclaredSha256 = string.IsNullOrWhiteSpace(manifest.Sha256) ? null : manifest.Sha256.ToLowerInvariant(),
        };
    }

    private static void CheckMaxTokens(int maxTokens, string path, string field)
    {
        if (maxTokens is < 8 or > EmbeddingOptions.MaxSequenceLength)
        {
            throw Broken(path, $"has {field} {maxTokens}; it must be between 8 and BERT's {EmbeddingOptions.MaxSequenceLength} positions");
        }
    }

    private static T? Read<T>(string path)
    {
        try
        {
            using var stream = File.OpenRead(path);
            return JsonSerializer.Deserialize<T>(stream, JsonOptions);
        }
        catch (JsonException e)
        {
            throw Broken(path, $"is not valid JSON of the expected shape ({e.Message})", e);
        }
        catch (IOException e)
        {
            throw Broken(path, $"could not be read ({e.Message})", e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw Broken(path, $"could not be read ({e.Message})", e);
        }
    }

    private static EmbeddingModelException Broken(string path, string problem, Exception? inner = null) =>
        new($"The embedding model's recipe file {path} {problem}.", inner);

    private static string NameOf(string directory)
    {
        var name = Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory)));
        return string.IsNullOrEmpty(name) ? "onnx-embedder" : name;
    }

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNameCaseInsensitive = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    private sealed record SentenceTransformerModule(string? Path, string? Type);

    private sealed record SentenceTransformersConfig(Dictionary<string, string>? Prompts);

    private sealed record SentenceBertConfig([property: JsonPropertyName("max_seq_length")] int? MaxSeqLength);

    private sealed record Manifest(string? Name, string? Pooling, bool? Normalize, string? QueryPrefix, string? PassagePrefix, int? MaxTokens, string? Source, string? Sha256);

    private sealed record PoolingConfig
    {
        [JsonPropertyName("pooling_mode_cls_token")] public bool Cls { get; init; }
        [JsonPropertyName("pooling_mode_mean_tokens")] public bool Mean { get; init; }
        [JsonPropertyName("pooling_mode_max_tokens")] public bool Max { get; init; }
        [JsonPropertyName("pooling_mode_mean_sqrt_len_tokens")] public bool MeanSqrtLength { get; init; }
        [JsonPropertyName("pooling_mode_weightedmean_tokens")] public bool WeightedMean { get; init; }
        [JsonPropertyName("pooling_mode_lasttoken")] public bool LastToken { get; init; }

        public string? OtherModes()
        {
            var others = new[] { (Max, "pooling_mode_max_tokens"), (MeanSqrtLength, "pooling_mode_mean_sqrt_len_tokens"),
                (WeightedMean, "pooling_mode_weightedmean_tokens"), (LastToken, "pooling_mode_lasttoken") }
                .Where(m => m.Item1).Select(m => m.Item2).ToList();
            return others.Count == 0 ? null : string.Join(" and ", others);
        }
    }
}
