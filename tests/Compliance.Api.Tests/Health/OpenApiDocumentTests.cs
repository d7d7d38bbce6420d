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

    // OpenAPI paths drop route constraints: /admin/documents/{id:guid} is documented as /admin/documents/{id}.
    private static string Normalise(string raw) =>
        System.Text.RegularExpressions.Regex.Replace("/" + raw.TrimStart('/'), @"\{([^}:?]+)[^}]*\}", "{$1}");
}
