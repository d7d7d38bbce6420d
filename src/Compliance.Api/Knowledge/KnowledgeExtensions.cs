using Compliance.Api.Configuration;
using Compliance.Knowledge.Chunking;
using Compliance.Knowledge.Embeddings;
using Compliance.Knowledge.Indexing;
using Compliance.Knowledge.Indexing.Embedded;
using Compliance.Knowledge.Indexing.RediSearch;
using Compliance.Knowledge.Search;
using Compliance.ServiceDefaults.Configuration;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Compliance.Api.Knowledge;

public static class KnowledgeExtensions
{
    /// <summary>
    /// Retrieval: the embedding model (loaded at start; absent ⇒ lexical-only unless required), the index backend
    /// (embedded SQLite by default, RediSearch when configured), chunker and hybrid search. Documents come in
    /// through <c>AddDocuments</c>, which builds on this; the health checks that report on it live in Health.
    /// </summary>
    public static WebApplicationBuilder AddKnowledge(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(sp => BuildRuntime(sp));
        builder.Services.AddSingleton<CorpusVersion>(services => Redis.RedisRegistration.IsConfigured(services)
            ? ActivatorUtilities.CreateInstance<RedisCorpusVersion>(services)
            : new InProcessCorpusVersion());
        // First of all hosted services (inserted ahead of the migration check), so the model loads while it runs.
        builder.Services.Insert(0, ServiceDescriptor.Singleton<IHostedService, KnowledgePreload>());
        return builder;
    }

    private static KnowledgeRuntime BuildRuntime(IServiceProvider services)
    {
        var options = services.GetRequiredService<IOptions<RetrievalOptions>>().Value;
        var redis = services.GetRequiredService<IOptions<RedisOptions>>().Value;
        var environment = services.GetRequiredService<IHostEnvironment>();
        var loggers = services.GetRequiredService<ILoggerFactory>();

        var embeddingOptions = new EmbeddingOptions
        {
            ModelDirectory = options.ModelDirectory,
            Dimensions = options.Dimensions,
            IntraOpThreads = options.EmbedThreads,
            AllowSpinning = options.EmbedSpinning,
            MaxBatchTokens = options.EmbedBatchTokens,
        };
        var required = options.EmbedRequired ?? environment.IsProduction();
        ITextEmbedder? embedder;
        try
        {
            embedder = OnnxTextEmbedder.TryLoad(embeddingOptions, loggers.CreateLogger("Compliance.Knowledge.Embeddings"), required);
        }
        catch (EmbeddingModelException ex)
        {
            throw new StartupConfigurationException("EMBED_MODEL", "is not usable: " + ex.Message);
        }

        // Chunks are sized in the model's tokens; without a model, gte-small's bundled vocabulary counts them.
        var tokenizer = (embedder as OnnxTextEmbedder)?.Tokenizer ?? BundledTokenizers.GteSmall;
        var chunker = new DocumentChunker(tokenizer, new ChunkingOptions { ChunkSize = options.ChunkSize, ChunkOverlap = options.ChunkOverlap });

        var backend = options.IndexBackend is { Length: > 0 } configured ? configured
            : string.IsNullOrWhiteSpace(redis.VectorUrl) ? "embedded" : "redisearch";
        IKnowledgeIndex index;
        IDisposable? connection = null;
        if (backend == "redisearch")
        {
            var url = string.IsNullOrWhiteSpace(redis.VectorUrl) ? redis.Url : redis.VectorUrl;
            if (string.IsNullOrWhiteSpace(url))
            {
                throw new StartupConfigurationException("REDIS_VECTOR_URL", "(or REDIS_URL) is required when INDEX_BACKEND=redisearch.");
            }
            // Its own connection: the index's Redis (REDIS_VECTOR_URL) may be another server than the cache's.
            var multiplexer = Redis.RedisConnection.Open(url);
            connection = multiplexer;
            // A deployment with its own REDIS_KEY_PREFIX gets its own index and chunk keys; the default prefix keeps
            // the names indexes were created with before the prefix could be chosen.
            var ownPrefix = redis.KeyPrefix != RedisOptions.DefaultKeyPrefix;
            index = new RediSearchKnowledgeIndex(multiplexer.GetDatabase(), new RediSearchIndexOptions
            {
                ConnectionSettingName = string.IsNullOrWhiteSpace(redis.VectorUrl) ? "REDIS_URL" : "REDIS_VECTOR_URL",
                IndexName = ownPrefix ? redis.KeyPrefix + "-chunks" : new RediSearchIndexOptions().IndexName,
                KeyPrefix = ownPrefix ? redis.KeyPrefix + ":chunk:" : new RediSearchIndexOptions().KeyPrefix,
            });
        }
        else
        {
            index = new SqliteKnowledgeIndex(new EmbeddedIndexOptions { Path = Path.GetFullPath(options.IndexPath) });
        }

        // Questions repeat (the same policy question from many people): their embeddings are cached in process and,
        // with Redis, shared by every instance. Vectors of one model never change, so a week's lifetime only bounds
        // Redis memory; the key carries the model's fingerprint, so a new model never reads an old model's vectors.
        CachingTextEmbedder? queryEmbedder = null;
        if (embedder is not null)
        {
            ITextEmbedder shared = embedder;
            // Without Redis the distributed cache is this process's memory, which the in-process layer already is.
            if (redis.IsConfigured && embedder is OnnxTextEmbedder onnx)
            {
                var fingerprint = SharedEmbeddingCache.FingerprintOf(onnx.ModelPath, onnx.ModelName, onnx.Dimensions, onnx.Recipe.Describe());
                shared = new SharedEmbeddingCache(embedder, services.GetRequiredService<IDistributedCache>(), fingerprint, TimeSpan.FromDays(7), loggers.CreateLogger<SharedEmbeddingCache>());
            }
            queryEmbedder = new CachingTextEmbedder(shared);
        }
        var search = new HybridSearch(index, queryEmbedder, new HybridSearchOptions { TopK = options.TopK });
        return new KnowledgeRuntime(chunker, embedder, index, search, connection) { QueryEmbedder = queryEmbedder };
    }
}
