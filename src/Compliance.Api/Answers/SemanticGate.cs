using System.Globalization;
using Compliance.Api.Knowledge;
using Microsoft.Extensions.Options;

namespace Compliance.Api.Answers;

/// <summary>
/// The similarity a question's closest passage must reach to count as covered by the policies, for the loaded
/// embedding model: <c>MIN_VECTOR_SIMILARITY</c> when set, else the threshold measured for that model. Cosine values
/// are not comparable across models (arctic-embed-xs puts unrelated text near 0.5, all-MiniLM-L6-v2 near 0.2), so
/// one number for every model would be a guess. Null means the key-term rule decides (no model, or a model nobody
/// has measured).
/// </summary>
public sealed class SemanticGate
{
    /// <summary>
    /// Thresholds measured on eval/answers with <c>answer-eval calibrate --hold-out para- offtopic-</c>
    /// (docs/answer-quality.md, "The semantic gate"): the value that decides the 77 original questions best, midway
    /// between the two measured similarities around it, checked on the 37 paraphrase and off-topic questions added
    /// afterwards. Keyed by the recipe's model name.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, double> MeasuredThresholds = new Dictionary<string, double>(StringComparer.OrdinalIgnoreCase)
    {
        ["arctic-embed-xs"] = 0.562,
        ["all-MiniLM-L6-v2"] = 0.310,
    };

    public SemanticGate(KnowledgeRuntime knowledge, IOptions<AnswerOptions> options, ILogger<SemanticGate> logger)
    {
        ArgumentNullException.ThrowIfNull(knowledge);
        ArgumentNullException.ThrowIfNull(options);
        var model = knowledge.Embedder?.ModelName;
        MinVectorSimilarity = Resolve(model, options.Value.MinVectorSimilarity);
        if (model is null)
        {
            logger.LogInformation("Refusal gate: key-term coverage (no embedding model is loaded)");
        }
        else if (MinVectorSimilarity is { } threshold)
        {
            logger.LogInformation("Refusal gate: semantic, closest passage similarity >= {Threshold} for model {Model}",
                threshold.ToString("0.###", CultureInfo.InvariantCulture), model);
        }
        else
        {
            logger.LogWarning("Refusal gate: key-term coverage, because no similarity threshold has been measured for embedding model {Model}; " +
                "measure one with answer-eval (docs/answer-quality.md) and set MIN_VECTOR_SIMILARITY", model);
        }
    }

    /// <summary>The threshold in force, or null when the key-term rule decides.</summary>
    public double? MinVectorSimilarity { get; }

    /// <summary><c>semantic</c> or <c>key-terms</c>, for diagnostics.</summary>
    public string Kind => MinVectorSimilarity is null ? "key-terms" : "semantic";

    /// <summary>The configured threshold, else the measured one for <paramref name="modelName"/>; null without a model.</summary>
    public static double? Resolve(string? modelName, double? configured) =>
        modelName is null ? null
        : configured ?? (MeasuredThresholds.TryGetValue(modelName, out var measured) ? measured : null);
}
