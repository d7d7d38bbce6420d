using System.Text;
using System.Text.Json;

namespace Compliance.Benchmarks.Tokenizer;

/// <summary>
/// The texts both tokenizer benchmarks (this one and tools/reference/benchmark-tokenizer.mjs) run over, built the
/// same way on both sides: the regulatory strings of the committed reference fixture, or, when
/// TOKENIZER_BENCH_CORPUS names a folder of .txt files, those files cut into passages of about 2,000 characters.
/// </summary>
public static class TokenizerBenchmarkInput
{
    public const string CorpusVariable = "TOKENIZER_BENCH_CORPUS";

    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    public static string TokenizerDirectory => Path.Combine(RepositoryRoot, "tests", "fixtures", "gte-small");

    public static IReadOnlyList<string> Load(out string description)
    {
        var corpus = Environment.GetEnvironmentVariable(CorpusVariable);
        if (!string.IsNullOrWhiteSpace(corpus))
        {
            if (!Directory.Exists(corpus))
            {
                throw new DirectoryNotFoundException($"{CorpusVariable} names '{corpus}', which does not exist.");
            }

            var passages = new List<string>();
            foreach (var file in Directory.GetFiles(corpus, "*.txt").Order(StringComparer.Ordinal))
            {
                var text = File.ReadAllText(file, Encoding.UTF8);
                for (var start = 0; start < text.Length; start += 2000)
                {
                    passages.Add(text.Substring(start, Math.Min(2000, text.Length - start)));
                }
            }

            description = $"corpus {corpus}";
            return passages;
        }

        var fixture = Path.Combine(RepositoryRoot, "tests", "fixtures", "tokenizer", "gte-small-reference.jsonl");
        var texts = new List<string>();
        foreach (var line in File.ReadLines(fixture, Encoding.UTF8))
        {
            using var document = JsonDocument.Parse(line);
            var root = document.RootElement;
            if (root.GetProperty("kind").GetString()!.StartsWith("regulatory", StringComparison.Ordinal) && root.TryGetProperty("text", out var text))
            {
                texts.Add(text.GetString()!);
            }
        }

        description = "regulatory strings of tests/fixtures/tokenizer/gte-small-reference.jsonl";
        return texts;
    }

    private static string FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Compliance.sln")))
            {
                return directory.FullName;
            }
        }

        throw new DirectoryNotFoundException($"No Compliance.sln above '{AppContext.BaseDirectory}'.");
    }
}
