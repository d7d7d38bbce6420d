using Compliance.Knowledge.Embeddings;

namespace Compliance.Knowledge.Tests;

public sealed class BundledTokenizerTests
{
    [Theory]
    [InlineData("Can I trade during the blackout window?")]
    [InlineData("Gifts over $100 need pre-clearance from Compliance (see §4.2).")]
    [InlineData("Ünïcödé façade — 日本語 and emoji 🙂")]
    public void Bundled_gte_small_tokenizer_matches_the_model_directory_files(string text)
    {
        var fromFiles = WordPieceTokenizer.FromDirectory(FixturePath());
        Assert.Equal(fromFiles.Encode(text).Ids, BundledTokenizers.GteSmall.Encode(text).Ids);
    }

    private static string FixturePath()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tests", "fixtures", "gte-small");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }
        throw new DirectoryNotFoundException("tests/fixtures/gte-small not found above " + AppContext.BaseDirectory);
    }
}
