using System.Net;
using System.Net.Http.Json;
using Compliance.Api.Tests.Infrastructure;
using Compliance.Contracts.Common;
using Compliance.Contracts.Documents;
using Compliance.Contracts.Search;

namespace Compliance.Api.Tests.Documents;

/// <summary>The document lifecycle through the admin endpoints, against the real database and embedded index.</summary>
public sealed class DocumentLifecycleTests(ComplianceApiFactory api) : IClassFixture<ComplianceApiFactory>
{
    private static string Policy(string marker) => $$"""
        # Travel Policy

        ## 1 Scope
        This policy applies to every employee travelling on company business.

        ## 2 Expenses
        Economy class is required for flights under six hours. The {{marker}} allowance covers meals.
        """;

    [Fact]
    public async Task A_markdown_upload_is_indexed_with_its_chunks_and_is_searchable()
    {
        using var admin = api.CreateAdminClient();
        var marker = Unique();
        var response = await admin.UploadAsync("travel.md", Policy(marker), tags: "travel,Expenses");

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal("queued", (await response.ReadDocumentAsync()).Status);
        var document = await admin.IngestedAsync(response);
        Assert.Equal("indexed", document.Status);
        Assert.Equal("Travel Policy", document.Title);
        Assert.Equal("global", document.TenantId);
        Assert.Equal(1, document.Version);
        Assert.True(document.ChunkCount >= 1);
        Assert.Equal(["travel", "expenses"], document.Tags);
        Assert.Equal($"/admin/documents/{document.Id}", response.Headers.Location?.OriginalString);

        var hits = await SearchAsync(marker);
        var hit = Assert.Single(hits.Results);
        Assert.Equal(document.Id, hit.DocumentId);
        Assert.Equal("2 Expenses", hit.Section);
    }

    [Fact]
    public async Task The_same_bytes_again_return_the_existing_document_and_do_nothing()
    {
        using var admin = api.CreateAdminClient();
        var content = Policy(Unique());
        var first = await admin.IngestAsync("a.md", content);

        var again = await admin.UploadAsync("renamed.md", content);

        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        var duplicate = await again.ReadDocumentAsync();
        Assert.True(duplicate.Duplicate);
        Assert.Equal(first.Id, duplicate.Id);
        // Postgres keeps microseconds; the first response carried the in-memory ticks.
        Assert.Equal(first.IndexedAt!.Value, duplicate.IndexedAt!.Value, TimeSpan.FromMilliseconds(1));
        Assert.Equal(first.ChunkCount, duplicate.ChunkCount);
    }

    [Fact]
    public async Task New_bytes_from_the_same_source_become_a_new_version_and_the_old_one_leaves_search()
    {
        using var admin = api.CreateAdminClient();
        var oldMarker = Unique();
        var newMarker = Unique();
        var source = $"policies/travel-{Guid.NewGuid():N}.md";
        var v1 = await admin.IngestAsync("travel.md", Policy(oldMarker), source: source);

        var response = await admin.UploadAsync("travel.md", Policy(newMarker), source: source);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var v2 = await admin.IngestedAsync(response);
        Assert.Equal("indexed", v2.Status);
        Assert.Equal(2, v2.Version);
        var old = await admin.GetFromJsonAsync<DocumentResponse>($"/admin/documents/{v1.Id}", DocumentUploads.Json, TestContext.Current.CancellationToken);
        Assert.Equal("superseded", old!.Status);
        Assert.Equal(v2.Id, old.SupersededById);
        Assert.Empty((await SearchAsync(oldMarker)).Results);
        Assert.Equal(v2.Id, Assert.Single((await SearchAsync(newMarker)).Results).DocumentId);
    }

