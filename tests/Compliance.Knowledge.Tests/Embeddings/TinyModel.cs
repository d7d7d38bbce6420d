using Compliance.Knowledge.Embeddings;

namespace Compliance.Knowledge.Tests.Embeddings;

/// <summary>
/// The generated 2-layer gte-small-shaped model in .tools/models/gte-small-tiny (scripts/generate-test-models.sh).
/// Tests generate nothing themselves; a missing model is a failure that says how to create it.
/// </summary>
public static class TinyModel
{
    public static string Directory { get; } = Locate();

    public static string FixturePath(params string[] parts) => Path.Combine([AppContext.BaseDirectory, "Fixtures", .. parts]);

    public static EmbeddingOptions Options(Action<EmbeddingOptions>? configure = null)
    {
        var options = new EmbeddingOptions { ModelDirectory = Directory, IntraOpThreads = 1 };
        configure?.Invoke(options);
        return options;
    }

    /// <summary>A throwaway model directory holding the tiny model's tokenizer files and whatever else a test puts in.</summary>
    public static DirectoryInfo CopyTokenizerTo(DirectoryInfo target)
    {
        foreach (var file in new[] { "vocab.txt", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "config.json" })
        {
            File.Copy(Path.Combine(Directory, file), Path.Combine(target.FullName, file));
        }

        return target;
    }

    private static string Locate()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, ".tools", "models", "gte-small-tiny");
            if (File.Exists(Path.Combine(candidate, "model.onnx")))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException(
            "The generated test model .tools/models/gte-small-tiny/model.onnx is missing. Run scripts/generate-test-models.sh " +
            "(or ./test.sh, which runs it) from the repository root; it needs /usr/bin/python3 with python3-onnx and python3-numpy.");
    }
}

/// <summary>One tiny-model embedder shared by a test class (loading takes a moment).</summary>
public sealed class TinyEmbedderFixture : IDisposable
{
    public OnnxTextEmbedder Embedder { get; } = OnnxTextEmbedder.Load(TinyModel.Options());

    public void Dispose() => Embedder.Dispose();
}
