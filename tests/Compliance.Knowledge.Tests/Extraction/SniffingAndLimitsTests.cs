using System.Text;
using Compliance.Knowledge.Extraction;

namespace Compliance.Knowledge.Tests.Extraction;

public sealed class SniffingAndLimitsTests
{
    [Theory]
    [InlineData("image.md", "PNG image")]
    [InlineData("archive.txt", "ZIP archive")]
    public async Task Binary_files_with_text_names_are_refused_as_unsupported(string fixture, string named)
    {
        var failure = await Assert.ThrowsAsync<DocumentExtractionException>(() => DocumentFixtures.ExtractAsync(fixture));

        Assert.Equal(ExtractionFailure.UnsupportedType, failure.Failure);
        Assert.Contains(named, failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bytes_with_nuls_or_mostly_invalid_utf8_are_refused()
    {
        var withNul = Encoding.ASCII.GetBytes("looks like text\0but is not");
        var invalid = Enumerable.Range(0, 300).Select(i => (byte)(0x80 + (i % 64))).ToArray();
        var extractor = new DocumentExtractor();

        var nul = await Assert.ThrowsAsync<DocumentExtractionException>(() => extractor.ExtractAsync(withNul, TestContext.Current.CancellationToken));
        var garbage = await Assert.ThrowsAsync<DocumentExtractionException>(() => extractor.ExtractAsync(invalid, TestContext.Current.CancellationToken));

        Assert.Equal(ExtractionFailure.UnsupportedType, nul.Failure);
        Assert.Contains("NUL", nul.Message, StringComparison.Ordinal);
        Assert.Equal(ExtractionFailure.UnsupportedType, garbage.Failure);
    }

    [Theory]
    [InlineData("<!doctype HTML><p>x</p>", DocumentKind.Html)]
    [InlineData("\n\n   <HTML lang=en><p>x</p>", DocumentKind.Html)]
    [InlineData("<?xml version=\"1.0\"?>\n<!-- generated -->\n<html><body>x</body></html>", DocumentKind.Html)]
    [InlineData("<body>x</body>", DocumentKind.Html)]
    [InlineData("Use <b>bold</b> in <html> sparingly.", DocumentKind.PlainText)]
    [InlineData("<htmlish>not html</htmlish>", DocumentKind.PlainText)]
    [InlineData("# Title\n\nText", DocumentKind.Markdown)]
    [InlineData("Title\n=====\n\nText", DocumentKind.Markdown)]
    [InlineData("Text\n\n```\ncode\n```", DocumentKind.Markdown)]
    [InlineData("- **one**\n- two", DocumentKind.Markdown)]
    [InlineData("- one\n- two", DocumentKind.PlainText)]
    [InlineData("#1 priority is safety", DocumentKind.PlainText)]
    [InlineData("%PDF-1.7 (even if called notes.txt)", DocumentKind.Pdf)]
    public void Kind_is_decided_by_content(string content, DocumentKind expected)
    {
        Assert.Equal(expected, ContentSniffer.Sniff(Encoding.UTF8.GetBytes(content)));
    }

    [Fact]
    public async Task Markdown_saved_under_a_pdf_name_is_still_markdown()
    {
        var path = Path.Combine(Path.GetTempPath(), $"{Guid.NewGuid():N}.pdf");
        await File.WriteAllTextAsync(path, "# Policy\n\nBody text.", TestContext.Current.CancellationToken);
        try
        {
            var document = await new DocumentExtractor().ExtractFileAsync(path, TestContext.Current.CancellationToken);

            Assert.Equal(DocumentKind.Markdown, document.Kind);
            Assert.Equal("Policy", document.Title);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task Empty_and_whitespace_only_documents_fail_as_empty()
    {
        var extractor = new DocumentExtractor();

        var empty = await Assert.ThrowsAsync<DocumentExtractionException>(() => extractor.ExtractAsync(Array.Empty<byte>(), TestContext.Current.CancellationToken));
        var blank = await Assert.ThrowsAsync<DocumentExtractionException>(() => extractor.ExtractAsync(Encoding.UTF8.GetBytes(" \r\n\t \n"), TestContext.Current.CancellationToken));

        Assert.Equal(ExtractionFailure.Empty, empty.Failure);
        Assert.Equal(ExtractionFailure.Empty, blank.Failure);
    }

    [Fact]
    public async Task Oversized_seekable_input_is_refused_before_it_is_read()
    {
        var extractor = new DocumentExtractor(new ExtractionOptions { MaxBytes = 100 });
        using var stream = new CountingStream(new MemoryStream(new byte[101]), long.MaxValue);

        var failure = await Assert.ThrowsAsync<DocumentExtractionException>(() => extractor.ExtractAsync(stream, TestContext.Current.CancellationToken));

        Assert.Equal(ExtractionFailure.TooLarge, failure.Failure);
        Assert.Equal(0, stream.BytesRead);
    }

    [Fact]
    public async Task Endless_unseekable_input_is_refused_once_past_the_limit()
    {
        var extractor = new DocumentExtractor(new ExtractionOptions { MaxBytes = 1000 });
        using var stream = new CountingStream(null, long.MaxValue);

        var failure = await Assert.ThrowsAsync<DocumentExtractionException>(() => extractor.ExtractAsync(stream, TestContext.Current.CancellationToken));

        Assert.Equal(ExtractionFailure.TooLarge, failure.Failure);
        Assert.Contains("limit", failure.Message, StringComparison.Ordinal);
        Assert.InRange(stream.BytesRead, 1001, 1000 + 81920);
    }

    [Fact]
    public async Task Input_exactly_at_the_limit_is_accepted()
    {
        var extractor = new DocumentExtractor(new ExtractionOptions { MaxBytes = 10 });

        var document = await extractor.ExtractAsync(Encoding.UTF8.GetBytes("0123456789"), TestContext.Current.CancellationToken);

        Assert.Equal("0123456789", document.Text);
    }

    [Fact]
    public void Options_out_of_range_are_refused_at_construction()
    {
        var bytes = Assert.Throws<ArgumentOutOfRangeException>(() => new DocumentExtractor(new ExtractionOptions { MaxBytes = 0 }));
        var timeout = Assert.Throws<ArgumentOutOfRangeException>(() => new DocumentExtractor(new ExtractionOptions { PdfTimeout = TimeSpan.Zero }));

        Assert.Equal("MaxBytes", bytes.ParamName);
        Assert.Equal("PdfTimeout", timeout.ParamName);
    }

    /// <summary>A stream that counts what is read from it; without an inner stream it yields 'a' forever and cannot seek.</summary>
    private sealed class CountingStream(Stream? inner, long endless) : Stream
    {
        public long BytesRead { get; private set; }

        public override bool CanRead => true;

        public override bool CanSeek => inner?.CanSeek ?? false;

        public override bool CanWrite => false;

        public override long Length => inner?.Length ?? endless;

        public override long Position { get => inner?.Position ?? BytesRead; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            int read;
            if (inner is null)
            {
                buffer.AsSpan(offset, count).Fill((byte)'a');
                read = count;
            }
            else
            {
                read = inner.Read(buffer, offset, count);
            }

            BytesRead += read;
            return read;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
