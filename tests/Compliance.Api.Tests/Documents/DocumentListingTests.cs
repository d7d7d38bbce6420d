using System.Net;
using System.Net.Http.Json;
using Compliance.Api.Documents;
using Compliance.Api.Persistence;
using Compliance.Api.Persistence.Entities;
using Compliance.Api.Tests.Infrastructure;
using Compliance.Contracts.Common;
using Compliance.Contracts.Documents;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Compliance.Api.Tests.Documents;

/// <summary>GET /admin/documents: bounded paging, known statuses only, and rows without their extracted text.</summary>
public sealed class DocumentListingTests(ComplianceApiFactory api) : IClassFixture<ComplianceApiFactory>
{
    [Theory]
    [InlineData("page=10737420&pageSize=200")]
    [InlineData("page=1000001")]
    [InlineData("page=0")]
    [InlineData("pageSize=201")]
    [InlineData("pageSize=0")]
    public async Task Pages_outside_the_bounds_are_400_problems_not_an_overflow(string paging)
    {
        using var admin = api.CreateAdminClient();

        var response = await admin.GetAsync("/admin/documents?" + paging, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.ReadJsonAsync();
        Assert.EndsWith("/validation", problem.GetProperty("type").GetString(), StringComparison.Ordinal);
        Assert.Contains("page is 1-1000000; pageSize is 1-200", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_last_allowed_page_is_an_empty_page_not_an_error()
    {
        using var admin = api.CreateAdminClient();

        var page = await admin.GetFromJsonAsync<PagedResponse<DocumentResponse>>("/admin/documents?page=1000000&pageSize=200", DocumentUploads.Json, TestContext.Current.CancellationToken);

        Assert.Empty(page!.Items);
        Assert.Equal(1_000_000, page.Page);
    }

    [Theory]
    [InlineData("bogus")]
    [InlineData("7")]
    [InlineData("-1")]
    [InlineData("indexed,failed")]
    [InlineData("IndexedX")]
    public async Task Unknown_status_values_are_400_listing_the_known_ones(string status)
    {
        using var admin = api.CreateAdminClient();

        var response = await admin.GetAsync("/admin/documents?status=" + Uri.EscapeDataString(status), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("status is one of queued, extracting, embedding, indexed, failed, superseded, deleted",
            (await response.ReadJsonAsync()).GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Known_statuses_filter_in_either_case()
    {
        using var admin = api.CreateAdminClient();
        var marker = Guid.NewGuid().ToString("N")[..12];
        var created = await admin.IngestAsync($"{marker}.md", $"# Listing {marker}\n\nGifts are declared.");

        var indexed = await admin.GetFromJsonAsync<PagedResponse<DocumentResponse>>("/admin/documents?status=Indexed&pageSize=200", DocumentUploads.Json, TestContext.Current.CancellationToken);
        var failed = await admin.GetFromJsonAsync<PagedResponse<DocumentResponse>>("/admin/documents?status=failed&pageSize=200", DocumentUploads.Json, TestContext.Current.CancellationToken);

        var listed = Assert.Single(indexed!.Items, d => d.Id == created.Id);
        Assert.Equal(created.Title, listed.Title);
        Assert.Equal(created.ChunkCount, listed.ChunkCount);
        Assert.DoesNotContain(failed!.Items, d => d.Id == created.Id);
    }

    [Fact]
    public async Task The_listing_query_does_not_select_the_extracted_text_or_structure()
    {
        await using var scope = api.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ComplianceDbContext>();

        var listing = DocumentsApi.ListQuery(db, "global", DocumentStatus.Indexed).Skip(50).Take(50).ToQueryString();
        var whole = db.Documents.ToQueryString();

        // The entity query reads both columns, so the assertion below is about the projection, not the naming.
        Assert.Contains("\"ExtractedText\"", whole, StringComparison.Ordinal);
        Assert.Contains("\"ExtractedStructure\"", whole, StringComparison.Ordinal);
        Assert.DoesNotContain("Extracted", listing, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("\"Title\"", listing, StringComparison.Ordinal);
    }
}
