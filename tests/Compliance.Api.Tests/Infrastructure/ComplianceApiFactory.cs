using Compliance.Testing.RealApi;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Compliance.Api.Tests.Infrastructure;

/// <summary>
/// The API's own tests' view of the real API in-process (<see cref="RealApiFactory{TEntryPoint}"/>: its own fresh
/// database, Redis keys and index): a second admin token (rotation), captured log lines, settings and services a
/// test adds before start. Tests get clients that carry real bearer tokens, as the bot and operators would send them.
/// </summary>
public class ComplianceApiFactory() : RealApiFactory<Program>("api", AdminTokenValue, ServiceTokenValue)
{
    public const string AdminTokenValue = "admin-token-for-tests-0123456789abcdef";
    public const string SecondaryAdminToken = "rotated-admin-token-for-tests-fedcba9876";
    public const string ServiceTokenValue = "service-token-for-tests-0123456789abcdef";

    private readonly List<Action<IServiceCollection>> _services = [];

    /// <summary>Log lines the API wrote, for assertions about what is (not) logged.</summary>
    public CapturedLogs Logs { get; } = new();

    /// <summary>Overrides or adds a setting (an environment variable name) before the API starts.</summary>
    public ComplianceApiFactory WithSetting(string name, string? value)
    {
        Settings[name] = value;
        return this;
    }

    /// <summary>Adds services to the API's own (e.g. an <c>IEmbeddingCheckpoint</c> that holds a document part-way).</summary>
    public ComplianceApiFactory WithServices(Action<IServiceCollection> configure)
    {
        _services.Add(configure);
        return this;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("ADMIN_TOKEN_SECONDARY", SecondaryAdminToken);
        base.ConfigureWebHost(builder);
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
}
