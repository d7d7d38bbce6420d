using System.Net;
using System.Net.Http.Json;
using Compliance.Api.Tests.Infrastructure;
using Compliance.Contracts.Search;

namespace Compliance.Api.Tests.Search;

/// <summary>An API that loaded the sample policies on first start, as ./run.sh does, searched over HTTP.</summary>
public sealed class SamplePoliciesApi : ComplianceApiFactory
{
    public SamplePoliciesApi() => WithSetting("SAMPLE_POLICIES_DIR", Path.Combine(RepositoryRoot(), "samples", "policies"));
}

public sealed class SearchApiTests(SamplePoliciesApi api) : IClassFixture<SamplePoliciesApi>
{
    [Fact]
    public async Task The_blackout_question_finds_the_blackout_section_of_the_sample_policies()
    {
        var response = await SearchAsync(new SearchRequest("Can I trade during the blackout window?"));

        Assert.Equal("lexical-only", response.Mode);
        Assert.InRange(response.Results.Count, 1, 5);
        Assert.Contains(response.Results.Take(3), hit => hit.Section?.Contains("Blackout", StringComparison.OrdinalIgnoreCase) == true);
        var top = response.Results[0];
        Assert.Equal(1, top.Rank);
        Assert.NotNull(top.TextRank);
        Assert.Null(top.VectorRank);
        Assert.False(string.IsNullOrWhiteSpace(top.Title));
    }

    [Fact]
    public async Task TopK_limits_the_results()
    {
        var response = await SearchAsync(new SearchRequest("gifts entertainment pre-clearance", TopK: 2));
        Assert.Equal(2, response.Results.Count);
    }

    [Theory]
    [InlineData("@title:{x} * -foo | \"unclosed (NEAR AND) {braces} [brackets]")]
    [InlineData("\"")]
    [InlineData("*")]
    [InlineData("gift\u0000s")]
    public async Task Query_syntax_in_user_text_is_searched_literally(string query)
    {
        using var client = api.CreateServiceClient();
        var response = await client.PostAsJsonAsync("/api/v1/search", new SearchRequest(query), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData("", null, null)]
    [InlineData("   ", null, null)]
    [InlineData("ok", "not-a-guild", null)]
    [InlineData("ok", null, 50)]
    public async Task Invalid_requests_are_400_problems(string query, string? guild, int? topK)
    {
        using var client = api.CreateServiceClient();
        var response = await client.PostAsJsonAsync("/api/v1/search", new SearchRequest(query, guild, topK), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task An_over_long_query_is_400()
    {
        using var client = api.CreateServiceClient();
        var response = await client.PostAsJsonAsync("/api/v1/search", new SearchRequest(new string('a', 1001)), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Search_needs_the_service_token()
    {
        using var anonymous = api.CreateClient(token: null);
        var response = await anonymous.PostAsJsonAsync("/api/v1/search", new SearchRequest("gifts"), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task A_guild_sees_global_documents_and_its_own_but_never_another_guilds()
    {
        const string guildA = "111111111111111111";
        const string guildB = "222222222222222222";
        var marker = "zq" + Guid.NewGuid().ToString("N")[..10];
        using var admin = api.CreateAdminClient();
        var upload = await admin.UploadAsync("guild-a.md", $"# Guild A rules\n\n## 1 Desk rules\nThe {marker} desk closes at noon.", tenant: guildA);
        Assert.Equal("indexed", (await admin.IngestedAsync(upload)).Status);

        Assert.Single((await SearchAsync(new SearchRequest(marker, guildA))).Results);
        Assert.Empty((await SearchAsync(new SearchRequest(marker, guildB))).Results);
        Assert.Empty((await SearchAsync(new SearchRequest(marker))).Results);
        // Global documents stay visible to every guild.
        Assert.NotEmpty((await SearchAsync(new SearchRequest("blackout", guildB))).Results);
    }

    private async Task<SearchResponse> SearchAsync(SearchRequest request)
    {
        using var client = api.CreateServiceClient();
        var response = await client.PostAsJsonAsync("/api/v1/search", request, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<SearchResponse>(DocumentUploads.Json, TestContext.Current.CancellationToken))!;
    }
}
