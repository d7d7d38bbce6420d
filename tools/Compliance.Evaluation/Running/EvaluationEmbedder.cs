using Compliance.Knowledge.Embeddings;

namespace Compliance.Evaluation.Running;

/// <summary>The embedder settings of the evaluation tool's command line.</summary>
public sealed record EmbedderChoice(string? ModelDirectory, string StandIn = "none", int Dimensions = 384, int Threads = 0, int MaxBatchTokens = EmbeddingOptions.DefaultMaxBatchTokens);

/// <summary>
/// Builds the embedder the command line asks for: the real <see cref="OnnxTextEmbedder"/> from a model directory laid
/// out like the API's <c>EMBED_MODEL</c> (model.onnx + tokenizer files, as scripts/download-model.sh writes), the
/// word-hashing stand-in, or none. Every problem is an <see cref="EvaluationSetupException"/> whose message is meant
/// for the user as is.
/// </summary>
public static class EvaluationEmbedder
{
    public static ITextEmbedder? Create(EmbedderChoice choice)
    {
        ArgumentNullException.ThrowIfNull(choice);
        if (choice.Dimensions is < 1 or > 8192)
        {
            throw new EvaluationSetupException($"--dimensions must be between 1 and 8192; got {choice.Dimensions}.");
        }
        if (choice.ModelDirectory is null)
        {
            return choice.StandIn == "hashing" ? new HashingTextEmbedder(choice.Dimensions) : null;
        }
        if (choice.StandIn != "none")
        {
            throw new EvaluationSetupException($"--model and --embedder {choice.StandIn} exclude each other: give one embedder.");
        }

        var directory = Path.GetFullPath(choice.ModelDirectory);
        if (!Directory.Exists(directory))
        {
            throw new EvaluationSetupException(
                $"--model {directory} does not exist. Give a directory holding model.onnx and the tokenizer files " +
                "(scripts/download-model.sh writes one to models/gte-small; scripts/generate-test-models.sh --full a random-weight one to .tools/models/gte-small-random).");
        }
        try
        {
            // The API's own loader: same model file lookup, tokenizer, signature and dimension checks.
            return OnnxTextEmbedder.Load(new EmbeddingOptions
            {
                ModelDirectory = directory,
                Dimensions = choice.Dimensions,
                IntraOpThreads = choice.Threads,
                MaxBatchTokens = choice.MaxBatchTokens,
            });
        }
        catch (EmbeddingModelException error)
        {
            throw new EvaluationSetupException($"--model {directory}: {error.Message}", error);
        }
        catch (ArgumentException error)
        {
            throw new EvaluationSetupException($"--model: {error.Message}", error);
        }
    }
}

/// <summary>The evaluation cannot start with the given arguments; the message says which one and why.</summary>
public sealed class EvaluationSetupException : Exception
{
    public EvaluationSetupException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
