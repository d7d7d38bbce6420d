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

    public static async Task<DocumentResponse> ReadDocumentAsync(this HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<DocumentResponse>(Json, TestContext.Current.CancellationToken))!;

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
