using System.Text;
using Compliance.Knowledge.Embeddings;

namespace Compliance.Knowledge.Tests.Tokenizer;

public sealed class WordPieceTokenizerTests
{
    private static WordPieceTokenizer Tokenizer => TokenizerFixtures.GteSmall;

    private static readonly Lazy<string[]> VocabularyLines =
        new(() => File.ReadAllLines(Path.Combine(TokenizerFixtures.GteSmallDirectory, "vocab.txt")));

    /// <summary>The id of a token according to vocab.txt (its zero-based line number), independent of the tokenizer.</summary>
    private static int IdOf(string token) => Array.IndexOf(VocabularyLines.Value, token);

    [Fact]
    public void Loads_gte_small_with_its_special_tokens()
    {
        Assert.Equal(30522, Tokenizer.VocabularySize);
        Assert.Equal(IdOf("[CLS]"), Tokenizer.ClsId);
        Assert.Equal(IdOf("[SEP]"), Tokenizer.SepId);
        Assert.Equal(IdOf("[PAD]"), Tokenizer.PadId);
        Assert.Equal(IdOf("[UNK]"), Tokenizer.UnknownId);
        // tokenizer.json says strip_accents: null, which follows lowercase.
        Assert.Equal(new TokenizerSettings(LowerCase: true, StripAccents: true, HandleChineseChars: true, MaxInputCharsPerWord: 100), Tokenizer.Settings);
    }

    [Fact]
    public void Splits_words_punctuation_and_word_pieces()
    {
        int[] expected = [IdOf("anti"), IdOf("-"), IdOf("money"), IdOf("laundering"), IdOf("("), IdOf("am"), IdOf("##l"), IdOf(")"), IdOf("!")];
        Assert.DoesNotContain(-1, expected);
        Assert.Equal(expected, Tokenizer.EncodeWithoutSpecialTokens("Anti-Money   LAUNDERING\t(AML)!"));
    }

    [Fact]
    public void Accents_and_case_do_not_change_the_tokens()
    {
        Assert.Equal(Tokenizer.EncodeWithoutSpecialTokens("cafe resume naive"), Tokenizer.EncodeWithoutSpecialTokens("Café RÉSUMÉ naïve"));
        Assert.Equal(Tokenizer.EncodeWithoutSpecialTokens("cafe"), Tokenizer.EncodeWithoutSpecialTokens("Cafe\u0301"));
    }

    [Fact]
    public void Empty_and_whitespace_only_text_give_just_CLS_and_SEP()
    {
        foreach (var text in new[] { "", " ", "\t\r\n", "\u00A0\u3000", "\u200B\uFEFF" })
        {
            var encoded = Tokenizer.Encode(text);
            Assert.Equal([Tokenizer.ClsId, Tokenizer.SepId], encoded.Ids);
            Assert.False(encoded.Truncated);
            Assert.Equal(2, encoded.UntruncatedLength);
        }
    }

    [Fact]
    public void Zero_width_and_control_characters_vanish_without_splitting_the_word()
    {
        Assert.Equal(Tokenizer.EncodeWithoutSpecialTokens("compliance"), Tokenizer.EncodeWithoutSpecialTokens("compli\u200Bance\u0000"));
    }

    [Fact]
    public void Truncation_keeps_CLS_and_SEP_and_reports_the_full_length()
    {
        var text = string.Join(' ', Enumerable.Repeat("The Regulator may impose a financial penalty.", 100));
        var all = Tokenizer.EncodeWithoutSpecialTokens(text);
        Assert.True(all.Length > 600);

        var encoded = Tokenizer.Encode(text);

        Assert.Equal(WordPieceTokenizer.DefaultMaxLength, encoded.Ids.Length);
        Assert.Equal(Tokenizer.ClsId, encoded.Ids[0]);
        Assert.Equal(Tokenizer.SepId, encoded.Ids[^1]);
        Assert.Equal(all[..510], encoded.Ids[1..^1]);
        Assert.True(encoded.Truncated);
        Assert.Equal(all.Length + 2, encoded.UntruncatedLength);
    }

    [Fact]
    public void Text_that_fits_exactly_is_not_truncated()
    {
        var words = string.Join(' ', Enumerable.Repeat("rule", 510));
        var encoded = Tokenizer.Encode(words);
        Assert.Equal(512, encoded.Ids.Length);
        Assert.False(encoded.Truncated);
        Assert.True(Tokenizer.Encode(words + " rule").Truncated);
    }

    [Fact]
    public void A_smaller_max_length_truncates_there()
    {
        var encoded = Tokenizer.Encode("one two three four five", maxLength: 4);
        Assert.Equal([Tokenizer.ClsId, IdOf("one"), IdOf("two"), Tokenizer.SepId], encoded.Ids);
        Assert.True(encoded.Truncated);
        Assert.Equal(7, encoded.UntruncatedLength);
    }

    [Fact]
    public void A_word_over_100_characters_is_one_UNK_but_100_characters_are_split()
    {
        var hundred = new string('a', 100);
        Assert.DoesNotContain(Tokenizer.UnknownId, Tokenizer.EncodeWithoutSpecialTokens(hundred));
        Assert.Equal([IdOf("see"), Tokenizer.UnknownId, IdOf("above")], Tokenizer.EncodeWithoutSpecialTokens($"see {hundred}a above"));
    }

    [Fact]
    public void A_word_with_no_matching_pieces_is_UNK()
    {
        Assert.Equal([Tokenizer.UnknownId], Tokenizer.EncodeWithoutSpecialTokens("\U0001F9FE"));
    }

