using System.Text;
using Compliance.Knowledge.Embeddings;

namespace Compliance.Knowledge.Tests.Tokenizer;

/// <summary>
/// The C# tokenizer against Transformers.js on the committed fixture (tools/reference/generate-tokenizer-fixture.mjs):
/// every string must give exactly the reference ids.
/// </summary>
public sealed class ReferenceExactnessTests
{
    private static WordPieceTokenizer Tokenizer => TokenizerFixtures.GteSmall;

    [Fact]
    public void Fixture_is_large_and_varied()
    {
        var cases = TokenizerFixtures.ReferenceCases;
        Assert.True(cases.Count(c => c.Kind != "unicode-coverage") >= 5000, $"only {cases.Count} reference strings");
        Assert.True(cases.Where(c => c.Kind == "unicode-coverage").Sum(c => c.Text.Length) > 40_000, "the Unicode coverage file is missing or short");
        var kinds = cases.Select(c => c.Kind).ToHashSet();
        foreach (var kind in new[] { "regulatory", "accents", "cjk", "emoji", "controls-zero-width", "long-words", "numbers",
                     "script-arabic", "script-cyrillic", "script-greek", "script-devanagari", "script-thai", "whitespace-only", "empty" })
        {
            Assert.Contains(kind, kinds);
        }
    }

    [Fact]
    public void Every_fixture_string_gives_the_Transformers_js_ids()
    {
        var mismatches = new List<string>();
        var failures = 0;
        foreach (var reference in TokenizerFixtures.ReferenceCases)
        {
            // Transformers.js does not truncate with these files, so compare without truncation.
            var actual = Tokenizer.Encode(reference.Text, int.MaxValue).Ids;
            if (!actual.AsSpan().SequenceEqual(reference.Ids))
            {
                failures++;
                if (mismatches.Count < 10)
                {
                    mismatches.Add(Describe(reference, actual));
                }
            }
        }

        Assert.True(failures == 0,
            $"{failures} of {TokenizerFixtures.ReferenceCases.Count} strings differ from Transformers.js; first ones:\n" +
            string.Join("\n", mismatches));
    }

    [Fact]
    public void Encoding_without_specials_is_the_reference_without_CLS_and_SEP()
    {
        foreach (var reference in TokenizerFixtures.ReferenceCases)
        {
            Assert.Equal(reference.Ids[1..^1], Tokenizer.EncodeWithoutSpecialTokens(reference.Text));
        }
    }

    [Fact]
    public void CountTokens_equals_the_number_of_encoded_tokens_on_every_fixture_string()
    {
        foreach (var reference in TokenizerFixtures.ReferenceCases)
        {
            Assert.True(reference.Ids.Length - 2 == Tokenizer.CountTokens(reference.Text),
                $"{reference.Line}: CountTokens says {Tokenizer.CountTokens(reference.Text)}, reference has {reference.Ids.Length - 2} tokens: \"{TokenizerFixtures.Escape(reference.Text)}\"");
        }
    }

    [Fact]
    public void Long_fixture_strings_truncate_to_the_first_510_reference_tokens()
    {
        var longCases = TokenizerFixtures.ReferenceCases.Where(c => c.Ids.Length > WordPieceTokenizer.DefaultMaxLength).ToList();
        Assert.NotEmpty(longCases);
        foreach (var reference in longCases)
        {
            var encoded = Tokenizer.Encode(reference.Text);
            Assert.True(encoded.Truncated);
            Assert.Equal(reference.Ids.Length, encoded.UntruncatedLength);
            int[] expected = [.. reference.Ids[..(WordPieceTokenizer.DefaultMaxLength - 1)], Tokenizer.SepId];
            Assert.Equal(expected, encoded.Ids);
        }
    }

    private static string Describe(ReferenceCase reference, int[] actual)
    {
        var firstDifference = 0;
        while (firstDifference < actual.Length && firstDifference < reference.Ids.Length && actual[firstDifference] == reference.Ids[firstDifference])
        {
            firstDifference++;
        }

        var builder = new StringBuilder();
        builder.Append($"{reference.Line} ({reference.Kind}): \"{TokenizerFixtures.Escape(reference.Text)}\"\n");
        builder.Append($"  first difference at id #{firstDifference}\n");
        builder.Append($"  expected {string.Join(',', reference.Ids.Skip(Math.Max(0, firstDifference - 2)).Take(8))}\n");
        builder.Append($"  actual   {string.Join(',', actual.Skip(Math.Max(0, firstDifference - 2)).Take(8))}");
        return builder.ToString();
    }
}
