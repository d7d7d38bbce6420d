// Counts, on the Transformers.js tokenizer fixture, how many strings each BERT WordPiece tokenizer for .NET encodes
// to exactly the reference ids: ours (Compliance.Knowledge), Microsoft.ML.Tokenizers' BertTokenizer and
// FastBertTokenizer, each set up as gte-small's tokenizer.json says (lowercase, accents stripped, CJK split).
// A measurement for docs/tokenizer.md, not part of the product or the test suite (and not in Compliance.sln, so
// the two packages stay out of every normal build):
//   dotnet run -c Release --project bench/Compliance.TokenizerComparison [-- --repository DIR]
using System.Diagnostics;
using System.Text.Json;
using Compliance.Knowledge.Embeddings;
using MlBertTokenizer = Microsoft.ML.Tokenizers.BertTokenizer;

var root = args.Length == 2 && args[0] == "--repository" ? args[1] : FindRepository();
var vocabulary = Path.Combine(root, "tests", "fixtures", "gte-small");
string[] fixtures = ["gte-small-reference.jsonl", "gte-small-unicode-coverage.jsonl"];
var cases = fixtures.SelectMany(f => File.ReadLines(Path.Combine(root, "tests", "fixtures", "tokenizer", f)))
    .Where(line => line.Length > 0)
    .Select(line => JsonSerializer.Deserialize<FixtureLine>(line, JsonSerializerOptions.Web)!)
    // Lone surrogates cannot travel as JSON text, so those lines carry the UTF-16 code units instead.
    .Select(line => new ReferenceCase(line.Kind, line.Text ?? new string([.. line.Utf16!.Select(unit => (char)unit)]), line.Ids))
    .ToList();

var ours = WordPieceTokenizer.FromDirectory(vocabulary);
var microsoft = MlBertTokenizer.Create(Path.Combine(vocabulary, "vocab.txt"), new Microsoft.ML.Tokenizers.BertOptions
{
    LowerCaseBeforeTokenization = true,
    RemoveNonSpacingMarks = true,
    IndividuallyTokenizeCjk = true,
    ApplyBasicTokenization = true,
    SplitOnSpecialTokens = true,
});
var fast = new FastBertTokenizer.BertTokenizer();
await using (var json = File.OpenRead(Path.Combine(vocabulary, "tokenizer.json")))
{
    await fast.LoadTokenizerJsonAsync(json);
}

var fastIds = new long[1 << 16];
var fastMask = new long[fastIds.Length];
var fastTypes = new long[fastIds.Length];
Candidate[] candidates =
[
    new("Compliance.Knowledge WordPieceTokenizer", text => ours.Encode(text, int.MaxValue).Ids),
    new("Microsoft.ML.Tokenizers 3.0.0 BertTokenizer", text => [.. microsoft.EncodeToIds(text, addSpecialTokens: true)]),
    new("FastBertTokenizer 1.2.6", text =>
    {
        // The buffer holds far more than the longest fixture string, so nothing is truncated.
        var written = fast.Encode(text, fastIds, fastMask, fastTypes);
        return [.. fastIds.AsSpan(0, written).ToArray().Select(id => (int)id)];
    }),
];

Console.WriteLine($"{cases.Count} reference strings (Transformers.js 4.3.1, gte-small's tokenizer files)");
Console.WriteLine();
Console.WriteLine("| tokenizer | exact | differ | throws | time |");
Console.WriteLine("|---|---:|---:|---:|---:|");
foreach (var candidate in candidates)
{
    var (exact, differ, throws) = (0, 0, 0);
    var examples = new List<string>();
    var clock = Stopwatch.StartNew();
    foreach (var reference in cases)
    {
        try
        {
            if (candidate.Encode(reference.Text).AsSpan().SequenceEqual(reference.Ids))
            {
                exact++;
                continue;
            }

            differ++;
        }
        catch (Exception error) when (error is ArgumentException or InvalidOperationException or IndexOutOfRangeException or FormatException)
        {
            throws++;
        }

        if (examples.Count < 5)
        {
            examples.Add($"{reference.Kind}: {Escape(reference.Text)}");
        }
    }

    Console.WriteLine($"| {candidate.Name} | {exact:N0} | {differ:N0} | {throws:N0} | {clock.Elapsed.TotalMilliseconds:F0} ms |");
    foreach (var example in examples)
    {
        Console.Error.WriteLine($"  {candidate.Name} differs on {example}");
    }
}

return 0;

static string Escape(string text)
{
    var shown = text.Length > 80 ? text[..80] + "…" : text;
    return JsonSerializer.Serialize(shown);
}

static string FindRepository()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
    {
        if (File.Exists(Path.Combine(dir.FullName, "Compliance.sln")))
        {
            return dir.FullName;
        }
    }

    throw new InvalidOperationException("Run from inside the repository, or pass --repository DIR.");
}

internal sealed record FixtureLine(string Kind, string? Text, int[]? Utf16, int[] Ids);

internal sealed record ReferenceCase(string Kind, string Text, int[] Ids);

internal sealed record Candidate(string Name, Func<string, int[]> Encode);
