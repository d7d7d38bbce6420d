using System.Net.Http.Headers;
using Compliance.Testing.Servers;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Xunit;

namespace Compliance.Testing.RealApi;

/// <summary>
/// The real Compliance API in-process, for every test project that drives it (the API's own tests, the ingest tool,
/// the bot, the answer evaluation): its own fresh database on the test run's Postgres, the shared Redis under a key
/// prefix of its own, an embedded index and audit outbox in a folder of its own, and no embedding model (lexical
/// search) unless a setting names one. Settings (environment variable names) added with <see cref="Settings"/> win
/// over these defaults; subclasses may also add theirs in <see cref="ConfigureWebHost"/> after calling the base, and
/// extra start-up (a fake model provider) in <see cref="InitializeAsync"/>. Disposal drops the database (unless it
/// was <see cref="DatabaseOverride"/>) and deletes the folder.
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
    public string IndexDirectory { get; } = Path.Combine(Path.GetTempPath(), $"compliance-{name}-index-" + Guid.NewGuid().ToString("N")[..10]);

    /// <summary>The connection string of this API's database (created in <see cref="InitializeAsync"/>).</summary>
    public string DatabaseConnectionString { get; private set; } = string.Empty;

    /// <summary>Uses this admin connection string (a dedicated cluster) instead of the test run's.</summary>
    public string? PostgresAdminOverride { get; init; }

    /// <summary>Reuse this database (and keep it on disposal) instead of creating one, e.g. to restart "the same" service.</summary>
    public string? DatabaseOverride { get; init; }

    /// <summary>Settings (environment variable names) applied after the defaults, so they win over them.</summary>
    protected IDictionary<string, string?> Settings { get; } = new Dictionary<string, string?>(StringComparer.Ordinal);

    private string _redis = string.Empty;

    public virtual async ValueTask InitializeAsync()
    {
        DatabaseConnectionString = DatabaseOverride
            ?? await TestServers.CreateDatabaseAsync(PostgresAdminOverride ?? await TestServers.PostgresAdminAsync(), name);
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
        // The audit outbox belongs to this database: never let another test's API replay it elsewhere.
        builder.UseSetting("AUDIT_OUTBOX_DIR", Path.Combine(IndexDirectory, "outbox"));
        // Redis is shared by the test run: keys of its own (caches, corpus version, limit counters), as a deployment
        // with its own REDIS_KEY_PREFIX has, unless a test shares them on purpose (RATE_LIMIT_KEY_PREFIX for limits).
        builder.UseSetting("REDIS_KEY_PREFIX", $"{name}-" + Guid.NewGuid().ToString("N")[..12]);
        // No model unless a setting names one: lexical-only search, as on a laptop without the download.
        builder.UseSetting("EMBED_MODEL", Path.Combine(IndexDirectory, "no-model"));
        foreach (var (setting, value) in Settings)
        {
            builder.UseSetting(setting, value);
        }
    }

    /// <summary>A client sending <c>Authorization: Bearer token</c> (none when <paramref name="token"/> is null).</summary>
    public HttpClient CreateClient(string? token)
    {
        var client = CreateClient();
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        return client;
    }

    /// <summary>A client of this API that carries the admin bearer token, as an operator's tools would.</summary>
    public HttpClient CreateAdminClient() => CreateClient(AdminToken);

    /// <summary>A client that carries the service token, as the bot does.</summary>
    public HttpClient CreateServiceClient() => CreateClient(ServiceToken);

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (Directory.Exists(IndexDirectory))
        {
            Directory.Delete(IndexDirectory, recursive: true);
        }
        if (DatabaseConnectionString.Length > 0 && DatabaseOverride is null)
        {
            try
            {
                await TestServers.DropDatabaseAsync(DatabaseConnectionString);
            }
            catch (Npgsql.NpgsqlException)
            {
                // The cluster may already be gone (outage tests dispose their own server).
            }
        }
        GC.SuppressFinalize(this);
    }
}
