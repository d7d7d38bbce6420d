using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.Json;
using Compliance.Knowledge.Embeddings;

namespace Compliance.Knowledge.Tests.Embeddings;

/// <summary>
/// The real models, loaded from their directories with the recipe found there, against Transformers.js on the same
/// files (tests/fixtures/embeddings/&lt;model&gt;.reference.json, made by tools/reference/embed-reference.mjs from
/// tests/fixtures/embeddings/recipe-texts.json): arctic-embed-xs with [CLS] pooling and its query prefix,
/// all-MiniLM-L6-v2 with mean pooling. The models come from .tools/models/&lt;model&gt;, where the build extracts
/// the default model from its NuGet package; a model not extracted there is skipped with the directory named.
/// </summary>
public sealed class RealModelReferenceTests
{
    private const double RequiredCosine = 0.9999;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("arctic-embed-xs")]
    [InlineData("all-MiniLM-L6-v2")]
    public async Task Queries_and_passages_embed_as_transformers_js_embeds_them(string model)
    {
        var reference = Reference.Load(model);
        using var embedder = LoadOrSkip(model, reference.ModelSha256);
        Assert.Equal(reference.Pooling, embedder.Recipe.Pooling);
        Assert.Equal(reference.QueryPrefix, embedder.Recipe.QueryPrefix);

        var vectors = await EmbedAsync(embedder, reference.Items);

        var failures = reference.Items.Select((item, i) => (item, cosine: TensorPrimitives.CosineSimilarity(vectors[i], item.Vector)))
            .Where(x => x.cosine < RequiredCosine)
            .Select(x => $"{x.item.Role} {JsonSerializer.Serialize(x.item.Text)}: cosine {x.cosine:F6}")
            .ToList();
        Assert.True(failures.Count == 0, $"{failures.Count} of {reference.Items.Count} {model} vectors differ from Transformers.js:\n{string.Join("\n", failures)}");
        // The tokens embedded (the prefix included for queries) are Transformers.js' too.
        foreach (var item in reference.Items)
        {
            var text = item.Role == "query" ? embedder.Recipe.QueryPrefix + item.Text : embedder.Recipe.PassagePrefix + item.Text;
            Assert.Equal(item.Ids, embedder.Tokenizer.Encode(text, embedder.Recipe.MaxTokens).Ids);
        }
    }

    [Theory]
    [InlineData("arctic-embed-xs")]
    [InlineData("all-MiniLM-L6-v2")]
    public async Task Each_question_is_nearest_to_the_passage_that_answers_it(string model)
    {
        // recipe-texts.json lists four questions, then the four passages answering them in the same order.
        var reference = Reference.Load(model);
        using var embedder = LoadOrSkip(model, reference.ModelSha256);
        var vectors = await EmbedAsync(embedder, reference.Items);
        var queries = Enumerable.Range(0, reference.Items.Count).Where(i => reference.Items[i].Role == "query").ToList();
        var passages = Enumerable.Range(0, reference.Items.Count).Where(i => reference.Items[i].Role == "passage").ToList();

        for (var q = 0; q < 4; q++)
        {
            var nearest = passages.MaxBy(p => TensorPrimitives.Dot(vectors[queries[q]], vectors[p]));
            Assert.True(nearest == passages[q],
                $"{model}: {JsonSerializer.Serialize(reference.Items[queries[q]].Text)} is nearest to {JsonSerializer.Serialize(reference.Items[nearest].Text)}");
        }
    }

    [Fact]
    public async Task Arctic_embed_xs_queries_differ_from_the_same_text_as_a_passage()
    {
        // The prefix is what arctic-embed-xs was trained with: without it, its query vectors are another model's.
        var reference = Reference.Load("arctic-embed-xs");
        using var embedder = LoadOrSkip("arctic-embed-xs", reference.ModelSha256);
        const string Question = "Can a vendor buy me dinner?";

        var query = await embedder.EmbedQueryAsync(Question, Ct);
        var passage = (await embedder.EmbedPassagesAsync([Question], Ct))[0];

        Assert.True(TensorPrimitives.CosineSimilarity(query, passage) < 0.95,
            $"cosine {TensorPrimitives.CosineSimilarity(query, passage):F4}: the query prefix made no difference");
    }

    private static async Task<float[][]> EmbedAsync(OnnxTextEmbedder embedder, IReadOnlyList<ReferenceItem> items)
    {
        var vectors = new float[items.Count][];
        var passages = Enumerable.Range(0, items.Count).Where(i => items[i].Role != "query").ToList();
        var passageVectors = await embedder.EmbedPassagesAsync(passages.Select(i => items[i].Text).ToList(), Ct);
        for (var p = 0; p < passages.Count; p++)
        {
            vectors[passages[p]] = passageVectors[p];
        }

        for (var i = 0; i < items.Count; i++)
        {
            if (items[i].Role == "query")
            {
                vectors[i] = await embedder.EmbedQueryAsync(items[i].Text, Ct);
            }
        }

        return vectors;
    }

    /// <summary>The model from .tools/models/&lt;name&gt;, or a skip naming the missing directory.</summary>
    private static OnnxTextEmbedder LoadOrSkip(string model, string expectedSha256)
    {
        var directory = ModelsDirectory(model);
        var file = Path.Combine(directory, "model.onnx");
        if (!File.Exists(file))
        {
            Assert.Skip($"{directory} has no model.onnx: the build extracts the default model there from its NuGet package " +
                $"(-p:DefaultEmbeddingModel={model} to bundle this one). This reference check runs where the model was extracted.");
        }

        using (var stream = File.OpenRead(file))
        {
            var actual = Convert.ToHexStringLower(SHA256.HashData(stream));
            Assert.True(actual == expectedSha256, $"{file} has sha256 {actual}; the reference vectors were made from {expectedSha256}.");
        }

        return OnnxTextEmbedder.Load(new EmbeddingOptions { ModelDirectory = directory, IntraOpThreads = 1 });
    }

    private static string ModelsDirectory(string model)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "global.json")))
            {
                return Path.Combine(dir.FullName, ".tools", "models", model);
            }
        }

        throw new InvalidOperationException($"No repository root (global.json) above {AppContext.BaseDirectory}.");
    }

    private sealed record ReferenceItem(string Role, string Text, int[] Ids, float[] Vector);

    private sealed record Reference(string ModelSha256, EmbeddingPooling Pooling, string QueryPrefix, IReadOnlyList<ReferenceItem> Items)
    {
        public static Reference Load(string model)
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(TinyModel.FixturePath("embeddings", model + ".reference.json")));
            var root = document.RootElement;
            var scale = root.GetProperty("scale").GetSingle();
            var items = root.GetProperty("items").EnumerateArray().Select(item =>
            {
                var quantized = MemoryMarshal.Cast<byte, short>(Convert.FromBase64String(item.GetProperty("vector").GetString()!));
                var vector = new float[quantized.Length];
                for (var i = 0; i < vector.Length; i++)
                {
                    vector[i] = quantized[i] / scale;
                }

                return new ReferenceItem(item.GetProperty("role").GetString()!, item.GetProperty("text").GetString()!,
                    item.GetProperty("ids").EnumerateArray().Select(x => x.GetInt32()).ToArray(), vector);
            }).ToList();
            var pooling = root.GetProperty("pooling").GetString() == "cls" ? EmbeddingPooling.Cls : EmbeddingPooling.Mean;
            return new Reference(root.GetProperty("modelSha256").GetString()!, pooling, root.GetProperty("queryPrefix").GetString()!, items);
        }
    }
}
