using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Text.Json;
using Compliance.Knowledge.Embeddings;

namespace Compliance.Benchmarks.Embeddings;

/// <summary>
/// Compares the C# embedder with a Transformers.js reference file (tools/reference/embed-reference.mjs) on any
/// model, e.g. the full-size generated one: prints the worst cosines and exits 1 if any is below 0.9999.
/// </summary>
internal static class ReferenceComparison
{
    private const double RequiredCosine = 0.9999;

    public static async Task<int> RunAsync(string[] args)
    {
        var options = new BenchArguments(args);
        using var reference = JsonDocument.Parse(await File.ReadAllBytesAsync(options.Required("reference")));
        var scale = reference.RootElement.GetProperty("scale").GetSingle();
        var items = reference.RootElement.GetProperty("items").EnumerateArray().Select(item =>
        {
            var quantized = MemoryMarshal.Cast<byte, short>(Convert.FromBase64String(item.GetProperty("vector").GetString()!));
            var vector = new float[quantized.Length];
            for (var i = 0; i < vector.Length; i++)
            {
                vector[i] = quantized[i] / scale;
            }

            return (Text: item.GetProperty("text").GetString()!, Vector: vector);
        }).ToList();

        using var embedder = OnnxTextEmbedder.Load(new EmbeddingOptions
        {
            ModelDirectory = options.Required("model"),
            IntraOpThreads = options.Int("threads", 0),
        });
        var vectors = await embedder.EmbedPassagesAsync(items.Select(i => i.Text).ToList(), CancellationToken.None);
        var cosines = items.Select((item, i) => (Index: i, Cosine: (double)TensorPrimitives.CosineSimilarity(vectors[i], item.Vector)))
            .OrderBy(x => x.Cosine).ToList();

        Console.WriteLine($"{embedder.ModelPath}: {items.Count} texts, min cosine {cosines[0].Cosine:F6}, " +
            $"mean {cosines.Average(c => c.Cosine):F6}, below {RequiredCosine}: {cosines.Count(c => c.Cosine < RequiredCosine)}");
        foreach (var (index, cosine) in cosines.Take(5))
        {
            Console.WriteLine($"  #{index} cosine {cosine:F6} {JsonSerializer.Serialize(items[index].Text.Length > 60 ? items[index].Text[..60] : items[index].Text)}");
        }

        return cosines[0].Cosine >= RequiredCosine ? 0 : 1;
    }
}
