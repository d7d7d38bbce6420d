using System.Text;
using System.Text.Json;
using Compliance.Knowledge.Embeddings;

namespace Compliance.Knowledge.Tests.Tokenizer;

/// <summary>The committed gte-small tokenizer files and the Transformers.js reference fixture.</summary>
internal static class TokenizerFixtures
{
    private static readonly Lazy<string> Root = new(FindFixturesRoot);
    private static readonly Lazy<WordPieceTokenizer> SharedGteSmall = new(() => WordPieceTokenizer.FromDirectory(GteSmallDirectory));
    private static readonly Lazy<IReadOnlyList<ReferenceCase>> SharedReferenceCases = new(ReadReferenceCases);

    public static string GteSmallDirectory => Path.Combine(Root.Value, "gte-small");

    /// <summary>Varied strings, and every assigned code point one per word, with Transformers.js' ids.</summary>
    public static IReadOnlyList<string> ReferencePaths =>
    [
        Path.Combine(Root.Value, "tokenizer", "gte-small-reference.jsonl"),
        Path.Combine(Root.Value, "tokenizer", "gte-small-unicode-coverage.jsonl"),
    ];

    /// <summary>One tokenizer for all tests: it is immutable, and loading it takes a moment.</summary>
    public static WordPieceTokenizer GteSmall => SharedGteSmall.Value;

    public static IReadOnlyList<ReferenceCase> ReferenceCases => SharedReferenceCases.Value;

    /// <summary>Shows control, format, non-ASCII and lone-surrogate characters as \uXXXX so a failure is readable.</summary>
    public static string Escape(string text)
    {
        var builder = new StringBuilder(text.Length + 16);
        foreach (var c in text.Length > 300 ? text[..300] : text)
        {
            if (c is >= ' ' and <= '~' and not '\\')
            {
                builder.Append(c);
            }
            else
            {
                builder.Append(System.Globalization.CultureInfo.InvariantCulture, $"\\u{(int)c:X4}");
            }
        }

        return text.Length > 300 ? builder.Append($"... ({text.Length} chars)").ToString() : builder.ToString();
    }

    private static List<ReferenceCase> ReadReferenceCases()
    {
        var cases = new List<ReferenceCase>();
        foreach (var path in ReferencePaths)
        {
            ReadReferenceFile(path, cases);
        }

        return cases;
    }

    private static void ReadReferenceFile(string path, List<ReferenceCase> cases)
    {
        var lineNumber = 0;
        foreach (var line in File.ReadLines(path, Encoding.UTF8))
        {
            lineNumber++;
            if (line.Length == 0)
            {
                continue;
            }

            using var document = JsonDocument.Parse(line);
            var root = document.RootElement;
            // Lines with lone surrogates carry UTF-16 code units, because JSON readers reject lone surrogates.
            var text = root.TryGetProperty("text", out var plain)
                ? plain.GetString()!
                : new string(root.GetProperty("utf16").EnumerateArray().Select(u => (char)u.GetInt32()).ToArray());
            var ids = root.GetProperty("ids").EnumerateArray().Select(id => id.GetInt32()).ToArray();
            cases.Add(new ReferenceCase($"{Path.GetFileName(path)}:{lineNumber}", root.GetProperty("kind").GetString()!, text, ids));
        }
    }

    private static string FindFixturesRoot()
    {
        // Tests run from bin/<config>/<tfm>; the fixtures live in the repository, not in the build output.
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "tests", "fixtures");
            if (File.Exists(Path.Combine(candidate, "gte-small", "vocab.txt")))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException($"No tests/fixtures/gte-small/vocab.txt above '{AppContext.BaseDirectory}'.");
    }
}

/// <summary>One fixture line: a text and the ids Transformers.js gives it ([CLS] and [SEP] included, untruncated).</summary>
internal sealed record ReferenceCase(string Line, string Kind, string Text, int[] Ids);
