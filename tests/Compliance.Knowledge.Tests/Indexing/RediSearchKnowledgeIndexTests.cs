using Compliance.Knowledge.Indexing;
using Compliance.Knowledge.Indexing.RediSearch;
using NRedisStack.RedisStackCommands;
using NRedisStack.Search;
using NRedisStack.Search.Literals.Enums;
using StackExchange.Redis;

namespace Compliance.Knowledge.Tests.Indexing;

/// <summary>
/// The shared index behaviours against a real RediSearch. No RediSearch exists on the build machines (Debian's
/// Redis has no Search 2.x module), so these run only where <c>COMPLIANCE_TEST_REDISEARCH_URL</c> points at one
/// and every test reports why it was skipped otherwise.
/// </summary>
public sealed class RediSearchKnowledgeIndexTests : KnowledgeIndexBehaviour
{
    public const string UrlVariable = "COMPLIANCE_TEST_REDISEARCH_URL";

    public const string SkipReason =
        "RediSearch tests skipped: set COMPLIANCE_TEST_REDISEARCH_URL to a Redis with the Search module (e.g. redis-stack-server)";

    private readonly string _run = "test-" + Guid.NewGuid().ToString("N")[..12];
    private ConnectionMultiplexer? _connection;

    protected override async Task<IKnowledgeIndex> CreateIndexAsync(string name)
    {
        var url = Environment.GetEnvironmentVariable(UrlVariable);
        if (string.IsNullOrWhiteSpace(url))
        {
            Assert.Skip(SkipReason);
        }
        _connection ??= await RedisConnections.ConnectAsync(url);
        return new RediSearchKnowledgeIndex(_connection.GetDatabase(), new RediSearchIndexOptions
        {
            IndexName = $"{_run}-{name}",
            KeyPrefix = $"{_run}-{name}-chunk:",
        });
    }

    protected override async Task DestroyIndexAsync(IKnowledgeIndex index)
    {
        await ((RediSearchKnowledgeIndex)index).DropAsync();
    }

    [Fact]
    public async Task An_index_with_the_old_schema_is_refused_with_how_to_rebuild_it()
    {
        var index = (RediSearchKnowledgeIndex)await CreateIndexAsync("old-schema");
        var name = $"{_run}-old-schema";
        // The schema this index used before it indexed search forms and declared TAGs CASESENSITIVE.
        await _connection!.GetDatabase().FT().CreateAsync(name,
            new FTCreateParams().On(IndexDataType.HASH).Prefix($"{name}-chunk:"),
            new Schema().AddTextField("title", weight: 2).AddTextField("text").AddTagField("tenant", separator: ",")
                .AddHnswVectorField("vec", Schema.VectorField.VectorType.FLOAT32, 4, Schema.VectorField.VectorDistanceMetric.CosineDistance));
        try
        {
            var error = await Assert.ThrowsAsync<InvalidOperationException>(() => index.EnsureCreatedAsync(Dimensions, Token));

            Assert.Contains("older version", error.Message, StringComparison.Ordinal);
            Assert.Contains($"FT.DROPINDEX {name}", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            await index.DropAsync();
        }
    }

    [Fact]
    public async Task The_module_version_picks_the_scorer()
    {
        var index = (RediSearchKnowledgeIndex)await OpenAsync();

        Assert.NotNull(index.ModuleVersion);
        TestContext.Current.SendDiagnosticMessage($"RediSearch {index.ModuleVersion} uses SCORER {index.ModuleVersion!.Value.TextScorer}");
        Assert.Equal(index.ModuleVersion.Value.HasBm25Std ? "BM25STD" : "BM25", index.ModuleVersion.Value.TextScorer);
    }
}
