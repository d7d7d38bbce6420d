using System.Net;
using Compliance.Api.Tests.Infrastructure;

namespace Compliance.Api.Tests.Documents;

/// <summary>Size limits and documents that cannot be read, each with its own status and a clear reason.</summary>
public sealed class DocumentLimitsTests
{
    [Fact]
    public async Task A_document_over_the_size_limit_is_413_before_it_is_read_whole()
    {
        await using var api = new ComplianceApiFactory().WithSetting("UPLOAD_MAX_BYTES", "4096");
        await api.InitializeAsync();
        using var admin = api.CreateAdminClient();

        var response = await admin.UploadAsync("big.md", "# Big\n" + new string('x', 64 * 1024));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        var problem = await response.ReadJsonAsync();
        Assert.EndsWith("/payload-too-large", problem.GetProperty("type").GetString(), StringComparison.Ordinal);
        Assert.Contains("UPLOAD_MAX_BYTES", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("truncated.pdf")]
    [InlineData("scanned.pdf")]
    public async Task A_pdf_without_readable_text_ends_failed_with_the_reason_and_never_an_empty_success(string fixture)
    {
        await using var api = new ComplianceApiFactory();
        await api.InitializeAsync();
        using var admin = api.CreateAdminClient();
        var bytes = await File.ReadAllBytesAsync(Path.Combine(ComplianceApiFactory.RepositoryRoot(), "tests", "fixtures", "documents", fixture), TestContext.Current.CancellationToken);

        var response = await admin.UploadAsync(fixture, bytes);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var document = await admin.IngestedAsync(response);
        Assert.Equal("failed", document.Status);
        Assert.False(string.IsNullOrWhiteSpace(document.Error));
        Assert.Equal(0, document.ChunkCount);
    }

    [Fact]
    public async Task A_multi_page_pdf_keeps_its_page_count()
    {
        await using var api = new ComplianceApiFactory();
        await api.InitializeAsync();
        using var admin = api.CreateAdminClient();
        var bytes = await File.ReadAllBytesAsync(Path.Combine(ComplianceApiFactory.RepositoryRoot(), "tests", "fixtures", "documents", "multi-page.pdf"), TestContext.Current.CancellationToken);

        var response = await admin.UploadAsync("multi-page.pdf", bytes);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var document = await admin.IngestedAsync(response);
        Assert.Equal("indexed", document.Status);
        Assert.Equal("application/pdf", document.ContentType);
        Assert.True(document.PageCount > 1);
    }
}
