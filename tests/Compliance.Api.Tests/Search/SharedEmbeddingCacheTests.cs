using System.Net.Http.Json;
using System.Text.Json;
using Compliance.Api.Configuration;
using Compliance.Api.Knowledge;
using Compliance.Api.Redis;
using Compliance.Api.Tests.Infrastructure;
using Compliance.Contracts.Search;
using Compliance.Knowledge.Embeddings;
using Compliance.Testing.Servers;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Compliance.Api.Tests.Search;

/// <summary>
/// Question embeddings are shared through the test run's real Redis (the API's own IDistributedCache registration):
/// what one API instance embedded, another reads back instead of running the model; a different model never reads
/// them; Redis down costs nothing but speed.
/// </summary>
public sealed class SharedEmbeddingCacheTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    /// <summary>The services an API instance registers for <paramref name="url"/> (its own multiplexer and cache).</summary>
    private static ServiceProvider RedisState(string url) =>
        new ServiceCollection().AddSingleton(Options.Create(new RedisOptions { Url = url })).AddRedisState().BuildServiceProvider();

    private static IDistributedCache Cache(ServiceProvider services) => services.GetRequiredService<IDistributedCache>();

    [Fact]
    public async Task A_second_instance_reads_the_first_ones_embedding_instead_of_running_the_model()
    {
        // Two instances: two processes' worth of connections to the one Redis.
        await using var redisA = RedisState(await TestServers.RedisUrlAsync());
        await using var redisB = RedisState(await TestServers.RedisUrlAsync());
        var fingerprint = "test-" + Guid.NewGuid().ToString("N")[..12];
        var first = new CountingEmbedder();
        var second = new CountingEmbedder();
        using var instanceA = new SharedEmbeddingCache(first, Cache(redisA), fingerprint, TimeSpan.FromMinutes(5), NullLogger<SharedEmbeddingCache>.Instance);
        using var instanceB = new SharedEmbeddingCache(second, Cache(redisB), fingerprint, TimeSpan.FromMinutes(5), NullLogger<SharedEmbeddingCache>.Instance);
        const string question = "Can I trade during the blackout window?";

        var computed = await instanceA.EmbedQueryAsync(question, Token);
        var shared = await instanceB.EmbedQueryAsync(question, Token);

        Assert.Equal(1, first.Calls);
        Assert.Equal(0, second.Calls);
        Assert.Equal(computed, shared);
        Assert.Equal(1, instanceB.Hits);
        Assert.Equal(1, instanceA.Misses);

        // Another question is another key.
        await instanceB.EmbedQueryAsync("Do I need pre-clearance for a gift over $100?", Token);
        Assert.Equal(1, second.Calls);
    }

    [Fact]
    public async Task Keys_hold_a_hash_not_the_question_and_values_are_raw_floats()
    {
        var url = await TestServers.RedisUrlAsync();
        await using var redis = RedisState(url);
        var fingerprint = "test-" + Guid.NewGuid().ToString("N")[..12];
        using var cache = new SharedEmbeddingCache(new CountingEmbedder(), Cache(redis), fingerprint, TimeSpan.FromMinutes(5), NullLogger<SharedEmbeddingCache>.Instance);

        await cache.EmbedQueryAsync("My account number is zqfe91 and I hold shares", Token);

        var multiplexer = redis.GetRequiredService<IConnectionMultiplexer>();
        var server = multiplexer.GetServer(multiplexer.GetEndPoints()[0]);
        var key = Assert.Single(server.Keys(pattern: $"compliance:emb:{fingerprint}:*"));
        Assert.DoesNotContain("zqfe91", key.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("account", key.ToString(), StringComparison.Ordinal);
        // Microsoft.Extensions.Caching.StackExchangeRedis keeps an entry as a hash; its "data" field is the value as given.
        var value = (byte[])(await multiplexer.GetDatabase().HashGetAsync(key, "data"))!;
        Assert.Equal(CountingEmbedder.Size * sizeof(float), value.Length);
        var ttl = await multiplexer.GetDatabase().KeyTimeToLiveAsync(key);
        Assert.InRange(ttl!.Value, TimeSpan.FromMinutes(4), TimeSpan.FromMinutes(5));
    }

    [Fact]
    public async Task Another_model_never_reads_the_vectors_of_the_first()
    {
        await using var redis = RedisState(await TestServers.RedisUrlAsync());
        var oldModel = new CountingEmbedder();
        var newModel = new CountingEmbedder();
        using var before = new SharedEmbeddingCache(oldModel, Cache(redis), "old-" + Guid.NewGuid().ToString("N")[..8], TimeSpan.FromMinutes(5), NullLogger<SharedEmbeddingCache>.Instance);
        using var after = new SharedEmbeddingCache(newModel, Cache(redis), "new-" + Guid.NewGuid().ToString("N")[..8], TimeSpan.FromMinutes(5), NullLogger<SharedEmbeddingCache>.Instance);

        await before.EmbedQueryAsync("Who approves outside business activities?", Token);
        await after.EmbedQueryAsync("Who approves outside business activities?", Token);

        Assert.Equal(1, newModel.Calls);
        Assert.Equal(0, after.Hits);
    }

    [Fact]
    public async Task Redis_down_means_the_model_answers_and_the_log_has_no_question()
    {
        // A port nothing listens on: every Redis call fails fast.
        var closedPort = FreePort.Next();
        await using var redis = RedisState($"redis://127.0.0.1:{closedPort}");
        var logs = new CapturedLogs();
        using var factory = LoggerFactory.Create(b => b.AddProvider(logs));
        var model = new CountingEmbedder();
        using var cache = new SharedEmbeddingCache(model, Cache(redis), "down", TimeSpan.FromMinutes(5), factory.CreateLogger<SharedEmbeddingCache>());

        var vector = await cache.EmbedQueryAsync("Can I trade zqab12 shares during the blackout window?", Token);

        Assert.Equal(CountingEmbedder.Size, vector.Length);
        Assert.Equal(1, model.Calls);
        Assert.True(cache.Errors > 0);
        Assert.Contains(logs.Entries, entry => entry.Message.Contains("embedding cache", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(logs.Entries, entry => $"{entry.Message} {entry.Exception}".Contains("zqab12", StringComparison.Ordinal)
            || $"{entry.Message} {entry.Exception}".Contains("blackout", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Two_api_instances_with_the_model_share_question_embeddings()
    {
        var samples = Path.Combine(ComplianceApiFactory.RepositoryRoot(), "samples", "policies");
        // Two instances of one deployment: the same REDIS_KEY_PREFIX (each test API otherwise gets its own).
        var deployment = "shared-embeddings-" + Guid.NewGuid().ToString("N")[..8];
        await using var apiA = new ComplianceApiFactory().WithSetting("EMBED_MODEL", ComplianceApiFactory.TinyModelDirectory()).WithSetting("SAMPLE_POLICIES_DIR", samples)
            .WithSetting("REDIS_KEY_PREFIX", deployment);
        await using var apiB = new ComplianceApiFactory().WithSetting("EMBED_MODEL", ComplianceApiFactory.TinyModelDirectory()).WithSetting("SAMPLE_POLICIES_DIR", samples)
            .WithSetting("REDIS_KEY_PREFIX", deployment);
        await apiA.InitializeAsync();
        await apiB.InitializeAsync();
        // Unique per run, so an earlier run's entry in the shared Redis cannot make instance A's first call a hit.
        var question = $"Which gifts need pre-clearance? (run zq{Guid.NewGuid():N})";

        using (var client = apiA.CreateServiceClient())
        {
            (await client.PostAsJsonAsync("/api/v1/search", new SearchRequest(question), Token)).EnsureSuccessStatusCode();
        }
        using (var client = apiB.CreateServiceClient())
        {
            (await client.PostAsJsonAsync("/api/v1/search", new SearchRequest(question), Token)).EnsureSuccessStatusCode();
        }

        var modelA = await EmbeddingHealthAsync(apiA);
        var modelB = await EmbeddingHealthAsync(apiB);
        Assert.True(modelB.GetProperty("question_cache_shared").GetBoolean());
        Assert.Equal(0, modelA.GetProperty("question_cache_shared_hits").GetInt64());
        Assert.Equal(1, modelB.GetProperty("question_cache_shared_hits").GetInt64());
    }

    private static async Task<JsonElement> EmbeddingHealthAsync(ComplianceApiFactory api)
    {
        using var admin = api.CreateAdminClient();
        var health = JsonDocument.Parse(await admin.GetStringAsync("/health/detailed", Token)).RootElement;
        return health.GetProperty("dependencies").GetProperty("embedding_model").GetProperty("data").Clone();
    }

    /// <summary>A stand-in model that counts its calls and returns a vector derived from the text.</summary>
    private sealed class CountingEmbedder : ITextEmbedder
    {
        public const int Size = 8;
        private int _calls;

        public int Calls => _calls;

        public int Dimensions => Size;

        public string ModelName => "counting";

        public Task<float[]> EmbedQueryAsync(string text, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _calls);
            var seed = text.Aggregate(17, (h, c) => h * 31 + c);
            var random = new Random(seed);
            return Task.FromResult(Enumerable.Range(0, Size).Select(_ => (float)random.NextDouble()).ToArray());
        }

        public Task<float[][]> EmbedPassagesAsync(IReadOnlyList<string> texts, CancellationToken cancellationToken) =>
            Task.WhenAll(texts.Select(t => EmbedQueryAsync(t, cancellationToken)));
    }
}