    [Fact]
    public async Task Deleting_removes_a_document_from_search()
    {
        using var admin = api.CreateAdminClient();
        var marker = Unique();
        var document = await admin.IngestAsync("gone.md", Policy(marker));
        Assert.NotEmpty((await SearchAsync(marker)).Results);

        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/admin/documents/{document.Id}", TestContext.Current.CancellationToken)).StatusCode);

        Assert.Empty((await SearchAsync(marker)).Results);
        var after = await admin.GetFromJsonAsync<DocumentResponse>($"/admin/documents/{document.Id}", DocumentUploads.Json, TestContext.Current.CancellationToken);
        Assert.Equal("deleted", after!.Status);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.DeleteAsync($"/admin/documents/{document.Id}", TestContext.Current.CancellationToken)).StatusCode);
    }

    [Fact]
    public async Task An_unsupported_type_is_415_and_recorded_as_failed_with_the_reason()
    {
        using var admin = api.CreateAdminClient();
        // A PNG renamed to .md: the type comes from the bytes, not the name.
        byte[] png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, .. Guid.NewGuid().ToByteArray()];

        var response = await admin.UploadAsync("policy.md", png);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        var problem = await response.ReadJsonAsync();
        Assert.EndsWith("/unsupported-media-type", problem.GetProperty("type").GetString(), StringComparison.Ordinal);
        var id = problem.GetProperty("documentId").GetGuid();
        var recorded = await admin.GetFromJsonAsync<DocumentResponse>($"/admin/documents/{id}", DocumentUploads.Json, TestContext.Current.CancellationToken);
        Assert.Equal("failed", recorded!.Status);
        Assert.False(string.IsNullOrWhiteSpace(recorded.Error));
    }

    [Fact]
    public async Task An_empty_document_is_422_with_the_reason()
    {
        using var admin = api.CreateAdminClient();
        var response = await admin.UploadAsync($"empty-{Unique()}.txt", "   \n\n  ");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var problem = await response.ReadJsonAsync();
        Assert.EndsWith("/document-unreadable", problem.GetProperty("type").GetString(), StringComparison.Ordinal);
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("detail").GetString()));
    }

    [Fact]
    public async Task A_body_that_is_not_multipart_is_415()
    {
        using var admin = api.CreateAdminClient();
        var response = await admin.PostAsJsonAsync("/admin/documents", new { file = "x" }, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData("tenant", "not-a-guild")]
    [InlineData("tags", "ok,<script>")]
    public async Task Bad_form_fields_are_400(string field, string value)
    {
        using var admin = api.CreateAdminClient();
        var response = field == "tenant"
            ? await admin.UploadAsync("x.md", Policy(Unique()), tenant: value)
            : await admin.UploadAsync("x.md", Policy(Unique()), tags: value);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task File_names_with_paths_and_control_characters_are_sanitised()
    {
        using var admin = api.CreateAdminClient();
        var document = await (await admin.UploadAsync("../../etc/\u0007evil\u202Ename.md", Policy(Unique()))).ReadDocumentAsync();
        Assert.Equal("evilname.md", document.Source);
    }

    [Fact]
    public async Task Two_concurrent_uploads_of_the_same_bytes_end_as_one_document()
    {
        using var admin = api.CreateAdminClient();
        var content = Policy(Unique());

        var responses = await Task.WhenAll(admin.UploadAsync("same.md", content), admin.UploadAsync("same.md", content));
        var documents = await Task.WhenAll(responses.Select(r => r.ReadDocumentAsync()));

        Assert.All(responses, r => Assert.True(r.IsSuccessStatusCode, r.StatusCode.ToString()));
        Assert.Single(documents.Select(d => d.Id).Distinct());
        var page = await admin.GetFromJsonAsync<PagedResponse<DocumentResponse>>("/admin/documents?pageSize=200", DocumentUploads.Json, TestContext.Current.CancellationToken);
        Assert.Single(page!.Items, d => d.Sha256 == documents[0].Sha256);
    }

    [Fact]
    public async Task Document_routes_need_an_admin_token()
    {
        using var anonymous = api.CreateClient(token: null);
        using var service = api.CreateServiceClient();

        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/admin/documents", TestContext.Current.CancellationToken)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await service.GetAsync("/admin/documents", TestContext.Current.CancellationToken)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await service.UploadAsync("x.md", "# x")).StatusCode);
    }

    [Fact]
    public async Task Re_indexing_everything_runs_as_a_job_that_reports_progress()
    {
        using var admin = api.CreateAdminClient();
        Assert.Equal("indexed", (await admin.IngestAsync("job.md", Policy(Unique()))).Status);

        var started = await admin.PostAsync("/admin/documents/reindex", null, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        var job = (await started.Content.ReadFromJsonAsync<JobResponse>(DocumentUploads.Json, TestContext.Current.CancellationToken))!;

        for (var i = 0; i < 200 && job.FinishedAt is null; i++)
        {
            await Task.Delay(50, TestContext.Current.CancellationToken);
            job = (await admin.GetFromJsonAsync<JobResponse>(started.Headers.Location!.OriginalString, DocumentUploads.Json, TestContext.Current.CancellationToken))!;
        }

        Assert.Equal("succeeded", job.Status);
        Assert.True(job.Total >= 1);
        Assert.Equal(job.Total, job.Completed);
    }

    [Fact]
    public async Task A_word_upload_is_indexed_with_its_headings_as_sections()
    {
        using var admin = api.CreateAdminClient();
        var marker = Unique();
        var docx = Compliance.Testing.Documents.GeneratedDocuments.Docx(
            ("Title", "Northwind Hospitality Policy"),
            ("Heading1", "1 Scope"),
            (null, "This policy applies to every employee."),
            ("Heading1", "2 Client dinners"),
            (null, $"Dinners with clients are recorded in the {marker} register within five days."));

        var response = await admin.UploadAsync("hospitality.docx", docx);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var document = await admin.IngestedAsync(response);
        Assert.Equal("application/vnd.openxmlformats-officedocument.wordprocessingml.document", document.ContentType);
        Assert.Equal("Northwind Hospitality Policy", document.Title);
        var hit = Assert.Single((await SearchAsync(marker)).Results);
        Assert.Equal(document.Id, hit.DocumentId);
        Assert.Equal("2 Client dinners", hit.Section);
    }

    [Fact]
    public async Task A_damaged_word_upload_ends_failed_with_the_reason()
    {
        using var admin = api.CreateAdminClient();
        var docx = Compliance.Testing.Documents.GeneratedDocuments.Docx(("Heading1", "Scope"), (null, Unique()));
        // Cut inside the archive's last entries: the ZIP still opens (its central directory is rebuilt below), but
        // word/document.xml is not well-formed any more.
        var damaged = DamageMainPart(docx);

        var response = await admin.UploadAsync("damaged.docx", damaged);

        // Only reading the document finds the damage: accepted at once, failed in the background with the reason.
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var document = await admin.IngestedAsync(response);
        Assert.Equal("failed", document.Status);
        Assert.Contains("Word document could not be read", document.Error, StringComparison.Ordinal);
        Assert.Null(document.Progress);
    }

    private static byte[] DamageMainPart(byte[] docx)
    {
        using var output = new MemoryStream();
        using (var source = new System.IO.Compression.ZipArchive(new MemoryStream(docx)))
        using (var target = new System.IO.Compression.ZipArchive(output, System.IO.Compression.ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var entry in source.Entries)
            {
                using var reader = new StreamReader(entry.Open());
                var text = reader.ReadToEnd();
                using var writer = new StreamWriter(target.CreateEntry(entry.FullName).Open());
                writer.Write(entry.FullName == "word/document.xml" ? text[..(text.Length / 2)] : text);
            }
        }
        return output.ToArray();
    }

    private async Task<SearchResponse> SearchAsync(string query)
    {
        using var service = api.CreateServiceClient();
        var response = await service.PostAsJsonAsync("/api/v1/search", new SearchRequest(query), TestContext.Current.CancellationToken);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<SearchResponse>(DocumentUploads.Json, TestContext.Current.CancellationToken))!;
    }

    // A word no other test document contains, so search results belong to one test only.
    private static string Unique() => "zq" + Guid.NewGuid().ToString("N")[..10];
}
