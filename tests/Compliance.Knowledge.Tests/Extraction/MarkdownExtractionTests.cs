using System.Text;
using Compliance.Knowledge.Extraction;

namespace Compliance.Knowledge.Tests.Extraction;

public sealed class MarkdownExtractionTests
{
    [Fact]
    public async Task Setext_and_atx_headings_keep_their_levels_and_code_fences_yield_none()
    {
        var document = await DocumentFixtures.ExtractAsync("trading-setext.md");

        Assert.Equal(DocumentKind.Markdown, document.Kind);
        Assert.Equal("text/markdown", document.ContentType);
        Assert.Equal(
            [(1, "Personal Trading Rules"), (2, "Pre-clearance"), (2, "2.1 Holding period"), (3, "2.2 Reporting")],
            document.Headings.Select(h => (h.Level, h.Text)));
        DocumentFixtures.AssertHeadingOffsets(document);
        Assert.Equal("Personal Trading Rules", document.Title);
        Assert.Empty(document.Pages);
    }

    [Fact]
    public async Task Code_inside_fences_is_kept_as_text()
    {
        var document = await DocumentFixtures.ExtractAsync("trading-setext.md");

        Assert.Contains("# This is not a heading, it is a comment in a code block", document.Text, StringComparison.Ordinal);
        Assert.Contains("## also not a heading", document.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Emphasis_and_link_syntax_are_stripped_but_lists_and_tables_stay_readable()
    {
        var document = await DocumentFixtures.ExtractAsync("trading-setext.md");

        Assert.Contains("Employees must obtain pre-clearance before trading any covered security. See\nthe request form for details.", document.Text, StringComparison.Ordinal);
        Assert.Contains("- Minimum holding period: 30 calendar days.", document.Text, StringComparison.Ordinal);
        Assert.Contains("| Equities   | 30 days        |", document.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("|---", document.Text, StringComparison.Ordinal);
        Assert.Contains("Report trades within 5 business days.", document.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("**", document.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("https://intranet.example", document.Text, StringComparison.Ordinal);
        Assert.Contains("Report trades within 5 business days.\n\nThematic break above", document.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Closing_hashes_escapes_and_a_dash_line_after_a_list_are_handled()
    {
        const string markdown = "# Policy #\n\n- one item\n- two item\n---\n\nPrice is 5 \\* 3 and *really* firm.\n\n## \n";

        var document = await new DocumentExtractor().ExtractAsync(Encoding.UTF8.GetBytes(markdown), TestContext.Current.CancellationToken);

        Assert.Equal([(1, "Policy")], document.Headings.Select(h => (h.Level, h.Text)));
        Assert.Contains("- one item\n- two item", document.Text, StringComparison.Ordinal);
        Assert.Contains("Price is 5 * 3 and really firm.", document.Text, StringComparison.Ordinal);
    }
}
