using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Compliance.Api.Tests.Infrastructure;
using Compliance.Contracts.Search;

namespace Compliance.Api.Tests.Search;

/// <summary>With an embedding model loaded (the tiny generated one), search fuses BM25 and vector lists.</summary>
public sealed class HybridSearchApiTests
{
    [Fact]
    public async Task With_a_model_search_is_hybrid_and_readiness_reports_the_model()
    {
        await using var api = new ComplianceApiFactory()
            .WithSetting("EMBED_MODEL", ComplianceApiFactory.TinyModelDirectory())
            .WithSetting("SAMPLE_POLICIES_DIR", Path.Combine(ComplianceApiFactory.RepositoryRoot(), "samples", "policies"));
        await api.InitializeAsync();
        using var client = api.CreateServiceClient();
        var ct = TestContext.Current.CancellationToken;

        var response = await client.PostAsJsonAsync("/api/v1/search", new SearchRequest("Do I need pre-clearance for a gift over $100?"), ct);
        var result = (await response.Content.ReadFromJsonAsync<SearchResponse>(DocumentUploads.Json, ct))!;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("hybrid", result.Mode);
        Assert.Contains(result.Results, hit => hit.VectorRank is not null);
        Assert.True(result.Timings.EmbedMs > 0);

        using var admin = api.CreateAdminClient();
        var health = JsonDocument.Parse(await admin.GetStringAsync("/health/detailed", ct)).RootElement;
        var model = health.GetProperty("dependencies").GetProperty("embedding_model");
        Assert.Equal("Healthy", model.GetProperty("status").GetString());
        Assert.Equal(384, model.GetProperty("data").GetProperty("dimensions").GetInt32());
    }

    [Fact]
    public async Task Without_a_model_readiness_is_degraded_but_ready()
    {
        await using var api = new ComplianceApiFactory();
        await api.InitializeAsync();
        using var client = api.CreateClient(token: null);

        var response = await client.GetAsync("/health/ready", TestContext.Current.CancellationToken);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).RootElement;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Degraded", body.GetProperty("status").GetString());
        Assert.Equal("Degraded", body.GetProperty("checks").GetProperty("embedding_model").GetString());
    }
}
