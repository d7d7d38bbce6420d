using System.Text;
using Compliance.Knowledge.Chunking;
using Compliance.Knowledge.Extraction;
using Compliance.Knowledge.Tests.Extraction;
using Compliance.Knowledge.Tests.Tokenizer;
using static Compliance.Knowledge.Tests.Chunking.ChunkingFixtures;

namespace Compliance.Knowledge.Tests.Chunking;

public sealed class DocumentChunkerTests
{
    private static string TradingPolicy(string preClearance, string blackout) => $"""
        # Insider Trading Policy

        Effective 1 January 2025, version 3.0.

        ## 5 Trading

        ### 5.1 Pre-clearance

        {preClearance}

        ### 5.2 Blackout periods

        {blackout}

        ## 6 Contacts

        Write to the compliance officer.
        """;

    [Fact]
    public void Long_document_chunks_never_exceed_the_limit_and_point_exactly_into_the_text()
    {
        var document = Markdown(TradingPolicy(Prose(1, 12, 6), Prose(2, 20, 5)));

        var chunks = Chunker().Chunk(document, TestContext.Current.CancellationToken);

        Assert.True(chunks.Count > 4, $"expected several chunks, got {chunks.Count}");
        AssertInvariants(document, chunks, 512);
    }

    [Fact]
    public void Every_chunk_stays_in_one_section_and_carries_its_heading_path_without_the_title()
    {
        var document = Markdown(TradingPolicy(Prose(3, 8, 6), Prose(4, 8, 6)));

        var chunks = Chunker().Chunk(document, TestContext.Current.CancellationToken);

        var blackout = document.Headings.Single(h => h.Text == "5.2 Blackout periods").CharOffset;
        var contacts = document.Headings.Single(h => h.Text == "6 Contacts").CharOffset;
        foreach (var chunk in chunks)
        {
            var expected = chunk.CharStart >= contacts ? "6 Contacts"
                : chunk.CharStart >= blackout ? "5 Trading › 5.2 Blackout periods"
                : "5 Trading › 5.1 Pre-clearance";
            Assert.Equal(expected, chunk.SectionPath);
            Assert.False(chunk.CharStart < blackout && chunk.CharEnd > blackout, "a chunk crosses into 5.2");
            Assert.False(chunk.CharStart < contacts && chunk.CharEnd > contacts, "a chunk crosses into 6");
        }

        Assert.Contains(chunks, c => c.Text.StartsWith("5.2 Blackout periods", StringComparison.Ordinal));
    }

    [Fact]
    public void Small_parent_sections_merge_into_their_first_subsection_but_small_siblings_stay_apart()
    {
        var document = Markdown(TradingPolicy("Ask first.", "No trades in March."));

        var chunks = Chunker().Chunk(document, TestContext.Current.CancellationToken);

        Assert.Equal(
            ["5 Trading › 5.1 Pre-clearance", "5 Trading › 5.2 Blackout periods", "6 Contacts"],
            chunks.Select(c => c.SectionPath));
        Assert.Equal("Insider Trading Policy\n\nEffective 1 January 2025, version 3.0.\n\n5 Trading\n\n5.1 Pre-clearance\n\nAsk first.", chunks[0].Text);
        Assert.Equal("5.2 Blackout periods\n\nNo trades in March.", chunks[1].Text);
    }

    [Fact]
    public void A_heading_with_nothing_under_it_makes_no_chunk()
    {
        var document = Markdown("## 1 Reserved\n\n## 2 Scope\n\nApplies to everyone.\n\n## 3 Withdrawn\n");

        var chunks = Chunker().Chunk(document, TestContext.Current.CancellationToken);

        var chunk = Assert.Single(chunks);
        Assert.Equal("2 Scope\n\nApplies to everyone.", chunk.Text);
        Assert.Equal("2 Scope", chunk.SectionPath);
    }

    [Fact]
    public void Chunks_end_at_paragraph_breaks_when_paragraphs_fit()
    {
        var document = Plain(Prose(5, 30, 5));

        var chunks = Chunker().Chunk(document, TestContext.Current.CancellationToken);

        AssertInvariants(document, chunks, 512);
        Assert.True(chunks.Count >= 3);
        foreach (var chunk in chunks.SkipLast(1))
        {
            Assert.StartsWith("\n\n", document.Text[chunk.CharEnd..], StringComparison.Ordinal);
            Assert.True(chunk.TokenCount >= 255, $"chunk {chunk.Ordinal} is only {chunk.TokenCount} tokens");
        }
    }

