using System.Net;
using System.Net.Http.Json;
using Compliance.Api.Tests.Infrastructure;
using Compliance.Contracts.Common;
using Compliance.Contracts.Documents;
using Compliance.Contracts.Search;
using Compliance.Testing.Documents;

namespace Compliance.Api.Tests.Documents;

/// <summary>
/// Documents that are small to upload but huge once unpacked (the 3 MB PDF that became 106 MB of text and 80,000
/// chunks): each per-document limit ends their ingestion as failed with a reason that names the variable, and
/// nothing reaches search.
/// </summary>
public sealed class DocumentExpansionLimitsTests
{
    [Fact]
    public async Task A_pdf_of_twenty_thousand_pages_sharing_one_stream_fails_naming_DOCUMENT_MAX_PAGES()
    {
        await using var api = new ComplianceApiFactory();
        await api.InitializeAsync();
        using var admin = api.CreateAdminClient();
        var bomb = GeneratedDocuments.SharedContentStreamPdf(pages: 20_000);
        // Smaller than the 3 MB file of the report, and far under UPLOAD_MAX_BYTES: only the page limit can stop it.
        Assert.InRange(bomb.Length, 1, 3 * 1024 * 1024);

        var response = await admin.UploadAsync("bomb.pdf", bomb);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var document = await admin.IngestedAsync(response);
        Assert.Equal("failed", document.Status);
        Assert.Contains("20,000 pages", document.Error, StringComparison.Ordinal);
        Assert.Contains("raise DOCUMENT_MAX_PAGES", document.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_pdf_whose_text_passes_DOCUMENT_MAX_CHARS_fails_and_stops_early_without_growing_the_process()
    {
        await using var api = new ComplianceApiFactory().WithSetting("DOCUMENT_MAX_CHARS", "50000");
        await api.InitializeAsync();
        using var admin = api.CreateAdminClient();
        var bomb = GeneratedDocuments.SharedContentStreamPdf(pages: 1_500);
        var before = GC.GetTotalMemory(forceFullCollection: true);

        var response = await admin.UploadAsync("long.pdf", bomb, source: "long.pdf");

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var document = await admin.IngestedAsync(response);
        Assert.Equal("failed", document.Status);
        Assert.Contains("raise DOCUMENT_MAX_CHARS", document.Error, StringComparison.Ordinal);
        Assert.Matches("stopped at page 1[0-9] of 1,500", document.Error!);
        // 1,500 pages of ~4,000 characters would be 6 M characters (12 MB as UTF-16, more as chunks); the heap
        // after the refusal is within a few megabytes of where it was (other tests share the process: 64 MB slack).
        Assert.InRange(GC.GetTotalMemory(forceFullCollection: true) - before, long.MinValue, 64L * 1024 * 1024);

        var listed = await admin.GetFromJsonAsync<PagedResponse<DocumentResponse>>("/admin/documents?status=failed", DocumentUploads.Json, TestContext.Current.CancellationToken);
        var failed = Assert.Single(listed!.Items, d => d.Source == "long.pdf");
        Assert.Equal(0, failed.ChunkCount);
        Assert.Contains("50,000 characters", failed.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_document_making_more_chunks_than_DOCUMENT_MAX_CHUNKS_fails_and_is_not_searchable()
    {
        await using var api = new ComplianceApiFactory().WithSetting("DOCUMENT_MAX_CHUNKS", "2");
        await api.InitializeAsync();
        using var admin = api.CreateAdminClient();
        var marker = "zq" + Guid.NewGuid().ToString("N")[..10];
        var policy = $"# Chunky Policy\n\n## 1 Scope\n\n{Paragraph(marker)}\n\n## 2 Gifts\n\n{Paragraph(marker)}\n\n## 3 Trading\n\n{Paragraph(marker)}\n";

        var response = await admin.UploadAsync("chunky.md", policy);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var document = await admin.IngestedAsync(response);
        Assert.Equal("failed", document.Status);
        Assert.Contains("raise DOCUMENT_MAX_CHUNKS", document.Error, StringComparison.Ordinal);
        Assert.Contains("3 chunks, more than the limit of 2", document.Error, StringComparison.Ordinal);
        using var service = api.CreateServiceClient();
        var search = await service.PostAsJsonAsync("/api/v1/search", new SearchRequest(marker), TestContext.Current.CancellationToken);
        search.EnsureSuccessStatusCode();
        Assert.Empty((await search.Content.ReadFromJsonAsync<SearchResponse>(DocumentUploads.Json, TestContext.Current.CancellationToken))!.Results);

        static string Paragraph(string marker) =>
            $"Employees record every {marker} gift above 100 USD in the register within five business days of receiving it. " +
            string.Concat(Enumerable.Repeat("The compliance office reviews the register every quarter and reports to the board. ", 8));
    }
}
