using Compliance.Knowledge.Embeddings;
using Microsoft.Extensions.Options;

namespace Compliance.Api.Configuration;

/// <summary>
/// Start-up validation for the options still kept in Configuration/ (database, Redis, LLM, retrieval); hosting,
/// security, hardening, audit and rate limits validate beside their feature the same way. Each failure names the
/// variable; values are never echoed when they may be secret.
/// </summary>
internal sealed class ApiOptionsValidation :
    IValidateOptions<DatabaseOptions>,
    IValidateOptions<RedisOptions>,
    IValidateOptions<LlmOptions>,
    IValidateOptions<RetrievalOptions>
{
    public ValidateOptionsResult Validate(string? name, DatabaseOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.Url))
        {
            return ValidateOptionsResult.Fail(
                "DATABASE_URL is not set; expected postgres://user:password@host:port/database (./run.sh sets one up locally).");
        }
        try
        {
            _ = DatabaseUrl.ToNpgsqlConnectionString(options.Url);
            return ValidateOptionsResult.Success;
        }
        catch (FormatException ex)
        {
            return ValidateOptionsResult.Fail($"DATABASE_URL {ex.Message}");
        }
    }

    public ValidateOptionsResult Validate(string? name, RedisOptions options)
    {
        var failures = new List<string>();
        Check("REDIS_URL", options.Url, failures);
        Check("REDIS_VECTOR_URL", options.VectorUrl, failures);
        if (string.IsNullOrWhiteSpace(options.KeyPrefix) || options.KeyPrefix.Length > 64
            || options.KeyPrefix.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')))
        {
            // Also an FT.CREATE index name and part of a {hash tag}: letters, digits, '-', '_' and '.' only.
            failures.Add($"REDIS_KEY_PREFIX is '{options.KeyPrefix}'; expected 1-64 letters, digits, '-', '_' or '.'.");
        }
        else if (options.KeyPrefix == "chunk")
        {
            // Its chunk keys (chunk:chunk:…) would fall under the default deployment's RediSearch index (chunk:…).
            failures.Add("REDIS_KEY_PREFIX 'chunk' is reserved: the default deployment's index covers keys starting 'chunk:'.");
        }
        return Result(failures);

        static void Check(string variable, string? value, List<string> failures)
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                return;
            }
            try
            {
                _ = RedisUrl.Parse(value);
            }
            catch (FormatException ex)
            {
                failures.Add($"{variable} {ex.Message}");
            }
        }
    }

    public ValidateOptionsResult Validate(string? name, LlmOptions options)
    {
        var failures = new List<string>();
        if (!Uri.TryCreate(options.BaseUrl, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            failures.Add($"XAI_BASE_URL is '{options.BaseUrl}'; expected an http(s) URL such as https://api.x.ai/v1.");
        }
        if (string.IsNullOrWhiteSpace(options.Model))
        {
            failures.Add("GROK_MODEL is empty; expected a model name such as grok-4-latest.");
        }
        if (options.Temperature is < 0 or > 2 || double.IsNaN(options.Temperature))
        {
            failures.Add($"GROK_TEMP is {options.Temperature}; expected a number from 0 to 2.");
        }
        if (options.TimeoutSeconds is <= 0 or > 300 || double.IsNaN(options.TimeoutSeconds))
        {
            failures.Add($"GROK_TIMEOUT is {options.TimeoutSeconds}; expected seconds between 0 and 300.");
        }
        if (options.FirstTokenTimeoutSeconds <= 0 || options.FirstTokenTimeoutSeconds > options.TimeoutSeconds || double.IsNaN(options.FirstTokenTimeoutSeconds))
        {
            failures.Add($"GROK_FIRST_TOKEN_TIMEOUT is {options.FirstTokenTimeoutSeconds}; expected seconds above 0 and at most GROK_TIMEOUT ({options.TimeoutSeconds}).");
        }
        if (options.MaxRetries is < 0 or > 10)
        {
            failures.Add($"GROK_MAX_RETRIES is {options.MaxRetries}; expected 0-10.");
        }
        if (options.RetryBaseDelaySeconds is < 0 or > 60 || double.IsNaN(options.RetryBaseDelaySeconds))
        {
            failures.Add($"GROK_RETRY_BASE_DELAY is {options.RetryBaseDelaySeconds}; expected seconds from 0 to 60.");
        }
        if (options.RetryMaxDelaySeconds < options.RetryBaseDelaySeconds || options.RetryMaxDelaySeconds > 300 || double.IsNaN(options.RetryMaxDelaySeconds))
        {
            failures.Add($"GROK_RETRY_MAX_DELAY is {options.RetryMaxDelaySeconds}; expected seconds from GROK_RETRY_BASE_DELAY ({options.RetryBaseDelaySeconds}) to 300.");
        }
        if (options.BreakerFailureThreshold is < 2 or > 100)
        {
            failures.Add($"GROK_BREAKER_FAILURES is {options.BreakerFailureThreshold}; expected 2-100.");
        }
        if (options.BreakerBreakSeconds is < 0.5 or > 3600 || double.IsNaN(options.BreakerBreakSeconds))
        {
            failures.Add($"GROK_BREAKER_BREAK is {options.BreakerBreakSeconds}; expected seconds from 0.5 to 3600.");
        }
        return Result(failures);
    }

    public ValidateOptionsResult Validate(string? name, RetrievalOptions options)
    {
        var failures = new List<string>();
        if (options.Dimensions is < 1 or > 4096)
        {
            failures.Add($"EMBED_DIM is {options.Dimensions}; expected the model's embedding size (384 for gte-small).");
        }
        if (options.ChunkSize is < 32 or > 512)
        {
            failures.Add($"CHUNK_SIZE is {options.ChunkSize}; expected 32-512 tokens (the model reads at most 512).");
        }
        if (options.ChunkOverlap < 0 || options.ChunkOverlap >= options.ChunkSize / 2)
        {
            failures.Add($"CHUNK_OVERLAP is {options.ChunkOverlap}; expected 0 to less than half of CHUNK_SIZE.");
        }
        if (options.TopK is < 1 or > 20)
        {
            failures.Add($"TOP_K_RAG is {options.TopK}; expected 1-20.");
        }
        if (options.EmbedThreads is < 0 or > 64)
        {
            failures.Add($"EMBED_THREADS is {options.EmbedThreads}; expected 0 (ONNX Runtime's choice) to 64.");
        }
        if (options.EmbedBatchTokens is < EmbeddingOptions.MaxSequenceLength or > 1_048_576)
        {
            failures.Add($"EMBED_BATCH_TOKENS is {options.EmbedBatchTokens}; expected {EmbeddingOptions.MaxSequenceLength} (one longest input) to 1048576.");
        }
        if (options.UploadMaxBytes is < 1024 or > 512L * 1024 * 1024)
        {
            failures.Add($"UPLOAD_MAX_BYTES is {options.UploadMaxBytes}; expected 1 KB to 512 MB.");
        }
        if (!string.IsNullOrWhiteSpace(options.SamplePoliciesDirectory) && !Directory.Exists(options.SamplePoliciesDirectory))
        {
            failures.Add($"SAMPLE_POLICIES_DIR is '{options.SamplePoliciesDirectory}', which is not a directory.");
        }
        if (options.IndexBackend is { Length: > 0 } backend && backend is not ("embedded" or "redisearch"))
        {
            failures.Add($"INDEX_BACKEND is '{backend}'; expected embedded or redisearch.");
        }
        return Result(failures);
    }

    private static ValidateOptionsResult Result(List<string> failures) =>
        failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
}
