using System.Text;
using Compliance.Knowledge.Extraction;

namespace Compliance.Knowledge.Tests.Extraction;

public sealed class PlainTextExtractionTests
{
    [Fact]
    public async Task Only_obvious_numbered_lines_become_headings()
    {
        var document = await DocumentFixtures.ExtractAsync("plain-numbered.txt");

        Assert.Equal(DocumentKind.PlainText, document.Kind);
        Assert.Equal("text/plain", document.ContentType);
        Assert.Equal(
            [(1, "1 Purpose"), (1, "2 Retention periods"), (2, "2.1 Trade records"), (2, "2.2 Communications")],
            document.Headings.Select(h => (h.Level, h.Text)));
        DocumentFixtures.AssertHeadingOffsets(document);
        Assert.Null(document.Title);
        Assert.Contains("Trade tickets are kept for 7 years.\n1. Employees must not delete trade tickets.", document.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Utf16_with_byte_order_mark_is_decoded()
    {
        var document = await DocumentFixtures.ExtractAsync("utf16-policy.txt");

        Assert.Equal(DocumentKind.PlainText, document.Kind);
        Assert.StartsWith("Politique de conformité — Northwind", document.Text, StringComparison.Ordinal);
        Assert.Contains("au-delà de 100 €.", document.Text, StringComparison.Ordinal);
        Assert.Contains("日本語", document.Text, StringComparison.Ordinal);
        Assert.Equal([(1, "1 Objet")], document.Headings.Select(h => (h.Level, h.Text)));
    }

    [Theory]
    [InlineData("utf-16BE")]
    [InlineData("utf-32")]
    [InlineData("utf-8")]
    public async Task Byte_order_marks_select_the_encoding(string encodingName)
    {
        var encoding = Encoding.GetEncoding(encodingName);
        var bytes = encoding.GetPreamble().Concat(encoding.GetBytes("Règle 5.2: café ☕")).ToArray();

        var document = await new DocumentExtractor().ExtractAsync(bytes, TestContext.Current.CancellationToken);

        Assert.Equal("Règle 5.2: café ☕", document.Text);
    }

    [Fact]
    public async Task Text_is_normalised_to_nfc_with_unix_line_breaks_and_no_control_characters()
    {
        const string raw = "Cafe\u0301 policy\r\nline two\u0007 with\ttab   \r\n\r\n\r\n\r\n\r\nlast\u0085line\u00A0here\u200B!";

        var document = await new DocumentExtractor().ExtractAsync(Encoding.UTF8.GetBytes(raw), TestContext.Current.CancellationToken);

        Assert.Equal("Café policy\nline two with\ttab\n\nlast\nline here\u200B!", document.Text);
    }

    [Fact]
    public async Task A_few_invalid_utf8_bytes_are_tolerated_as_replacement_characters()
    {
        var bytes = Encoding.UTF8.GetBytes(new string('a', 400) + " caf").Concat(new byte[] { 0xE9 }).Concat(Encoding.UTF8.GetBytes(" ok")).ToArray();

        var document = await new DocumentExtractor().ExtractAsync(bytes, TestContext.Current.CancellationToken);

        Assert.EndsWith("caf\uFFFD ok", document.Text, StringComparison.Ordinal);
    }
}
