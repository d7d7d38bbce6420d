using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Compliance.Knowledge.Extraction;

namespace Compliance.Benchmarks.Ingestion;

/// <summary>
/// <c>pdf-compare &lt;folder&gt;</c>: the API's PDF extraction (PdfPig) against poppler's <c>pdftotext</c> (with
/// <c>-layout</c>, as the API ran it before, and in its default reading-order mode) on every <c>*.pdf</c> in the
/// folder that has a <c>&lt;stem&gt;.reference.txt</c> beside it (the words in reading order; see
/// bench/pdf-extraction/make-policy-pdfs.py, or write one by hand for any PDF). pdftotext is needed here only.
/// Per file and tool: reading order as the share of the reference's word 4-grams found in the output (columns read
/// across break almost every 4-gram that spans a line), word recall, hyphenated line breaks left in the output, and
/// the median of five timed runs after one warm-up. Prints a Markdown table.
/// </summary>
public static partial class PdfExtractionComparison
{
    private const int Runs = 5;

    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length != 1 || !Directory.Exists(args[0]))
        {
            await Console.Error.WriteLineAsync("usage: pdf-compare <folder with *.pdf and <stem>.reference.txt>");
            return 2;
        }

        var extractor = new DocumentExtractor();
        Console.WriteLine("| file | pages | tool | 4-gram order | word recall | hyphen breaks left | median ms |");
        Console.WriteLine("|---|---:|---|---:|---:|---:|---:|");
        foreach (var pdf in Directory.GetFiles(args[0], "*.pdf").Order(StringComparer.Ordinal))
        {
            var stem = Path.GetFileNameWithoutExtension(pdf);
            var referencePath = Path.Combine(args[0], Regex.Replace(stem, "-[0-9]col$", string.Empty) + ".reference.txt");
            if (!File.Exists(referencePath))
            {
                continue;
            }

            var reference = Words(await File.ReadAllTextAsync(referencePath));
            var bytes = await File.ReadAllBytesAsync(pdf);
            var pages = 0;
            await Measure(stem, "PdfPig (API)", reference, async () =>
            {
                var document = await extractor.ExtractAsync(bytes);
                pages = document.Pages.Count;
                return document.Text;
            }, () => pages);
            await Measure(stem, "pdftotext -layout", reference, () => PdfToText(pdf, "-layout"), () => pages);
            await Measure(stem, "pdftotext", reference, () => PdfToText(pdf, null), () => pages);
        }

        return 0;
    }

    private static async Task Measure(string file, string tool, IReadOnlyList<string> reference, Func<Task<string>> extract, Func<int> pages)
    {
        var text = await extract();
        var times = new List<double>();
        for (var i = 0; i < Runs; i++)
        {
            var stopwatch = Stopwatch.StartNew();
            await extract();
            times.Add(stopwatch.Elapsed.TotalMilliseconds);
        }

        times.Sort();
        var words = Words(text);
        var order = Share(Grams(reference, 4), new HashSet<string>(Grams(words, 4), StringComparer.Ordinal));
        var recall = WordRecall(reference, words);
        var breaks = HyphenBreak().Count(text);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {file} | {pages()} | {tool} | {order:P1} | {recall:P1} | {breaks} | {times[Runs / 2]:0.0} |"));
    }

    private static async Task<string> PdfToText(string path, string? mode)
    {
        var start = new ProcessStartInfo("pdftotext") { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in mode is null ? ["-enc", "UTF-8", path, "-"] : new[] { mode, "-enc", "UTF-8", path, "-" })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        return output;
    }

    /// <summary>Lower-case words of letters and digits; everything else separates.</summary>
    private static List<string> Words(string text) =>
        WordPattern().Matches(text.ToLowerInvariant()).Select(m => m.Value).ToList();

    private static IEnumerable<string> Grams(IReadOnlyList<string> words, int n)
    {
        for (var i = 0; i + n <= words.Count; i++)
        {
            yield return string.Join(' ', words.Skip(i).Take(n));
        }
    }

    private static double Share(IEnumerable<string> wanted, HashSet<string> found)
    {
        var list = wanted.ToList();
        return list.Count == 0 ? 1 : (double)list.Count(found.Contains) / list.Count;
    }

    private static double WordRecall(IReadOnlyList<string> reference, IReadOnlyList<string> words)
    {
        var available = words.GroupBy(w => w, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var hits = 0;
        foreach (var word in reference)
        {
            if (available.TryGetValue(word, out var left) && left > 0)
            {
                available[word] = left - 1;
                hits++;
            }
        }

        return reference.Count == 0 ? 1 : (double)hits / reference.Count;
    }

    [GeneratedRegex(@"[\p{L}\p{N}]+")]
    private static partial Regex WordPattern();

    // A letter, a hyphen at the end of a line, and a lower-case letter starting the next: a word still broken.
    [GeneratedRegex(@"\p{L}-[ \t]*\r?\n[ \t]*\p{Ll}")]
    private static partial Regex HyphenBreak();
}
