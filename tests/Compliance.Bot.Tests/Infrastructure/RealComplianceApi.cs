using Compliance.Api.Security;
using Compliance.Testing.FakeOpenAi;
using Compliance.Testing.Servers;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Compliance.Bot.Tests.Infrastructure;

/// <summary>
/// The real Compliance API in-process (built like the API tests' factory): its own database on the test run's
/// Postgres, the shared Redis, an embedded index with the repository's sample policies, and the fake model
/// (<see cref="FakeOpenAiServer"/>) as the LLM provider. The bot reaches it through the factory's handler.
/// </summary>
// Any public type of the API assembly names its entry point; the bot's own Program would be ambiguous here.
public sealed class RealComplianceApi : WebApplicationFactory<BearerTokenAuthenticationHandler>, IAsyncLifetime
{
    /// <summary>The API's <c>ADMIN_TOKEN</c>, for the operator endpoints (the review queue).</summary>
    public const string AdminToken = "admin-token-for-bot-tests-0123456789abcdef";

    private readonly string _indexDirectory = Path.Combine(Path.GetTempPath(), "compliance-bot-index-" + Guid.NewGuid().ToString("N")[..10]);
    private string _database = "";
    private string _redis = "";

    public FakeOpenAiServer Model { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Model = await FakeOpenAiServer.StartAsync();
        Model.RespondWith(_ => FakeReply.Answer("No: trading is not allowed during a blackout period [1]. Ask compliance for pre-clearance."));
        _database = await TestServers.CreateDatabaseAsync(await TestServers.PostgresAdminAsync(), "bot");
        _redis = await TestServers.RedisUrlAsync();
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("ENVIRONMENT", "Test");
        builder.UseSetting("DATABASE_URL", _database);
        builder.UseSetting("REDIS_URL", _redis);
        builder.UseSetting("ADMIN_TOKEN", AdminToken);
        builder.UseSetting("SERVICE_TOKEN", StubComplianceApi.ServiceToken);
        builder.UseSetting("INDEX_PATH", Path.Combine(_indexDirectory, "index.db"));
        builder.UseSetting("EMBED_MODEL", Path.Combine(_indexDirectory, "no-model"));
        builder.UseSetting("XAI_BASE_URL", Model.BaseUrl.ToString());
        builder.UseSetting("XAI_API_KEY", FakeOpenAiServer.DefaultApiKey);
        builder.UseSetting("GROK_MODEL", "grok-4-latest");
        builder.UseSetting("GROK_MAX_RETRIES", "0");
        builder.UseSetting("SAMPLE_POLICIES_DIR", Path.Combine(RepositoryRoot(), "samples", "policies"));
    }

    /// <summary>Starts the real bot host against a fresh fake Discord, talking to this API through the factory's handler.</summary>
    public Task<BotHarness> StartBotAsync() =>
        BotHarness.StartAsync(settings => settings["API_URL"] = Server.BaseAddress.ToString(), apiTransport: Server.CreateHandler());

    /// <summary>A client of this API that carries the admin bearer token, as an operator's tools would.</summary>
    public HttpClient CreateAdminClient()
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", AdminToken);
        return client;
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await Model.DisposeAsync();
        if (Directory.Exists(_indexDirectory))
        {
            Directory.Delete(_indexDirectory, recursive: true);
        }
        if (_database.Length > 0)
        {
            await TestServers.DropDatabaseAsync(_database);
        }
    }

    private static string RepositoryRoot() => Compliance.Testing.RepositoryRoot.Path;
}
