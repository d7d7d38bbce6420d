using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Compliance.Contracts.Documents;

namespace Compliance.Api.Tests.Infrastructure;

/// <summary>Uploads as the ingest tool does: multipart with the documented field names and an admin token.</summary>
public static class DocumentUploads
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static Task<HttpResponseMessage> UploadAsync(this HttpClient client, string fileName, string content,
        string? tenant = null, string? title = null, string? tags = null, string? source = null) =>
        client.UploadAsync(fileName, Encoding.UTF8.GetBytes(content), tenant, title, tags, source);

    public static async Task<HttpResponseMessage> UploadAsync(this HttpClient client, string fileName, byte[] content,
        string? tenant = null, string? title = null, string? tags = null, string? source = null)
    {
        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(content);
        file.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        form.Add(file, DocumentUploadFields.File, fileName);
        Add(form, DocumentUploadFields.Tenant, tenant);
        Add(form, DocumentUploadFields.Title, title);
        Add(form, DocumentUploadFields.Tags, tags);
        Add(form, DocumentUploadFields.Source, source);
        return await client.PostAsync("/admin/documents", form, TestContext.Current.CancellationToken);
    }

    // Read as a string (which buffers the body), so a test may read the same answer more than once.
    public static async Task<DocumentResponse> ReadDocumentAsync(this HttpResponseMessage response) =>
        JsonSerializer.Deserialize<DocumentResponse>(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), Json)!;

    /// <summary>
    /// What an uploader sees once the background ingestion is over: the upload's answer when it is settled already
    /// (a duplicate), else its status URL polled until indexed or failed. Fails the test on any other answer.
    /// </summary>
    public static async Task<DocumentResponse> IngestedAsync(this HttpClient client, HttpResponseMessage upload)
    {
        Assert.True(upload.StatusCode is HttpStatusCode.Accepted or HttpStatusCode.OK,
            $"the upload answered {(int)upload.StatusCode}: {await upload.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)}");
        var document = await upload.ReadDocumentAsync();
        if (upload.StatusCode == HttpStatusCode.Accepted)
        {
            Assert.Equal($"/admin/documents/{document.Id}", upload.Headers.Location?.OriginalString);
            Assert.Equal(upload.Headers.Location?.OriginalString, document.StatusUrl);
        }
        return await client.WaitUntilSettledAsync(document.Id);
    }

    /// <summary>Uploads and waits for the ingestion to end (<see cref="IngestedAsync"/>).</summary>
    public static async Task<DocumentResponse> IngestAsync(this HttpClient client, string fileName, string content,
        string? tenant = null, string? title = null, string? tags = null, string? source = null) =>
        await client.IngestedAsync(await client.UploadAsync(fileName, content, tenant, title, tags, source));

    /// <inheritdoc cref="IngestAsync(HttpClient, string, string, string?, string?, string?, string?)"/>
    public static async Task<DocumentResponse> IngestAsync(this HttpClient client, string fileName, byte[] content,
        string? tenant = null, string? title = null, string? tags = null, string? source = null) =>
        await client.IngestedAsync(await client.UploadAsync(fileName, content, tenant, title, tags, source));

    /// <summary>Polls <c>GET /admin/documents/{id}</c> until the status is settled (indexed, failed, ...); 60 s at most.</summary>
    public static async Task<DocumentResponse> WaitUntilSettledAsync(this HttpClient client, Guid documentId)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var document = (await client.GetFromJsonAsync<DocumentResponse>($"/admin/documents/{documentId}", Json, TestContext.Current.CancellationToken))!;
            if (DocumentStatuses.IsSettled(document.Status))
            {
                return document;
            }
            Assert.True(DateTime.UtcNow < deadline, $"document {documentId} is still {document.Status} after 60 s");
            await Task.Delay(25, TestContext.Current.CancellationToken);
        }
    }

    /// <summary>What <c>POST /api/v1/search</c> finds for <paramref name="query"/>, asked with the service token.</summary>
    public static async Task<IReadOnlyList<Compliance.Contracts.Search.SearchHit>> SearchAsync(this ComplianceApiFactory api, string query)
    {
        using var client = api.CreateServiceClient();
        var response = await client.PostAsJsonAsync("/api/v1/search", new Compliance.Contracts.Search.SearchRequest(query), TestContext.Current.CancellationToken);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<Compliance.Contracts.Search.SearchResponse>(Json, TestContext.Current.CancellationToken))!.Results;
    }

    public static async Task<JsonElement> ReadJsonAsync(this HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).RootElement;

    private static void Add(MultipartFormDataContent form, string name, string? value)
    {
        if (value is not null)
        {
            form.Add(new StringContent(value), name);
        }
    }
}
