using System.Net.Http.Headers;
using Compliance.Testing.Servers;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Compliance.Api.Tests.Infrastructure;

/// <summary>
/// The real API in-process, on its own fresh database in the test run's Postgres and on the shared Redis. Tests
/// get clients that carry real bearer tokens, as the bot and operators would send them.
/// </summary>
public class ComplianceApiFactory : WebApplicationFactory<Program>, IAsyncLifetime
{
    public const string AdminToken = "admin-token-for-tests-0123456789abcdef";
    public const string SecondaryAdminToken = "rotated-admin-token-for-tests-fedcba9876";
    public const string ServiceToken = "service-token-for-tests-0123456789abcdef";

    private readonly Dictionary<string, string?> _settings = new(StringComparer.Ordinal);
    private readonly List<Action<IServiceCollection>> _services = [];

    /// <summary>The connection string of this factory's database (created in <see cref="InitializeAsync"/>).</summary>
    public string DatabaseConnectionString { get; private set; } = string.Empty;

    /// <summary>Log lines the API wrote, for assertions about what is (not) logged.</summary>
    public CapturedLogs Logs { get; } = new();

    /// <summary>Overrides or adds a setting (an environment variable name) before the API starts.</summary>
    public ComplianceApiFactory WithSetting(string name, string? value)
    {
        _settings[name] = value;
        return this;
    }

    /// <summary>Adds services to the API's own (e.g. an <c>IEmbeddingCheckpoint</c> that holds a document part-way).</summary>
    public ComplianceApiFactory WithServices(Action<IServiceCollection> configure)
    {
        _services.Add(configure);
        return this;
    }

    /// <summary>Uses this admin connection string (a dedicated cluster) instead of the shared one.</summary>
    public string? PostgresAdminOverride { get; init; }

    /// <summary>This factory's embedded index file, in a folder of its own that disposal deletes.</summary>
    public string IndexDirectory { get; } = Path.Combine(Path.GetTempPath(), "compliance-index-" + Guid.NewGuid().ToString("N")[..12]);

    /// <summary>Reuse this database (and keep it on disposal) instead of creating one, e.g. to restart "the same" service.</summary>
    public string? DatabaseOverride { get; init; }

    public virtual async ValueTask InitializeAsync()
    {
        var admin = PostgresAdminOverride ?? await TestServers.PostgresAdminAsync();
        DatabaseConnectionString = DatabaseOverride ?? await TestServers.CreateDatabaseAsync(admin, "api");
        _settings.TryAdd("REDIS_URL", await TestServers.RedisUrlAsync());
        _settings.TryAdd("INDEX_PATH", Path.Combine(IndexDirectory, "index.db"));
        // The audit outbox belongs to this database: never let another test's API replay it elsewhere.
        _settings.TryAdd("AUDIT_OUTBOX_DIR", Path.Combine(IndexDirectory, "outbox"));
        // Redis is shared by the test run: each API is a deployment of its own (caches, corpus version, limit
        // counters) unless a test shares them on purpose (RATE_LIMIT_KEY_PREFIX for limits).
        _settings.TryAdd("REDIS_KEY_PREFIX", "test-" + Guid.NewGuid().ToString("N")[..12]);
        // No model unless a test asks for one: lexical-only search, as on a laptop without the download.
        _settings.TryAdd("EMBED_MODEL", Path.Combine(IndexDirectory, "no-model"));
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("ENVIRONMENT", "Test");
        builder.UseSetting("DATABASE_URL", DatabaseConnectionString);
        builder.UseSetting("ADMIN_TOKEN", AdminToken);
        builder.UseSetting("ADMIN_TOKEN_SECONDARY", SecondaryAdminToken);
        builder.UseSetting("SERVICE_TOKEN", ServiceToken);
        foreach (var (name, value) in _settings)
        {
            builder.UseSetting(name, value);
        }
        builder.ConfigureServices(services => services.AddSingleton<Serilog.Core.ILogEventSink>(Logs));
        // After the API's own registrations, so a test's service replaces the API's (e.g. its TimeProvider).
        builder.ConfigureTestServices(services =>
        {
            foreach (var configure in _services)
            {
                configure(services);
            }
        });
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

    public HttpClient CreateAdminClient() => CreateClient(AdminToken);

    /// <summary>The repository root (where Compliance.sln is), for samples and generated models.</summary>
    public static string RepositoryRoot() => Compliance.Testing.RepositoryRoot.Path;

    /// <summary>The tiny generated gte-small-shaped model (./test.sh and scripts/generate-test-models.sh make it).</summary>
    public static string TinyModelDirectory()
    {
        var path = Path.Combine(RepositoryRoot(), ".tools", "models", "gte-small-tiny");
        return File.Exists(Path.Combine(path, "model.onnx"))
            ? path
            : throw new InvalidOperationException($"The tiny test model is missing at {path}: run scripts/generate-test-models.sh (./test.sh does).");
    }

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