    [Fact]
    public void A_paragraph_longer_than_a_chunk_is_cut_after_sentences()
    {
        var document = Plain(Prose(6, 1, 150));

        var chunks = Chunker().Chunk(document, TestContext.Current.CancellationToken);

        AssertInvariants(document, chunks, 512);
        Assert.True(chunks.Count >= 4);
        Assert.All(chunks, c => Assert.EndsWith(".", c.Text, StringComparison.Ordinal));
    }

    [Fact]
    public void A_sentence_longer_than_a_chunk_is_cut_between_words()
    {
        var words = string.Join(' ', Enumerable.Range(0, 1500).Select(i => i % 7 == 0 ? "compliance" : "trading"));
        var document = Plain(words + ".");

        var chunks = Chunker(overlap: 0).Chunk(document, TestContext.Current.CancellationToken);

        AssertInvariants(document, chunks, 512);
        Assert.Equal(3, chunks.Count);
        foreach (var chunk in chunks.SkipLast(1))
        {
            Assert.Equal(' ', document.Text[chunk.CharEnd]);
        }

        Assert.Equal(1500, chunks.Sum(c => c.Text.Split(' ').Length));
    }

    [Fact]
    public void A_giant_word_is_cut_into_pieces_that_fit()
    {
        var giant = string.Concat(Enumerable.Repeat("pre-clearance/", 400));
        var document = Plain("Intro sentence. " + giant + " Outro sentence.");

        var chunks = Chunker().Chunk(document, TestContext.Current.CancellationToken);

        AssertInvariants(document, chunks, 512);
        Assert.True(chunks.Count >= 3);
        Assert.StartsWith("Intro sentence.", chunks[0].Text, StringComparison.Ordinal);
        Assert.EndsWith("Outro sentence.", chunks[^1].Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Cjk_text_without_spaces_is_cut_at_sentence_marks_or_characters()
    {
        var withMarks = string.Concat(Enumerable.Repeat("内幕交易在禁售期内被禁止。", 150));
        var withoutMarks = new string(Enumerable.Range(0, 2000).Select(i => (char)(0x4E00 + (i * 7 % 5000))).ToArray());

        var marked = Plain(withMarks);
        var unmarked = Plain(withoutMarks);
        var markedChunks = Chunker().Chunk(marked, TestContext.Current.CancellationToken);
        var unmarkedChunks = Chunker(overlap: 0).Chunk(unmarked, TestContext.Current.CancellationToken);

        AssertInvariants(marked, markedChunks, 512);
        AssertInvariants(unmarked, unmarkedChunks, 512);
        Assert.All(markedChunks, c => Assert.EndsWith("。", c.Text, StringComparison.Ordinal));
        Assert.True(unmarkedChunks.Count >= 4);
        Assert.Equal(withoutMarks, string.Concat(unmarkedChunks.Select(c => c.Text)));
    }

    [Fact]
    public void Neighbouring_chunks_share_about_the_overlap_and_no_more()
    {
        var document = Plain(Prose(7, 1, 120));

        var chunks = Chunker(overlap: 50).Chunk(document, TestContext.Current.CancellationToken);

        AssertInvariants(document, chunks, 512);
        for (var i = 1; i < chunks.Count; i++)
        {
            Assert.True(chunks[i].CharStart < chunks[i - 1].CharEnd, $"chunk {i} does not overlap its predecessor");
            var shared = Count(document.Text[chunks[i].CharStart..chunks[i - 1].CharEnd]);
            Assert.InRange(shared, 35, 50);
        }
    }

    [Fact]
    public void Without_overlap_chunks_tile_the_text()
    {
        var document = Plain(Prose(8, 1, 120));

        var chunks = Chunker(overlap: 0).Chunk(document, TestContext.Current.CancellationToken);

        for (var i = 1; i < chunks.Count; i++)
        {
            Assert.True(chunks[i].CharStart >= chunks[i - 1].CharEnd);
            Assert.True(string.IsNullOrWhiteSpace(document.Text[chunks[i - 1].CharEnd..chunks[i].CharStart]));
        }
    }

    [Fact]
    public void Overlap_never_reaches_back_into_the_previous_section()
    {
        var document = Markdown($"## 1 One\n\n{Prose(9, 6, 6)}\n\n## 2 Two\n\n{Prose(10, 6, 6)}");

        var chunks = Chunker().Chunk(document, TestContext.Current.CancellationToken);

        var two = document.Headings.Single(h => h.Text == "2 Two").CharOffset;
        var firstOfTwo = chunks.First(c => c.SectionPath == "2 Two");
        Assert.Equal(two, firstOfTwo.CharStart);
    }

    [Fact]
    public void Page_ranges_come_from_page_offsets()
    {
        var page1 = Prose(11, 3, 5);
        var page2 = Prose(12, 3, 5);
        var page3 = Prose(13, 3, 5);
        var text = page1 + "\n\n" + page2 + "\n\n" + page3;
        DocumentPage[] pages = [new(1, 0), new(2, page1.Length + 2), new(3, page1.Length + page2.Length + 4)];
        var document = Plain(text, pages);

        var chunks = Chunker(chunkSize: 128, overlap: 10).Chunk(document, TestContext.Current.CancellationToken);

        AssertInvariants(document, chunks, 128);
        foreach (var chunk in chunks)
        {
            var expectedStart = pages.Last(p => p.CharOffset <= chunk.CharStart).Number;
            var expectedEnd = pages.Last(p => p.CharOffset <= chunk.CharEnd - 1).Number;
            Assert.Equal((expectedStart, expectedEnd), (chunk.PageStart!.Value, chunk.PageEnd!.Value));
        }

        Assert.Contains(chunks, c => c.PageStart != c.PageEnd);
        Assert.Equal(1, chunks[0].PageStart);
        Assert.Equal(3, chunks[^1].PageEnd);
    }

    [Fact]
    public async Task Chunks_of_a_real_pdf_carry_its_page_numbers()
    {
        var document = await DocumentFixtures.ExtractAsync("multi-page.pdf");

        var chunks = Chunker().Chunk(document, TestContext.Current.CancellationToken);

        var blackout = Assert.Single(chunks, c => c.Text.Contains("15 March to 2 April", StringComparison.Ordinal));
        Assert.Equal((2, 2), (blackout.PageStart, blackout.PageEnd));
        Assert.Equal("2 Blackout periods", blackout.SectionPath);
    }

    [Fact]
    public void Text_without_pages_has_no_page_numbers()
    {
        var chunks = Chunker().Chunk(Plain("One sentence."), TestContext.Current.CancellationToken);

        var chunk = Assert.Single(chunks);
        Assert.Null(chunk.PageStart);
        Assert.Null(chunk.PageEnd);
        Assert.Null(chunk.SectionPath);
    }

    [Fact]
    public void Same_input_gives_the_same_chunks()
    {
        var markdown = TradingPolicy(Prose(14, 10, 6), Prose(15, 10, 6));

        var first = Chunker().Chunk(Markdown(markdown), TestContext.Current.CancellationToken);
        var second = Chunker().Chunk(Markdown(markdown), TestContext.Current.CancellationToken);

        Assert.Equal(first, second);
    }

    [Fact]
    public void Abbreviations_do_not_end_sentences()
    {
        var sentence = "Gifts, e.g. tickets, and payments to Mr. Smith under Art. 5 need approval. ";
        var document = Plain(string.Concat(Enumerable.Repeat(sentence, 60)));

        var chunks = Chunker(chunkSize: 64, overlap: 0).Chunk(document, TestContext.Current.CancellationToken);

        AssertInvariants(document, chunks, 64);
        Assert.All(chunks, c => Assert.EndsWith("need approval.", c.Text, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(600, 50, "ChunkSize")]
    [InlineData(8, 0, "ChunkSize")]
    [InlineData(512, 300, "ChunkOverlap")]
    [InlineData(512, -1, "ChunkOverlap")]
    public void Options_out_of_range_are_refused(int size, int overlap, string parameter)
    {
        var failure = Assert.Throws<ArgumentOutOfRangeException>(
            () => new DocumentChunker(TokenizerFixtures.GteSmall, new ChunkingOptions { ChunkSize = size, ChunkOverlap = overlap }));

        Assert.Equal(parameter, failure.ParamName);
    }

    [Fact]
    public void Empty_text_gives_no_chunks()
    {
        Assert.Empty(Chunker().Chunk(Plain(string.Empty), TestContext.Current.CancellationToken));
    }

    [Fact]
    public void Large_document_is_chunked_completely()
    {
        // 2 MB of prose: every sentence must land in some chunk (this is the shape of a 25 MB upload, smaller).
        var builder = new StringBuilder();
        for (var section = 1; builder.Length < 2_000_000; section++)
        {
            builder.Append(CultureInfoInvariant($"## {section} Section\n\n")).Append(Prose(section, 10, 6)).Append("\n\n");
        }

        var document = Markdown(builder.ToString());
        var chunks = Chunker().Chunk(document, TestContext.Current.CancellationToken);

        var covered = new bool[document.Text.Length];
        foreach (var chunk in chunks)
        {
            Array.Fill(covered, true, chunk.CharStart, chunk.CharEnd - chunk.CharStart);
        }

        var uncovered = Enumerable.Range(0, covered.Length).Count(i => !covered[i] && !char.IsWhiteSpace(document.Text[i]));
        Assert.Equal(0, uncovered);
        Assert.All(chunks, c => Assert.InRange(c.TokenCount, 1, 510));

        static string CultureInfoInvariant(FormattableString value) => FormattableString.Invariant(value);
    }
}
