using Compliance.AnswerEvaluation.Tests.Infrastructure;
using Compliance.Testing.Servers;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Compliance.AnswerEvaluation.Tests.EndToEnd;

/// <summary>
/// The real API in-process as <c>./run.sh</c> starts it without a model key: the sample policies loaded on first
/// start, lexical search (no embedding model), retrieval-only answers; its own database in the test run's Postgres.
/// </summary>
/// <remarks>
/// The entry point is named by a type of the API assembly rather than <c>Program</c>: this project also references
/// the two tools, whose top-level <c>Program</c> classes it can see.
/// </remarks>
public class SamplePoliciesApi : WebApplicationFactory<Compliance.Api.Configuration.LlmOptions>, IAsyncLifetime
{
    public const string ServiceToken = "service-token-for-answer-eval-0123456789";
    public const string AdminToken = "admin-token-for-answer-eval-0123456789ab";

    private readonly string _indexDirectory = Path.Combine(Path.GetTempPath(), "answer-eval-index-" + Guid.NewGuid().ToString("N")[..12]);
    private string _database = string.Empty;
    private string _redis = string.Empty;

    /// <summary>The embedding model the API loads; null: none, lexical search.</summary>
    protected virtual string? EmbeddingModelDirectory => null;

    public async ValueTask InitializeAsync()
    {
        _database = await TestServers.CreateDatabaseAsync(await TestServers.PostgresAdminAsync(), "answers");
        _redis = await TestServers.RedisUrlAsync();
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("ENVIRONMENT", "Test");
        builder.UseSetting("DATABASE_URL", _database);
        builder.UseSetting("REDIS_URL", _redis);
        builder.UseSetting("ADMIN_TOKEN", AdminToken);
        builder.UseSetting("SERVICE_TOKEN", ServiceToken);
        builder.UseSetting("INDEX_PATH", Path.Combine(_indexDirectory, "index.db"));
        // No model key (retrieval-only answers), and no embedding model (lexical search) unless a subclass names one.
        builder.UseSetting("EMBED_MODEL", EmbeddingModelDirectory ?? Path.Combine(_indexDirectory, "no-model"));
        builder.UseSetting("XAI_API_KEY", string.Empty);
        builder.UseSetting("SAMPLE_POLICIES_DIR", Repository.SamplePolicies);
        // One synthetic user asks all 77 questions within seconds: lift the per-user limits an evaluation is not about,
        // and keep this API's limiter keys and audit outbox its own (Redis is shared by the test run).
        builder.UseSetting("RATE_LIMIT_PER_USER", "100000");
        builder.UseSetting("RATE_LIMIT_GLOBAL", "100000");
        builder.UseSetting("RATE_LIMIT_KEY_PREFIX", "eval-" + Guid.NewGuid().ToString("N")[..8]);
        builder.UseSetting("USER_DAILY_QUESTION_CAP", "0");
        builder.UseSetting("AUDIT_OUTBOX_DIR", Path.Combine(_indexDirectory, "outbox"));
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (Directory.Exists(_indexDirectory))
        {
            Directory.Delete(_indexDirectory, recursive: true);
        }

        if (_database.Length > 0)
        {
            await TestServers.DropDatabaseAsync(_database);
        }

        GC.SuppressFinalize(this);
    }
}
