using System.Text;
using Compliance.Knowledge.Extraction;

namespace Compliance.Knowledge.Tests.Extraction;

public sealed class HtmlExtractionTests
{
    [Fact]
    public async Task Scripts_styles_noscript_templates_and_comments_are_dropped()
    {
        var document = await DocumentFixtures.ExtractAsync("gifts-policy.html");

        Assert.Equal(DocumentKind.Html, document.Kind);
        Assert.Equal("text/html", document.ContentType);
        foreach (var hidden in (string[])["SCRIPT-ONLY-TEXT", "script heading", "NOSCRIPT-ONLY-TEXT", "TEMPLATE-ONLY-TEXT", "COMMENT-ONLY-TEXT", "Heading from CSS", "font-family"])
        {
            Assert.DoesNotContain(hidden, document.Text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Headings_keep_levels_even_when_a_heading_tag_is_never_closed()
    {
        var document = await DocumentFixtures.ExtractAsync("gifts-policy.html");

        Assert.Equal(
            [(1, "Gifts & Entertainment Policy"), (2, "1 Scope"), (3, "1.1 Cash & cash equivalents"), (2, "2 Contacts")],
            document.Headings.Select(h => (h.Level, h.Text)));
        DocumentFixtures.AssertHeadingOffsets(document);
        Assert.Equal("Gifts & Entertainment Policy", document.Title);
    }

    [Fact]
    public async Task Entities_are_decoded_and_block_elements_become_line_breaks()
    {
        var document = await DocumentFixtures.ExtractAsync("gifts-policy.html");

        Assert.Contains("Effective 1 January 2025. Gifts worth more than $100 need pre-clearance.", document.Text, StringComparison.Ordinal);
        Assert.Contains("Applies to all employees\nand contractors.", document.Text, StringComparison.Ordinal);
        Assert.Contains("- Meals\n- Tickets \u201Cto events\u201D", document.Text, StringComparison.Ordinal);
        Assert.Contains("Never accepted under any circumstances.", document.Text, StringComparison.Ordinal);
        Assert.Contains("Unclosed paragraph one\n\nUnclosed paragraph two &unknownentity; stays literal", document.Text, StringComparison.Ordinal);
        Assert.Contains("Value | Approval\n< $100 | None", document.Text, StringComparison.Ordinal);
        Assert.Contains("Ask compliance@northwind.example", document.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Title_element_is_the_title_when_there_is_no_h1()
    {
        const string html = "\uFEFF  <html><head><title>Retention &amp; Records</title></head><body><h2>1 Scope</h2><p>a < b and c > d</p></body></html>";

        var document = await new DocumentExtractor().ExtractAsync(Encoding.UTF8.GetBytes(html), TestContext.Current.CancellationToken);

        Assert.Equal(DocumentKind.Html, document.Kind);
        Assert.Equal("Retention & Records", document.Title);
        Assert.Equal("1 Scope\n\na < b and c > d", document.Text);
    }

    [Fact]
    public async Task Malformed_markup_does_not_lose_text()
    {
        const string html = "<body><p>First <b>bold <i>nested</b> tail</i><div>Second <a href=\"x>y\">link</a><p>Third &#x1F600; <unclosed attr='1'";

        var document = await new DocumentExtractor().ExtractAsync(Encoding.UTF8.GetBytes(html), TestContext.Current.CancellationToken);

        Assert.Equal("First bold nested tail\n\nSecond link\n\nThird \U0001F600", document.Text);
    }

    [Fact]
    public async Task Html_with_nothing_but_script_is_empty()
    {
        const string html = "<!DOCTYPE html><html><head><script>document.write('hi')</script></head><body>  </body></html>";

        var failure = await Assert.ThrowsAsync<DocumentExtractionException>(
            () => new DocumentExtractor().ExtractAsync(Encoding.UTF8.GetBytes(html), TestContext.Current.CancellationToken));

        Assert.Equal(ExtractionFailure.Empty, failure.Failure);
    }
}
