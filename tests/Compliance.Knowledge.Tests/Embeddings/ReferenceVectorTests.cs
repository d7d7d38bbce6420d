using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.Json;
using Compliance.Knowledge.Embeddings;

namespace Compliance.Knowledge.Tests.Embeddings;

/// <summary>
/// The C# embedder against Transformers.js' feature-extraction pipeline (mean pooling, normalised) on the same
/// generated tiny model: tests/fixtures/embeddings/gte-small-tiny.reference.json, made by
/// tools/reference/embed-reference.mjs.
/// </summary>
public sealed class ReferenceVectorTests(TinyEmbedderFixture fixture) : IClassFixture<TinyEmbedderFixture>
{
    private const double RequiredCosine = 0.9999;
    private static readonly Lazy<ReferenceFixture> Reference = new(ReferenceFixture.Load);

    [Fact]
    public void The_fixture_was_made_from_the_generated_tiny_model()
    {
        using var stream = File.OpenRead(Path.Combine(TinyModel.Directory, "model.onnx"));
        var actual = Convert.ToHexStringLower(SHA256.HashData(stream));

        Assert.True(actual == Reference.Value.ModelSha256,
            $"{TinyModel.Directory}/model.onnx has sha256 {actual}, but the reference vectors were made from {Reference.Value.ModelSha256}. " +
            "Regenerate the model with scripts/generate-test-models.sh (delete .tools/models first), or, if the generator changed on purpose, " +
            "regenerate the fixture with tools/reference/embed-reference.mjs.");
    }

    [Fact]
    public async Task Every_batched_vector_matches_transformers_js()
    {
        var items = Reference.Value.Items;
        Assert.True(items.Count >= 200, $"the fixture should hold at least 200 texts; it has {items.Count}");

        var vectors = await fixture.Embedder.EmbedPassagesAsync(items.Select(i => i.Text).ToList(), TestContext.Current.CancellationToken);

        var failures = items.Select((item, i) => (item, i, cosine: TensorPrimitives.CosineSimilarity(vectors[i], item.Vector)))
            .Where(x => x.cosine < RequiredCosine)
            .Select(x => $"#{x.i} cosine {x.cosine:F6} ({Describe(x.item)})")
            .ToList();
        Assert.True(failures.Count == 0, $"{failures.Count} of {items.Count} vectors differ from Transformers.js:\n{string.Join("\n", failures.Take(20))}");
    }

    [Fact]
    public async Task Single_text_embedding_matches_transformers_js_too()
    {
        foreach (var item in Reference.Value.Items.Where((_, i) => i % 9 == 0))
        {
            var vector = await fixture.Embedder.EmbedQueryAsync(item.Text, TestContext.Current.CancellationToken);

            var cosine = TensorPrimitives.CosineSimilarity(vector, item.Vector);
            Assert.True(cosine >= RequiredCosine, $"cosine {cosine:F6} for {Describe(item)}");
        }
    }

    [Fact]
    public void The_fixture_tells_different_texts_apart()
    {
        // If unrelated texts had near-identical reference vectors, the comparison above could not fail.
        var items = Reference.Value.Items;
        var indistinct = 0;
        for (var i = 0; i + 1 < items.Count; i++)
        {
            if (!items[i].Ids.SequenceEqual(items[i + 1].Ids) && TensorPrimitives.CosineSimilarity(items[i].Vector, items[i + 1].Vector) >= RequiredCosine)
            {
                indistinct++;
            }
        }

        Assert.Equal(0, indistinct);
    }

    private static string Describe(ReferenceItem item)
    {
        var text = item.Text.Length > 60 ? item.Text[..60] + "…" : item.Text;
        return $"text {JsonSerializer.Serialize(text)}, {item.Ids.Length} reference tokens";
    }

    private sealed record ReferenceItem(string Text, int[] Ids, float[] Vector);

    private sealed record ReferenceFixture(string ModelSha256, IReadOnlyList<ReferenceItem> Items)
    {
        public static ReferenceFixture Load()
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(TinyModel.FixturePath("embeddings", "gte-small-tiny.reference.json")));
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

                return new ReferenceItem(item.GetProperty("text").GetString()!,
                    item.GetProperty("ids").EnumerateArray().Select(x => x.GetInt32()).ToArray(), vector);
            }).ToList();
            return new ReferenceFixture(root.GetProperty("modelSha256").GetString()!, items);
        }
    }
}
