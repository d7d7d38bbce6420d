using System.Text.Json;
using Compliance.Knowledge.Indexing;

namespace Compliance.Benchmarks.Search;

/// <summary>Chunks and query texts to benchmark with: synthetic, or ObliQA's passages and questions.</summary>
public sealed record SearchCorpus(string Name, IReadOnlyList<ChunkRecord> Chunks, IReadOnlyList<string> Queries)
{
    private static readonly string[] Vocabulary = BuildVocabulary();

    /// <summary>
    /// <paramref name="count"/> chunks of 40-120 words drawn Zipf-like from a 20k-word vocabulary (so some words
    /// are common, most rare, as in real text), random unit vectors, 90 % global and the rest over five tenants.
    /// </summary>
    public static SearchCorpus Synthetic(int count, int dimensions, int queries, int seed = 42)
    {
        var random = new Random(seed);
        var chunks = new List<ChunkRecord>(count);
        for (var i = 0; i < count; i++)
        {
            var document = new Guid(i / 20, 0, 0, new byte[8]);
            var tenant = random.NextDouble() < 0.9 ? Tenants.Global : "10000000000000000" + random.Next(5);
            chunks.Add(new ChunkRecord(
                ChunkRecord.IdFor(document, 1, i % 20), document, 1, tenant, "Policy " + Word(random), null, null, null, i % 20, 0, 0,
                Sentence(random, random.Next(40, 121)), [], null, ChunkStatus.Active, RandomUnitVector(random, dimensions)));
        }
        var texts = Enumerable.Range(0, queries).Select(_ => Sentence(random, random.Next(8, 21))).ToList();
        return new SearchCorpus($"synthetic {count}", chunks, texts);
    }

    /// <summary>ObliQA's passages (with random vectors: no model here) and its dev questions as query texts.</summary>
    public static SearchCorpus Obliqa(string root, int dimensions, int seed = 42)
    {
        var random = new Random(seed);
        var chunks = new List<ChunkRecord>();
        foreach (var file in Directory.EnumerateFiles(Path.Combine(root, "StructuredRegulatoryDocuments"), "*.json").Order(StringComparer.Ordinal))
        {
            using var json = JsonDocument.Parse(File.ReadAllText(file));
            foreach (var passage in json.RootElement.EnumerateArray())
            {
                var text = passage.GetProperty("Passage").GetString() ?? "";
                if (string.IsNullOrWhiteSpace(text))
                {
                    continue;
                }
                var document = new Guid(passage.GetProperty("DocumentID").GetInt32(), 0, 0, new byte[8]);
                chunks.Add(new ChunkRecord(passage.GetProperty("ID").GetString()!, document, 1, Tenants.Global, "", null, null, null,
                    chunks.Count, 0, text.Length, text, [], null, ChunkStatus.Active, RandomUnitVector(random, dimensions)));
            }
        }
        using var questions = JsonDocument.Parse(File.ReadAllText(Path.Combine(root, "ObliQA_dev.json")));
        var texts = questions.RootElement.EnumerateArray().Select(q => q.GetProperty("Question").GetString()!).ToList();
        return new SearchCorpus($"ObliQA {chunks.Count}", chunks, texts);
    }

    public static float[] RandomUnitVector(Random random, int dimensions)
    {
        var vector = new float[dimensions];
        double norm = 0;
        for (var i = 0; i < dimensions; i++)
        {
            // Sum of uniforms: close enough to Gaussian for direction-uniform vectors.
            vector[i] = (float)(random.NextDouble() + random.NextDouble() + random.NextDouble() - 1.5);
            norm += vector[i] * vector[i];
        }
        var scale = (float)(1 / Math.Sqrt(norm));
        for (var i = 0; i < dimensions; i++)
        {
            vector[i] *= scale;
        }
        return vector;
    }

    private static string Sentence(Random random, int words) => string.Join(' ', Enumerable.Range(0, words).Select(_ => Word(random)));

    /// <summary>Zipf-like pick: the rank is exponential in a uniform draw, so low ranks (common words) dominate.</summary>
    private static string Word(Random random) => Vocabulary[(int)Math.Min(Vocabulary.Length - 1, Math.Exp(random.NextDouble() * Math.Log(Vocabulary.Length)) - 1)];

    private static string[] BuildVocabulary()
    {
        const string consonants = "bcdfghjklmnprstvz";
        const string vowels = "aeiou";
        var words = new HashSet<string>(StringComparer.Ordinal);
        var random = new Random(7);
        while (words.Count < 20_000)
        {
            var syllables = random.Next(2, 5);
            var word = string.Concat(Enumerable.Range(0, syllables).Select(_ => $"{consonants[random.Next(consonants.Length)]}{vowels[random.Next(vowels.Length)]}"));
            words.Add(word);
        }
        return [.. words];
    }
}
