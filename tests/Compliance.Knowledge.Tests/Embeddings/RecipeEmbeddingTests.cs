using System.Numerics.Tensors;
using Compliance.Knowledge.Embeddings;
using Microsoft.ML.OnnxRuntime;

namespace Compliance.Knowledge.Tests.Embeddings;

/// <summary>
/// The embedder follows its directory's recipe, on the generated tiny model: [CLS] pooling, query and passage
/// prefixes, maximum tokens and normalisation. The [CLS] check reads ONNX Runtime's raw output itself.
/// </summary>
public sealed class RecipeEmbeddingTests(TinyEmbedderFixture fixture) : IClassFixture<TinyEmbedderFixture>, IDisposable
{
    private const string Question = "Can I sell shares during the blackout window?";
    private readonly DirectoryInfo _scratch = Directory.CreateTempSubdirectory("recipe-model-");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _scratch.Delete(recursive: true);

    [Fact]
    public async Task Cls_pooling_takes_the_first_token_of_the_encoder_output()
    {
        using var embedder = LoadWithManifest("""{"name":"tiny-cls","pooling":"cls"}""");

        var vector = (await embedder.EmbedPassagesAsync([Question], Ct))[0];

        var hidden = RawHiddenState(embedder.Tokenizer.Encode(Question).Ids);
        var cls = hidden[0].ToArray();
        TensorPrimitives.Divide(cls, TensorPrimitives.Norm(cls), cls);
        Assert.Equal(1.0, TensorPrimitives.CosineSimilarity(vector, cls), 5);
        Assert.Equal(1.0, TensorPrimitives.Norm(vector), 4);
        // And it is not what mean pooling gives: the recipe changed the vector.
        var mean = (await fixture.Embedder.EmbedPassagesAsync([Question], Ct))[0];
        Assert.True(TensorPrimitives.CosineSimilarity(vector, mean) < 0.999, "CLS and mean pooling gave the same vector");
        Assert.Equal("tiny-cls", embedder.ModelName);
    }

    [Fact]
    public async Task The_query_prefix_goes_into_query_embeddings_only()
    {
        const string Prefix = "Represent this sentence for searching relevant passages: ";
        using var embedder = LoadWithManifest($$"""{"pooling":"mean","queryPrefix":"{{Prefix}}"}""");

        var query = await embedder.EmbedQueryAsync(Question, Ct);
        var passage = (await embedder.EmbedPassagesAsync([Question], Ct))[0];

        // The default-recipe model embeds exactly the text it is given: prefix + question must equal the query.
        var prefixedByHand = (await fixture.Embedder.EmbedPassagesAsync([Prefix + Question], Ct))[0];
        var bare = (await fixture.Embedder.EmbedPassagesAsync([Question], Ct))[0];
        Assert.Equal(1.0, TensorPrimitives.CosineSimilarity(query, prefixedByHand), 5);
        Assert.Equal(1.0, TensorPrimitives.CosineSimilarity(passage, bare), 5);
        Assert.True(TensorPrimitives.CosineSimilarity(query, passage) < 0.999, "the query prefix changed nothing");
    }

    [Fact]
    public async Task The_passage_prefix_goes_into_passage_embeddings_only()
    {
        using var embedder = LoadWithManifest("""{"pooling":"mean","passagePrefix":"passage: "}""");

        var passage = (await embedder.EmbedPassagesAsync([Question], Ct))[0];
        var query = await embedder.EmbedQueryAsync(Question, Ct);

        Assert.Equal(1.0, Cosine(passage, (await fixture.Embedder.EmbedPassagesAsync(["passage: " + Question], Ct))[0]), 5);
        Assert.Equal(1.0, Cosine(query, await fixture.Embedder.EmbedQueryAsync(Question, Ct)), 5);
    }

