using Compliance.Knowledge.Embeddings;

namespace Compliance.Knowledge.Tests.Embeddings;

public sealed class EmbeddingOptionsTests
{
    [Fact]
    public void Environment_variables_set_the_model_directory_and_dimensions()
    {
        var variables = new Dictionary<string, string> { ["EMBED_MODEL"] = "/models/gte-small", ["EMBED_DIM"] = "768" };

        var options = new EmbeddingOptions().ApplyEnvironment(variables.GetValueOrDefault);

        Assert.Equal("/models/gte-small", options.ModelDirectory);
        Assert.Equal(768, options.Dimensions);
    }

    [Fact]
    public void Unset_environment_variables_keep_the_defaults()
    {
        var options = new EmbeddingOptions().ApplyEnvironment(_ => null);

        Assert.Null(options.ModelDirectory);
        Assert.Equal(384, options.Dimensions);
        Assert.Empty(options.Validate());
    }

    [Theory]
    [InlineData("384d")]
    [InlineData("-1")]
    [InlineData("3.5")]
    public void A_non_numeric_EMBED_DIM_is_rejected_naming_the_variable(string value)
    {
        var error = Assert.Throws<ArgumentException>(() => new EmbeddingOptions().ApplyEnvironment(n => n == "EMBED_DIM" ? value : null));

        Assert.Contains("EMBED_DIM", error.Message, StringComparison.Ordinal);
        Assert.Contains(value, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_invalid_setting_is_named()
    {
        var options = new EmbeddingOptions { Dimensions = 0, IntraOpThreads = -2, MaxBatchTokens = 100, ModelDirectory = " " };

        var errors = string.Join(" ", options.Validate());

        Assert.Contains("Dimensions", errors, StringComparison.Ordinal);
        Assert.Contains("IntraOpThreads", errors, StringComparison.Ordinal);
        Assert.Contains("MaxBatchTokens", errors, StringComparison.Ordinal);
        Assert.Contains("ModelDirectory", errors, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => OnnxTextEmbedder.Load(options));
    }
}
