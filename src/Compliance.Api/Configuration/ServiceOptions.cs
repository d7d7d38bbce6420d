using Compliance.Knowledge.Embeddings;
using Microsoft.Extensions.Configuration;

namespace Compliance.Api.Configuration;

/// <summary>The Postgres database holding users, the query log, feedback, documents and the audit trail.</summary>
public sealed class DatabaseOptions
{
    /// <summary><c>DATABASE_URL</c>: Heroku's <c>postgres://user:pass@host:port/db</c> or an Npgsql connection string. Required.</summary>
    [ConfigurationKeyName("DATABASE_URL")]
    public string? Url { get; set; }

    /// <summary>The Npgsql connection string <see cref="Url"/> parses to.</summary>
    public string ConnectionString => DatabaseUrl.ToNpgsqlConnectionString(Url ?? string.Empty);
}

/// <summary>Redis for shared rate limits and caches, and optionally a separate Redis with RediSearch for the index.</summary>
public sealed class RedisOptions
{
    /// <summary><c>REDIS_URL</c>: <c>redis://</c> or <c>rediss://</c>. Optional: without it limits and caches are in-process.</summary>
    [ConfigurationKeyName("REDIS_URL")]
    public string? Url { get; set; }

    /// <summary><c>REDIS_VECTOR_URL</c>: a Redis with RediSearch for the document index. Optional.</summary>
    [ConfigurationKeyName("REDIS_VECTOR_URL")]
    public string? VectorUrl { get; set; }

    /// <summary>
    /// <c>REDIS_KEY_PREFIX</c>: the start of every key this deployment writes (answer and conversation cache, shared
    /// query embeddings, the corpus version, rate-limit windows unless <c>RATE_LIMIT_KEY_PREFIX</c> says otherwise,
    /// and the RediSearch index), so several deployments can share one Redis. Default <c>compliance</c>.
    /// </summary>
    [ConfigurationKeyName("REDIS_KEY_PREFIX")]
    public string KeyPrefix { get; set; } = DefaultKeyPrefix;

    /// <summary>The prefix every deployment used before it could be chosen; its keys keep their old names.</summary>
    public const string DefaultKeyPrefix = "compliance";

    public bool IsConfigured => !string.IsNullOrWhiteSpace(Url);
}

/// <summary>The language model (Grok-4 through xAI's OpenAI-compatible API).</summary>
public sealed class LlmOptions
{
    /// <summary><c>XAI_API_KEY</c>: without it the API answers in retrieval-only mode (quoted passages, clearly labelled).</summary>
    [ConfigurationKeyName("XAI_API_KEY")]
    public string? ApiKey { get; set; }

    /// <summary><c>XAI_BASE_URL</c>: the OpenAI-compatible endpoint. Default <c>https://api.x.ai/v1</c>.</summary>
    [ConfigurationKeyName("XAI_BASE_URL")]
    public string BaseUrl { get; set; } = "https://api.x.ai/v1";

    /// <summary><c>GROK_MODEL</c>: default <c>grok-4-latest</c>.</summary>
    [ConfigurationKeyName("GROK_MODEL")]
    public string Model { get; set; } = "grok-4-latest";

    /// <summary><c>GROK_TEMP</c>: sampling temperature, 0 to 2. Low by default: answers should be sober and repeatable.</summary>
    [ConfigurationKeyName("GROK_TEMP")]
    public double Temperature { get; set; } = 0.1;

    /// <summary><c>GROK_TIMEOUT</c>: overall time allowed for one answer, in seconds. Default 28 (under Heroku's 30 s router limit).</summary>
    [ConfigurationKeyName("GROK_TIMEOUT")]
    public double TimeoutSeconds { get; set; } = 28;

    /// <summary>
    /// <c>GROK_FIRST_TOKEN_TIMEOUT</c>: seconds allowed, per attempt, until the first word of a streamed answer arrives.
    /// Default 10. A stalled attempt is abandoned and retried while the overall budget allows.
    /// </summary>
    [ConfigurationKeyName("GROK_FIRST_TOKEN_TIMEOUT")]
    public double FirstTokenTimeoutSeconds { get; set; } = 10;

    /// <summary><c>GROK_MAX_RETRIES</c>: retries after a rate limit, server error or network error, before any text arrived. Default 2.</summary>
    [ConfigurationKeyName("GROK_MAX_RETRIES")]
    public int MaxRetries { get; set; } = 2;

    /// <summary><c>GROK_RETRY_BASE_DELAY</c>: seconds before the first retry; doubles per retry, with jitter. Default 0.5.</summary>
    [ConfigurationKeyName("GROK_RETRY_BASE_DELAY")]
    public double RetryBaseDelaySeconds { get; set; } = 0.5;

