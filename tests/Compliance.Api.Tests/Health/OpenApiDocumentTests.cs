using System.Text.Json;
using Compliance.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Compliance.Api.Tests.Health;

/// <summary>The OpenAPI document describes every endpoint the API maps, each with its responses.</summary>
public sealed class OpenApiDocumentTests(ComplianceApiFactory api) : IClassFixture<ComplianceApiFactory>
{
    [Fact]
    public async Task Every_mapped_endpoint_is_documented_with_its_responses()
    {
        using var client = api.CreateClient(token: null);
        var document = JsonDocument.Parse(await client.GetStringAsync("/openapi/v1.json", TestContext.Current.CancellationToken)).RootElement;
        var paths = document.GetProperty("paths");

        var mapped = api.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>() is not null)
            .Where(e => e.RoutePattern.RawText is { } raw && !raw.StartsWith("/openapi", StringComparison.Ordinal))
            .SelectMany(e => e.Metadata.GetMetadata<HttpMethodMetadata>()!.HttpMethods.Select(m => (Method: m.ToLowerInvariant(), Path: Normalise(e.RoutePattern.RawText!))))
            .Distinct().ToList();

        Assert.True(mapped.Count >= 25, $"only {mapped.Count} endpoints found");
        var missing = mapped.Where(e => !paths.TryGetProperty(e.Path, out var item) || !item.TryGetProperty(e.Method, out _)).ToList();
        Assert.True(missing.Count == 0, "not documented: " + string.Join(", ", missing));
        var withoutResponses = mapped.Where(e => paths.GetProperty(e.Path).GetProperty(e.Method).GetProperty("responses").EnumerateObject().Any() is false).ToList();
        Assert.True(withoutResponses.Count == 0, "no responses: " + string.Join(", ", withoutResponses));
    }

    [Fact]
    public async Task Protected_operations_declare_the_bearer_scheme_and_their_401_and_403()
    {
        var document = await DocumentAsync();
        var scheme = document.GetProperty("components").GetProperty("securitySchemes").GetProperty("Bearer");
        Assert.Equal(("http", "bearer"), (scheme.GetProperty("type").GetString(), scheme.GetProperty("scheme").GetString()));

        var protectedEndpoints = Mapped().Where(e => e.Protected).ToList();
        Assert.Contains(protectedEndpoints, e => e.Path == "/admin/documents" && e.Method == "post");
        Assert.Contains(protectedEndpoints, e => e.Path == "/api/v1/query");
        Assert.Contains(protectedEndpoints, e => e.Path == "/health/metrics");
        var wrong = new List<string>();
        foreach (var (method, path, _) in protectedEndpoints)
        {
            var operation = document.GetProperty("paths").GetProperty(path).GetProperty(method);
            var responses = operation.GetProperty("responses");
            if (!responses.TryGetProperty("401", out _) || !responses.TryGetProperty("403", out _))
            {
                wrong.Add($"{method} {path}: no 401/403");
            }
            if (!operation.TryGetProperty("security", out var security) || !security.EnumerateArray().Any(r => r.TryGetProperty("Bearer", out _)))
            {
                wrong.Add($"{method} {path}: no bearer security requirement");
            }
        }
        Assert.True(wrong.Count == 0, string.Join("; ", wrong));
    }

    [Fact]
    public async Task The_upload_is_documented_as_202_with_a_document_whose_status_lists_every_ingestion_state()
    {
        var document = await DocumentAsync();
        var responses = document.GetProperty("paths").GetProperty("/admin/documents").GetProperty("post").GetProperty("responses");
        Assert.True(responses.TryGetProperty("202", out var accepted), "no 202");
        Assert.True(responses.TryGetProperty("503", out _), "no 503 (queue full)");
        Assert.False(responses.TryGetProperty("201", out _), "201 is not answered any more");
        var reference = accepted.GetProperty("content").GetProperty("application/json").GetProperty("schema").GetProperty("$ref").GetString()!;
        var schema = document.GetProperty("components").GetProperty("schemas").GetProperty(reference[(reference.LastIndexOf('/') + 1)..]);

        var statuses = schema.GetProperty("properties").GetProperty("status").GetProperty("enum").EnumerateArray().Select(v => v.GetString()).ToList();
        Assert.Equal(["queued", "extracting", "embedding", "indexed", "failed", "superseded", "deleted"], statuses);
        Assert.True(schema.GetProperty("properties").TryGetProperty("progress", out _), "no progress");
        Assert.True(schema.GetProperty("properties").TryGetProperty("statusUrl", out _), "no statusUrl");
    }

    [Fact]
    public async Task Every_operation_that_reads_a_body_declares_413()
    {
        var document = await DocumentAsync();
        var withBody = new List<string>();
        var missing = new List<string>();
        foreach (var path in document.GetProperty("paths").EnumerateObject())
        {
            foreach (var operation in path.Value.EnumerateObject().Where(o => o.Value.TryGetProperty("requestBody", out _)))
            {
                withBody.Add($"{operation.Name} {path.Name}");
                if (!operation.Value.GetProperty("responses").TryGetProperty("413", out _))
                {
                    missing.Add($"{operation.Name} {path.Name}");
                }
            }
        }
        Assert.Contains("post /api/v1/query", withBody);
        Assert.Contains("put /admin/users/{userId}", withBody);
        Assert.True(missing.Count == 0, "no 413: " + string.Join(", ", missing));
    }

    [Fact]
    public async Task The_upload_documents_its_multipart_form_fields()
    {
        var document = await DocumentAsync();
        var schema = document.GetProperty("paths").GetProperty("/admin/documents").GetProperty("post").GetProperty("requestBody")
            .GetProperty("content").GetProperty("multipart/form-data").GetProperty("schema");
        var properties = schema.GetProperty("properties");

        Assert.Equal(["effectiveDate", "file", "source", "tags", "tenant", "title"], properties.EnumerateObject().Select(p => p.Name).Order());
        Assert.Equal("binary", properties.GetProperty("file").GetProperty("format").GetString());
        Assert.Equal("date", properties.GetProperty("effectiveDate").GetProperty("format").GetString());
        Assert.Equal(["file"], schema.GetProperty("required").EnumerateArray().Select(r => r.GetString()));
    }

    private async Task<JsonElement> DocumentAsync()
    {
        using var client = api.CreateClient(token: null);
        return JsonDocument.Parse(await client.GetStringAsync("/openapi/v1.json", TestContext.Current.CancellationToken)).RootElement;
    }

    private List<(string Method, string Path, bool Protected)> Mapped() =>
        api.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<HttpMethodMetadata>() is not null)
            .Where(e => e.RoutePattern.RawText is { } raw && !raw.StartsWith("/openapi", StringComparison.Ordinal))
            .SelectMany(e => e.Metadata.GetMetadata<HttpMethodMetadata>()!.HttpMethods.Select(m => (
                Method: m.ToLowerInvariant(),
                Path: Normalise(e.RoutePattern.RawText!),
                Protected: e.Metadata.GetOrderedMetadata<Microsoft.AspNetCore.Authorization.IAuthorizeData>().Any() &&
                    e.Metadata.GetMetadata<Microsoft.AspNetCore.Authorization.IAllowAnonymous>() is null)))
            .Distinct().ToList();

    // OpenAPI paths drop route constraints: /admin/documents/{id:guid} is documented as /admin/documents/{id}.
    private static string Normalise(string raw) =>
        System.Text.RegularExpressions.Regex.Replace("/" + raw.TrimStart('/'), @"\{([^}:?]+)[^}]*\}", "{$1}");
}
