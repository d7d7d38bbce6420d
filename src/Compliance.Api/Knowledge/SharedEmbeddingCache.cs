using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using Compliance.Knowledge.Embeddings;
using Microsoft.Extensions.Caching.Distributed;
using StackExchange.Redis;

namespace Compliance.Api.Knowledge;

/// <summary>
/// Question embeddings shared by every API instance through the distributed cache (Redis): the same policy question
/// asked of any instance is embedded once. Keys hold a hash of the model's identity and of the text, never the text
/// itself (questions may carry personal details); values are the raw little-endian float32 vector. Redis trouble
/// never fails a search: the model answers and the problem is logged without the question. Passages (documents)
/// pass through.
/// </summary>
public sealed class SharedEmbeddingCache(
    ITextEmbedder inner, IDistributedCache cache, string modelFingerprint, TimeSpan lifetime, ILogger<SharedEmbeddingCache> logger)
    : ITextEmbedder, IDisposable
{
    /// <summary>Key prefix under the cache's own (<c>compliance:</c> in Redis).</summary>
    public const string Prefix = "emb:";

    // A question must not wait on a slow Redis longer than the model would take to embed it.
    private static readonly TimeSpan RedisBudget = TimeSpan.FromMilliseconds(250);

    private long _hits;
    private long _misses;
    private long _errors;

    public int Dimensions => inner.Dimensions;

    public string ModelName => inner.ModelName;

    /// <summary>Embeddings served from Redis (computed by this or another instance).</summary>
    public long Hits => Interlocked.Read(ref _hits);

    /// <summary>Embeddings the model had to compute.</summary>
    public long Misses => Interlocked.Read(ref _misses);

    /// <summary>Redis calls that failed or timed out (the model answered instead).</summary>
    public long Errors => Interlocked.Read(ref _errors);

    public async Task<float[]> EmbedQueryAsync(string query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var text = query;
        var key = KeyFor(text);
        try
        {
            var stored = await cache.GetAsync(key, cancellationToken).WaitAsync(RedisBudget, cancellationToken);
            // A value of another length is from a different model build under the same identity: ignore it.
            if (stored is not null && stored.Length == Dimensions * sizeof(float))
            {
                Interlocked.Increment(ref _hits);
                return MemoryMarshal.Cast<byte, float>(stored).ToArray();
            }
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            Failed("read", ex);
        }

        Interlocked.Increment(ref _misses);
        var vector = await inner.EmbedQueryAsync(text, cancellationToken);
        try
        {
            var bytes = MemoryMarshal.AsBytes(vector.AsSpan()).ToArray();
            await cache.SetAsync(key, bytes, new DistributedCacheEntryOptions { AbsoluteExpirationRelativeToNow = lifetime }, cancellationToken)
                .WaitAsync(RedisBudget, cancellationToken);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            Failed("write", ex);
        }
        return vector;
    }

    public Task<float[][]> EmbedPassagesAsync(IReadOnlyList<string> passages, CancellationToken cancellationToken) =>
        inner.EmbedPassagesAsync(passages, cancellationToken);

    public void Dispose() => (inner as IDisposable)?.Dispose();

    /// <summary>
    /// A model's identity for cache keys: its name, dimensions, recipe (a query prefix changes every query vector),
    /// file size and hashes of the file's first and last 64 KiB — cheap at start (no hashing of 130 MB), equal on
    /// every instance that has the same file and recipe, different for another model, quantisation or recipe.
    /// </summary>
    public static string FingerprintOf(string modelPath, string modelName, int dimensions, string recipe)
    {
        const int Window = 64 * 1024;
        using var file = File.OpenRead(modelPath);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes($"{modelName}\n{dimensions}\n{file.Length}\n"));
        hash.AppendData(Encoding.UTF8.GetBytes(recipe + "\n"));
        var buffer = new byte[Window];
        hash.AppendData(buffer, 0, file.Read(buffer, 0, Window));
        if (file.Length > Window)
        {
            file.Seek(-Math.Min(Window, file.Length - Window), SeekOrigin.End);
            hash.AppendData(buffer, 0, file.Read(buffer, 0, Window));
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset())[..16];
    }

    private string KeyFor(string text) =>
        Prefix + modelFingerprint + ":" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    private void Failed(string operation, Exception ex)
    {
        Interlocked.Increment(ref _errors);
        logger.LogWarning("Shared embedding cache {Operation} failed; the model embeds instead ({Reason})", operation, ex.GetType().Name);
    }
}