    /// <summary>
    /// <c>GROK_RETRY_MAX_DELAY</c>: the longest wait before a retry, in seconds. Default 8. A provider asking (Retry-After)
    /// for a longer wait ends the call as rate limited instead of holding the user.
    /// </summary>
    [ConfigurationKeyName("GROK_RETRY_MAX_DELAY")]
    public double RetryMaxDelaySeconds { get; set; } = 8;

    /// <summary><c>GROK_BREAKER_FAILURES</c>: failed attempts in a row (within a minute) that open the circuit breaker. Default 5.</summary>
    [ConfigurationKeyName("GROK_BREAKER_FAILURES")]
    public int BreakerFailureThreshold { get; set; } = 5;

    /// <summary><c>GROK_BREAKER_BREAK</c>: seconds the open breaker fails calls at once before letting a trial call through. Default 30.</summary>
    [ConfigurationKeyName("GROK_BREAKER_BREAK")]
    public double BreakerBreakSeconds { get; set; } = 30;

    public bool IsConfigured => !string.IsNullOrWhiteSpace(ApiKey);
}

/// <summary>Retrieval and chunking settings.</summary>
public sealed class RetrievalOptions
{
    /// <summary>
    /// <c>EMBED_MODEL</c>: a directory with <c>model.onnx</c> (or <c>model_quantized.onnx</c>) and the tokenizer files.
    /// Default: the model the build bundles, <c>models/arctic-embed-xs</c> beside the API's assembly.
    /// </summary>
    [ConfigurationKeyName("EMBED_MODEL")]
    public string ModelDirectory { get; set; } = EmbeddingModel.BundledEmbeddingModel.DefaultDirectory;

    /// <summary><c>EMBED_DIM</c>: the embedding size the model must produce. Default 384 (gte-small).</summary>
    [ConfigurationKeyName("EMBED_DIM")]
    public int Dimensions { get; set; } = 384;

    /// <summary><c>CHUNK_SIZE</c>: target tokens per chunk. Default 512.</summary>
    [ConfigurationKeyName("CHUNK_SIZE")]
    public int ChunkSize { get; set; } = 512;

    /// <summary><c>CHUNK_OVERLAP</c>: tokens shared by neighbouring chunks. Default 50.</summary>
    [ConfigurationKeyName("CHUNK_OVERLAP")]
    public int ChunkOverlap { get; set; } = 50;

    /// <summary><c>TOP_K_RAG</c>: passages given to the model per question. Default 5.</summary>
    [ConfigurationKeyName("TOP_K_RAG")]
    public int TopK { get; set; } = 5;

    /// <summary><c>INDEX_BACKEND</c>: <c>embedded</c> (SQLite file) or <c>redisearch</c>. Default: redisearch when <c>REDIS_VECTOR_URL</c> is set, else embedded.</summary>
    [ConfigurationKeyName("INDEX_BACKEND")]
    public string? IndexBackend { get; set; }

    /// <summary><c>INDEX_PATH</c>: the embedded index file. Default <c>.local/index/compliance.db</c>.</summary>
    [ConfigurationKeyName("INDEX_PATH")]
    public string IndexPath { get; set; } = ".local/index/compliance.db";

    /// <summary>
    /// <c>EMBED_REQUIRED</c>: refuse to start without the embedding model. Default: true in production, false
    /// elsewhere (development then runs lexical-only with a loud warning).
    /// </summary>
    [ConfigurationKeyName("EMBED_REQUIRED")]
    public bool? EmbedRequired { get; set; }

    /// <summary><c>EMBED_THREADS</c>: ONNX Runtime intra-op threads; 0 lets it choose (one per core).</summary>
    [ConfigurationKeyName("EMBED_THREADS")]
    public int EmbedThreads { get; set; }

    /// <summary>
    /// <c>EMBED_SPINNING</c>: ONNX Runtime threads busy-wait inside a run (never after it). Default true, measured
    /// faster on a host of its own; false on a host whose cores other processes keep busy (docs/embeddings.md).
    /// </summary>
    [ConfigurationKeyName("EMBED_SPINNING")]
    public bool EmbedSpinning { get; set; } = true;

    /// <summary><c>EMBED_BATCH_TOKENS</c>: padded tokens per ONNX Runtime call when embedding chunks. Default 512, the measured best.</summary>
    [ConfigurationKeyName("EMBED_BATCH_TOKENS")]
    public int EmbedBatchTokens { get; set; } = EmbeddingOptions.DefaultMaxBatchTokens;

    /// <summary><c>SAMPLE_POLICIES_DIR</c>: Markdown policies loaded on first start when no document exists yet (./run.sh sets samples/policies).</summary>
    [ConfigurationKeyName("SAMPLE_POLICIES_DIR")]
    public string? SamplePoliciesDirectory { get; set; }

    /// <summary><c>UPLOAD_MAX_BYTES</c>: the largest document accepted. Default 25 MB.</summary>
    [ConfigurationKeyName("UPLOAD_MAX_BYTES")]
    public long UploadMaxBytes { get; set; } = 25L * 1024 * 1024;
}
