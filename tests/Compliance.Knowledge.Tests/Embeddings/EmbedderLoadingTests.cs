using Compliance.Knowledge.Embeddings;
using Microsoft.Extensions.Logging;

namespace Compliance.Knowledge.Tests.Embeddings;

public sealed class EmbedderLoadingTests : IDisposable
{
    private readonly DirectoryInfo _scratch = Directory.CreateTempSubdirectory("embedder-load-");

    public void Dispose() => _scratch.Delete(recursive: true);

    [Fact]
    public void A_missing_model_directory_names_the_path_and_the_download_script()
    {
        var missing = Path.Combine(_scratch.FullName, "absent");

        var error = Assert.Throws<EmbeddingModelException>(() => OnnxTextEmbedder.Load(TinyModel.Options(o => o.ModelDirectory = missing)));

        Assert.Contains(missing, error.Message, StringComparison.Ordinal);
        Assert.Contains("EMBED_MODEL", error.Message, StringComparison.Ordinal);
        Assert.Contains("scripts/download-model.sh", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_directory_without_a_model_file_says_which_files_were_expected()
    {
        TinyModel.CopyTokenizerTo(_scratch);

        var error = Assert.Throws<EmbeddingModelException>(() => OnnxTextEmbedder.Load(TinyModel.Options(o => o.ModelDirectory = _scratch.FullName)));

        Assert.Contains(_scratch.FullName, error.Message, StringComparison.Ordinal);
        Assert.Contains("model.onnx or model_quantized.onnx", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_corrupt_model_file_is_reported_with_its_path()
    {
        TinyModel.CopyTokenizerTo(_scratch);
        var model = Path.Combine(_scratch.FullName, "model.onnx");
        File.WriteAllBytes(model, [0x08, 0x07, 0xde, 0xad, 0xbe, 0xef, 0x12, 0x34]);

        var error = Assert.Throws<EmbeddingModelException>(() => OnnxTextEmbedder.Load(TinyModel.Options(o => o.ModelDirectory = _scratch.FullName)));

        Assert.Contains(model, error.Message, StringComparison.Ordinal);
        // ONNX Runtime's own verdict is kept, so the operator can tell a damaged file from an unsupported model.
        Assert.Contains("InvalidProtobuf", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_model_runs_on_the_onnx_runtime_the_NuGet_package_ships()
    {
        var logger = new ListLogger();

        using var embedder = OnnxTextEmbedder.Load(TinyModel.Options(), logger);

        var loaded = Assert.Single(logger.Entries, e => e.Level == LogLevel.Information);
        Assert.Contains("ONNX Runtime 1.32.", loaded.Message, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(TinyModel.Directory, "model.onnx"), loaded.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_quantized_model_file_is_used_when_model_onnx_is_absent()
    {
        TinyModel.CopyTokenizerTo(_scratch);
        File.Copy(Path.Combine(TinyModel.Directory, "model.onnx"), Path.Combine(_scratch.FullName, "model_quantized.onnx"));

        using var embedder = OnnxTextEmbedder.Load(TinyModel.Options(o => o.ModelDirectory = _scratch.FullName));

        Assert.EndsWith("model_quantized.onnx", embedder.ModelPath, StringComparison.Ordinal);
    }

    [Fact]
    public void A_wrong_EMBED_DIM_is_refused_at_load_naming_both_sizes()
    {
        var error = Assert.Throws<EmbeddingModelException>(() => OnnxTextEmbedder.Load(TinyModel.Options(o => o.Dimensions = 768)));

        Assert.Contains("EMBED_DIM is 768", error.Message, StringComparison.Ordinal);
        Assert.Contains("384", error.Message, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(TinyModel.Directory, "model.onnx"), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_model_with_unexpected_inputs_and_outputs_is_refused_with_what_was_expected()
    {
        TinyModel.CopyTokenizerTo(_scratch);
        File.Copy(TinyModel.FixturePath("onnx", "gather_mask.onnx"), Path.Combine(_scratch.FullName, "model.onnx"));

        var error = Assert.Throws<EmbeddingModelException>(() => OnnxTextEmbedder.Load(TinyModel.Options(o => o.ModelDirectory = _scratch.FullName)));

        Assert.Contains("last_hidden_state", error.Message, StringComparison.Ordinal);
        Assert.Contains("hidden: Float [batch_size, sequence_length, 16]", error.Message, StringComparison.Ordinal);
        Assert.Contains(_scratch.FullName, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_tokenizer_files_name_the_directory()
    {
        File.Copy(Path.Combine(TinyModel.Directory, "model.onnx"), Path.Combine(_scratch.FullName, "model.onnx"));

        var error = Assert.Throws<EmbeddingModelException>(() => OnnxTextEmbedder.Load(TinyModel.Options(o => o.ModelDirectory = _scratch.FullName)));

        Assert.Contains(_scratch.FullName, error.Message, StringComparison.Ordinal);
        Assert.Contains("vocab.txt", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TryLoad_without_a_model_in_development_warns_loudly_and_returns_null()
    {
        var logger = new ListLogger();

        var embedder = OnnxTextEmbedder.TryLoad(new EmbeddingOptions { ModelDirectory = null }, logger, requireModel: false);

        Assert.Null(embedder);
        var warning = Assert.Single(logger.Entries);
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Contains("LEXICAL-ONLY", warning.Message, StringComparison.Ordinal);
        Assert.Contains("EMBED_MODEL", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TryLoad_when_the_model_is_required_fails_instead()
    {
        var missing = Path.Combine(_scratch.FullName, "absent");

        Assert.Throws<EmbeddingModelException>(() =>
            OnnxTextEmbedder.TryLoad(new EmbeddingOptions { ModelDirectory = missing }, new ListLogger(), requireModel: true));
    }

    [Fact]
    public void TryLoad_with_a_broken_model_still_fails()
    {
        TinyModel.CopyTokenizerTo(_scratch);
        File.WriteAllText(Path.Combine(_scratch.FullName, "model.onnx"), "not a model");

        Assert.Throws<EmbeddingModelException>(() =>
            OnnxTextEmbedder.TryLoad(TinyModel.Options(o => o.ModelDirectory = _scratch.FullName), new ListLogger(), requireModel: false));
    }

    [Fact]
    public void TryLoad_with_the_model_present_returns_a_working_embedder()
    {
        using var embedder = OnnxTextEmbedder.TryLoad(TinyModel.Options(), new ListLogger(), requireModel: false);

        Assert.NotNull(embedder);
        Assert.Equal(384, embedder.Dimensions);
    }
}
