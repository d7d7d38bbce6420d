using System.Net;
using System.Net.Http.Json;
using System.Text;
using Compliance.Api.Audit;
using Compliance.Api.Tests.Audit;
using Compliance.Api.Tests.Infrastructure;
using Compliance.Contracts.Common;
using Compliance.Contracts.Feedback;
using Compliance.Testing.Servers;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Compliance.Api.Tests.Fuzzing;

/// <summary>Security headers, CORS, body limits, outages as 503 and no exception text, on the real server.</summary>
public sealed class HardeningTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Every_response_carries_the_security_headers_and_no_server_header_over_real_kestrel()
    {
        await using var api = new ComplianceApiFactory();
        await api.InitializeAsync();
        api.UseKestrel(0);
        api.StartServer();
        using var anonymous = api.CreateClient(token: null);
        using var admin = api.CreateAdminClient();

        foreach (var response in new[]
        {
            await anonymous.GetAsync("/health/live", Ct),
            await anonymous.GetAsync("/admin/stats", Ct),
            await admin.GetAsync("/admin/stats", Ct),
            await admin.GetAsync("/no/such/route", Ct),
        })
        {
            Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
            Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
            Assert.Equal("no-referrer", response.Headers.GetValues("Referrer-Policy").Single());
            Assert.Contains("frame-ancestors 'none'", response.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
            Assert.False(response.Headers.Contains("Server"), $"{response.RequestMessage!.RequestUri} sent a Server header");
        }
        var stats = await admin.GetAsync("/admin/stats", Ct);
        Assert.Equal("no-store", stats.Headers.CacheControl?.ToString());
    }

    [Fact]
    public async Task Cors_allows_only_the_configured_origins()
    {
        await using var api = new ComplianceApiFactory().WithSetting("CORS_ORIGINS", "https://compliance.example.com, https://ops.example.com");
        await api.InitializeAsync();
        using var client = api.CreateClient(token: null);

        var allowed = await PreflightAsync(client, "https://ops.example.com");
        var refused = await PreflightAsync(client, "https://evil.example.net");

        Assert.Equal("https://ops.example.com", allowed.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.False(refused.Headers.Contains("Access-Control-Allow-Origin"));

        static Task<HttpResponseMessage> PreflightAsync(HttpClient client, string origin)
        {
            var request = new HttpRequestMessage(HttpMethod.Options, "/api/v1/feedback");
            request.Headers.Add("Origin", origin);
            request.Headers.Add("Access-Control-Request-Method", "POST");
            request.Headers.Add("Access-Control-Request-Headers", "authorization,content-type");
            return client.SendAsync(request, Ct);
        }
    }

    [Fact]
    public async Task Bodies_over_the_route_limit_are_refused_with_413_declared_or_streamed()
    {
        await using var api = new ComplianceApiFactory();
        await api.InitializeAsync();
        api.UseKestrel(0);
        api.StartServer();
        using var bot = api.CreateServiceClient();
        var huge = $$"""{"queryId":"{{Guid.NewGuid()}}","userId":"123456789012345678","rating":3,"comment":"{{new string('x', 200_000)}}"}""";

        var declared = await bot.PostAsync("/api/v1/feedback", new StringContent(huge, Encoding.UTF8, "application/json"), Ct);
        var streamed = await bot.PostAsync("/api/v1/feedback", new ChunkedContent(huge), Ct);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, declared.StatusCode);
        Assert.Equal("application/problem+json", declared.Content.Headers.ContentType?.MediaType);
        Assert.InRange((int)streamed.StatusCode, 400, 413);
    }

    [Fact]
    public async Task An_unexpected_exception_is_a_500_problem_without_exception_text()
    {
        await using var api = new ThrowingApi();
        await api.InitializeAsync();
        using var admin = api.CreateAdminClient();

        var response = await admin.GetAsync("/admin/audit-log?verify=true", Ct);
        var body = await response.Content.ReadAsStringAsync(Ct);

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.DoesNotContain(ThrowingApi.Secret, body, StringComparison.Ordinal);
        Assert.DoesNotContain("InvalidOperationException", body, StringComparison.Ordinal);
        Assert.DoesNotContain(" at Compliance.", body, StringComparison.Ordinal);
        Assert.Contains("traceId", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_database_outage_is_a_503_with_retry_after_not_a_500()
    {
        await using var postgres = await LocalPostgres.StartAsync();
        await using var api = new ComplianceApiFactory { PostgresAdminOverride = postgres.AdminConnectionString };
        await api.InitializeAsync();
        using var bot = api.CreateServiceClient();
        Assert.Equal(HttpStatusCode.OK, (await bot.GetAsync($"/api/v1/history/{AuditRecords.NewDiscordId()}", Ct)).StatusCode);

        await postgres.StopServerAsync();
        var response = await bot.GetAsync($"/api/v1/history/{AuditRecords.NewDiscordId()}", Ct);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(30), response.Headers.RetryAfter?.Delta);
        Assert.Equal(ProblemTypes.DependencyUnavailable, (await response.ReadJsonAsync()).GetProperty("type").GetString());
    }

    [Fact]
    public async Task A_database_outage_during_a_question_is_the_same_503_with_retry_after()
    {
        await using var postgres = await LocalPostgres.StartAsync();
        await using var api = new ComplianceApiFactory { PostgresAdminOverride = postgres.AdminConnectionString };
        await api.InitializeAsync();
        using var bot = api.CreateServiceClient();

        await postgres.StopServerAsync();
        var response = await bot.PostAsJsonAsync("/api/v1/query",
            new Compliance.Contracts.Questions.QueryRequest("Can I trade during the blackout period?", AuditRecords.NewDiscordId()), Ct);
        var problem = await response.ReadJsonAsync();

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(30), response.Headers.RetryAfter?.Delta);
        Assert.Equal(ProblemTypes.DependencyUnavailable, problem.GetProperty("type").GetString());
        Assert.Equal("dependency_unavailable", problem.GetProperty("code").GetString());
    }

    [Fact]
    public async Task A_search_that_passed_its_timeout_is_a_503_with_retry_after()
    {
        // The exception the RediSearch index throws when the module refused a search past its TIMEOUT (ON_TIMEOUT
        // FAIL; the index tests raise it against a real server), thrown here by a route's service.
        await using var api = new SearchTimeoutApi();
        await api.InitializeAsync();
        using var admin = api.CreateAdminClient();

        var response = await admin.GetAsync("/admin/audit-log?verify=true", Ct);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(30), response.Headers.RetryAfter?.Delta);
        Assert.Equal(ProblemTypes.DependencyUnavailable, (await response.ReadJsonAsync()).GetProperty("type").GetString());
    }

    /// <summary>An API whose chain verifier fails as a RediSearch query past its timeout does.</summary>
    private sealed class SearchTimeoutApi : ComplianceApiFactory
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureServices(services => services.AddScoped<ChainVerifier>(_ =>
                throw new Compliance.Knowledge.Indexing.RediSearch.SearchTimeoutException("A search passed its 500 ms timeout.")));
        }
    }

    /// <summary>An API whose chain verifier fails with a message that must never reach a client.</summary>
    private sealed class ThrowingApi : ComplianceApiFactory
    {
        public const string Secret = "connection string Password=hunter2 in /srv/secret";

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseSetting("ENVIRONMENT", "Production");
            builder.UseSetting("EMBED_REQUIRED", "false");
            builder.ConfigureServices(services => services.AddScoped<ChainVerifier>(_ => throw new InvalidOperationException(Secret)));
        }
    }

    /// <summary>A body without Content-Length, sent chunked.</summary>
    private sealed class ChunkedContent(string text) : HttpContent
    {
        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => stream.WriteAsync(Encoding.UTF8.GetBytes(text)).AsTask();

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