    [Fact]
    public void Special_tokens_typed_in_the_text_are_kept_only_when_spelled_exactly()
    {
        Assert.Equal([IdOf("a"), Tokenizer.SepId, IdOf("b")], Tokenizer.EncodeWithoutSpecialTokens("a[SEP]b"));
        Assert.Equal([IdOf("["), IdOf("sep"), IdOf("]")], Tokenizer.EncodeWithoutSpecialTokens("[sep]"));
    }

    [Fact]
    public void CJK_ideographs_become_words_of_their_own()
    {
        Assert.Equal([IdOf("中"), IdOf("国")], Tokenizer.EncodeWithoutSpecialTokens("中国"));
        var noCjkSpacing = WordPieceTokenizer.FromVocabulary(VocabularyLines.Value, new TokenizerSettings(HandleChineseChars: false));
        Assert.Equal([IdOf("中"), IdOf("##国")], noCjkSpacing.EncodeWithoutSpecialTokens("中国"));
    }

    [Fact]
    public void Greek_capital_sigma_lowercases_to_final_sigma_at_the_end_of_a_word()
    {
        Assert.Equal(Tokenizer.EncodeWithoutSpecialTokens("οδος"), Tokenizer.EncodeWithoutSpecialTokens("ΟΔΟΣ"));
    }

    [Fact]
    public void CountTokens_counts_a_slice_without_specials()
    {
        var text = "Reporting Entity. Ignored tail";
        Assert.Equal(Tokenizer.EncodeWithoutSpecialTokens("Reporting Entity.").Length, Tokenizer.CountTokens(text.AsSpan(0, 17)));
        Assert.Equal(0, Tokenizer.CountTokens(ReadOnlySpan<char>.Empty));
    }

    [Fact]
    public void Null_text_and_a_max_length_below_two_are_rejected()
    {
        Assert.Throws<ArgumentNullException>(() => Tokenizer.Encode(null!));
        Assert.Throws<ArgumentNullException>(() => Tokenizer.EncodeWithoutSpecialTokens(null!));
        Assert.Throws<ArgumentOutOfRangeException>(() => Tokenizer.Encode("text", maxLength: 1));
    }

    [Fact]
    public void Concurrent_use_gives_the_same_ids_as_sequential_use()
    {
        var cases = TokenizerFixtures.ReferenceCases.Take(2000).ToArray();
        var results = new int[cases.Length][];
        Parallel.For(0, cases.Length, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i => results[i] = Tokenizer.Encode(cases[i].Text, int.MaxValue).Ids);
        for (var i = 0; i < cases.Length; i++)
        {
            Assert.Equal(cases[i].Ids, results[i]);
        }
    }

    [Fact]
    public void FromVocabulary_with_vocab_txt_lines_matches_FromDirectory()
    {
        var fromLines = WordPieceTokenizer.FromVocabulary(VocabularyLines.Value);
        foreach (var reference in TokenizerFixtures.ReferenceCases.Take(500))
        {
            Assert.Equal(reference.Ids, fromLines.Encode(reference.Text, int.MaxValue).Ids);
        }
    }

    [Fact]
    public void FromVocabulary_without_a_special_token_names_it()
    {
        var error = Assert.Throws<ArgumentException>(() => WordPieceTokenizer.FromVocabulary(["[PAD]", "[UNK]", "[SEP]", "a"]));
        Assert.Contains("[CLS]", error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => WordPieceTokenizer.FromVocabulary(VocabularyLines.Value, new TokenizerSettings(MaxInputCharsPerWord: 0)));
    }

    [Fact]
    public void FromDirectory_with_only_tokenizer_json_reads_its_vocabulary()
    {
        using var directory = new TemporaryDirectory();
        File.Copy(Path.Combine(TokenizerFixtures.GteSmallDirectory, "tokenizer.json"), Path.Combine(directory.Path, "tokenizer.json"));
        var fromJson = WordPieceTokenizer.FromDirectory(directory.Path);
        Assert.Equal(Tokenizer.VocabularySize, fromJson.VocabularySize);
        foreach (var reference in TokenizerFixtures.ReferenceCases.Take(500))
        {
            Assert.Equal(reference.Ids, fromJson.Encode(reference.Text, int.MaxValue).Ids);
        }
    }

    [Fact]
    public void FromDirectory_names_a_missing_directory()
    {
        var missing = Path.Combine(Path.GetTempPath(), "no-such-tokenizer-" + Guid.NewGuid().ToString("N"));
        var error = Assert.Throws<DirectoryNotFoundException>(() => WordPieceTokenizer.FromDirectory(missing));
        Assert.Contains(missing, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromDirectory_names_the_directory_without_vocabulary()
    {
        using var directory = new TemporaryDirectory();
        var error = Assert.Throws<FileNotFoundException>(() => WordPieceTokenizer.FromDirectory(directory.Path));
        Assert.Contains(directory.Path, error.Message, StringComparison.Ordinal);
        Assert.Contains("vocab.txt", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromDirectory_rejects_a_tokenizer_json_of_another_kind_naming_the_file()
    {
        using var directory = new TemporaryDirectory();
        var path = Path.Combine(directory.Path, "tokenizer.json");
        File.WriteAllText(path, """{"normalizer":{"type":"NFKC"},"pre_tokenizer":{"type":"ByteLevel"},"model":{"type":"BPE","vocab":{}}}""", Encoding.UTF8);
        var error = Assert.Throws<InvalidDataException>(() => WordPieceTokenizer.FromDirectory(directory.Path));
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Contains("BertNormalizer", error.Message, StringComparison.Ordinal);
    }

    private sealed class TemporaryDirectory : IDisposable
    {
        public TemporaryDirectory() => Directory.CreateDirectory(Path);

        public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "tokenizer-test-" + Guid.NewGuid().ToString("N"));

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}
