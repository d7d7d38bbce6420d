using System.Net.Http.Headers;
using Compliance.Testing.Servers;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Xunit;

namespace Compliance.Testing.RealApi;

/// <summary>
/// The real Compliance API in-process for the test projects that drive it from outside (the ingest tool, the bot,
/// the answer evaluation): its own fresh database on the test run's Postgres, the shared Redis, an embedded index,
/// audit outbox and rate-limit keys of its own, and no embedding model (lexical search) unless a subclass sets
/// <c>EMBED_MODEL</c>. Subclasses add their settings in <see cref="ConfigureWebHost"/> after calling the base, and
/// extra start-up (a fake model provider) in <see cref="InitializeAsync"/>. Disposal drops the database and deletes
/// the index folder.
/// </summary>
/// <typeparam name="TEntryPoint">
/// Any public type of the API assembly: a test project that also references a tool cannot name <c>Program</c>
/// unambiguously.
/// </typeparam>
public class RealApiFactory<TEntryPoint>(string name, string adminToken, string serviceToken) : WebApplicationFactory<TEntryPoint>, IAsyncLifetime
    where TEntryPoint : class
{
    /// <summary>The API's <c>ADMIN_TOKEN</c>.</summary>
    public string AdminToken { get; } = adminToken;

    /// <summary>The API's <c>SERVICE_TOKEN</c>.</summary>
    public string ServiceToken { get; } = serviceToken;

    /// <summary>This API's folder: the embedded index, the audit outbox; deleted on disposal.</summary>
    protected string IndexDirectory { get; } = Path.Combine(Path.GetTempPath(), $"compliance-{name}-index-" + Guid.NewGuid().ToString("N")[..10]);

    /// <summary>The connection string of this API's database (created in <see cref="InitializeAsync"/>).</summary>
    public string DatabaseConnectionString { get; private set; } = string.Empty;

    private string _redis = string.Empty;

    public virtual async ValueTask InitializeAsync()
    {
        DatabaseConnectionString = await TestServers.CreateDatabaseAsync(await TestServers.PostgresAdminAsync(), name);
        _redis = await TestServers.RedisUrlAsync();
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("ENVIRONMENT", "Test");
        builder.UseSetting("DATABASE_URL", DatabaseConnectionString);
        builder.UseSetting("REDIS_URL", _redis);
        builder.UseSetting("ADMIN_TOKEN", AdminToken);
        builder.UseSetting("SERVICE_TOKEN", ServiceToken);
        builder.UseSetting("INDEX_PATH", Path.Combine(IndexDirectory, "index.db"));
        // The audit outbox belongs to this database, and Redis is shared by the test run: keys of its own (caches,
        // corpus version, limit counters), as a deployment with its own REDIS_KEY_PREFIX has.
        builder.UseSetting("AUDIT_OUTBOX_DIR", Path.Combine(IndexDirectory, "outbox"));
        builder.UseSetting("REDIS_KEY_PREFIX", $"{name}-" + Guid.NewGuid().ToString("N")[..12]);
        // No model unless a subclass names one: lexical-only search, as on a laptop without the download.
        builder.UseSetting("EMBED_MODEL", Path.Combine(IndexDirectory, "no-model"));
    }

    /// <summary>A client of this API that carries the admin bearer token, as an operator's tools would.</summary>
    public HttpClient CreateAdminClient()
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminToken);
        return client;
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (Directory.Exists(IndexDirectory))
        {
            Directory.Delete(IndexDirectory, recursive: true);
        }
        if (DatabaseConnectionString.Length > 0)
        {
            await TestServers.DropDatabaseAsync(DatabaseConnectionString);
        }
        GC.SuppressFinalize(this);
    }
}