    [Fact]
    public async Task Inputs_are_cut_at_the_recipes_maximum_tokens()
    {
        using var embedder = LoadWithManifest("""{"pooling":"mean","maxTokens":16}""");
        var events = new List<TextTruncatedEventArgs>();
        embedder.TextTruncated += (_, e) => events.Add(e);
        var longText = string.Join(' ', Enumerable.Repeat("policy", 40));

        var vector = (await embedder.EmbedPassagesAsync([longText], Ct))[0];

        var truncation = Assert.Single(events);
        Assert.Equal(16, truncation.KeptTokens);
        Assert.Equal(42, truncation.OriginalTokens);
        var sixteenTokens = string.Join(' ', Enumerable.Repeat("policy", 14));
        Assert.Equal(1.0, Cosine(vector, (await fixture.Embedder.EmbedPassagesAsync([sixteenTokens], Ct))[0]), 5);
    }

    [Fact]
    public async Task Without_normalisation_the_vector_keeps_its_length_and_direction()
    {
        using var embedder = LoadWithManifest("""{"pooling":"mean","normalize":false}""");

        var raw = await embedder.EmbedQueryAsync(Question, Ct);

        Assert.True(Math.Abs(TensorPrimitives.Norm(raw) - 1) > 0.01, $"norm {TensorPrimitives.Norm(raw)}: the vector was normalised anyway");
        Assert.Equal(1.0, Cosine(raw, await fixture.Embedder.EmbedQueryAsync(Question, Ct)), 5);
    }

    [Fact]
    public void A_broken_recipe_stops_the_load_and_names_the_file()
    {
        var manifest = Path.Combine(PrepareDirectory().FullName, EmbeddingRecipe.ManifestFileName);
        File.WriteAllText(manifest, """{"pooling":"first-token"}""");

        var error = Assert.Throws<EmbeddingModelException>(() => OnnxTextEmbedder.Load(TinyModel.Options(o => o.ModelDirectory = _scratch.FullName)));

        Assert.Contains(manifest, error.Message, StringComparison.Ordinal);
        Assert.Contains("\"mean\" or \"cls\"", error.Message, StringComparison.Ordinal);
    }

    private static double Cosine(float[] a, float[] b) => TensorPrimitives.CosineSimilarity(a, b);

    private OnnxTextEmbedder LoadWithManifest(string json)
    {
        File.WriteAllText(Path.Combine(PrepareDirectory().FullName, EmbeddingRecipe.ManifestFileName), json);
        return OnnxTextEmbedder.Load(TinyModel.Options(o => o.ModelDirectory = _scratch.FullName));
    }

    /// <summary>The tiny model's files in the scratch directory (the model linked, not copied: it is 62 MB).</summary>
    private DirectoryInfo PrepareDirectory()
    {
        if (!File.Exists(Path.Combine(_scratch.FullName, "model.onnx")))
        {
            TinyModel.CopyTokenizerTo(_scratch);
            File.CreateSymbolicLink(Path.Combine(_scratch.FullName, "model.onnx"), Path.Combine(TinyModel.Directory, "model.onnx"));
        }

        return _scratch;
    }

    /// <summary>last_hidden_state of one sequence, straight from ONNX Runtime: one row of 384 values per token.</summary>
    private static float[][] RawHiddenState(int[] ids)
    {
        using var session = new InferenceSession(Path.Combine(TinyModel.Directory, "model.onnx"));
        long[] shape = [1, ids.Length];
        using var inputIds = OrtValue.CreateTensorValueFromMemory(ids.Select(i => (long)i).ToArray(), shape);
        using var mask = OrtValue.CreateTensorValueFromMemory(Enumerable.Repeat(1L, ids.Length).ToArray(), shape);
        using var types = OrtValue.CreateTensorValueFromMemory(new long[ids.Length], shape);
        var inputs = new Dictionary<string, OrtValue> { ["input_ids"] = inputIds, ["attention_mask"] = mask };
        if (session.InputMetadata.ContainsKey("token_type_ids"))
        {
            inputs["token_type_ids"] = types;
        }

        using var runOptions = new RunOptions();
        using var outputs = session.Run(runOptions, inputs, ["last_hidden_state"]);
        var hidden = outputs[0].GetTensorDataAsSpan<float>();
        var width = hidden.Length / ids.Length;
        var rows = new float[ids.Length][];
        for (var t = 0; t < ids.Length; t++)
        {
            rows[t] = hidden.Slice(t * width, width).ToArray();
        }

        return rows;
    }
}
