using System.Globalization;
using Compliance.Knowledge.Indexing;
using Compliance.Knowledge.Indexing.Embedded;
using Compliance.Knowledge.Indexing.RediSearch;
using StackExchange.Redis;

namespace Compliance.Evaluation.Running;

/// <summary>
/// The index an evaluation runs through: the embedded index (a file, deleted by the caller when temporary), or, with
/// a Redis URL, a fresh RediSearch index under a run-specific name that is dropped with its chunks afterwards.
/// </summary>
public sealed class EvaluationBackend : IAsyncDisposable
{
    private readonly ConnectionMultiplexer? _redis;

    private EvaluationBackend(IKnowledgeIndex index, ConnectionMultiplexer? redis)
    {
        Index = index;
        _redis = redis;
    }

    public IKnowledgeIndex Index { get; }

    public static async Task<EvaluationBackend> OpenAsync(string? redisUrl, string indexPath, double? frequentTermShare = null, bool rescoreWithEmbeddedBm25 = true)
    {
        if (redisUrl is null)
        {
            return new EvaluationBackend(new SqliteKnowledgeIndex(new EmbeddedIndexOptions { Path = indexPath }), null);
        }
        var redis = await ConnectionMultiplexer.ConnectAsync(Configuration(redisUrl));
        var run = Guid.NewGuid().ToString("N")[..8];
        return new EvaluationBackend(
            new RediSearchKnowledgeIndex(redis.GetDatabase(), new RediSearchIndexOptions
            {
                IndexName = "eval-" + run,
                KeyPrefix = $"eval-chunk-{run}:",
                FrequentTermShare = frequentTermShare ?? new RediSearchIndexOptions().FrequentTermShare,
                RescoreWithEmbeddedBm25 = rescoreWithEmbeddedBm25,
            }),
            redis);
    }

    /// <summary>The Redis server's version (INFO server), for the report; null for the embedded index.</summary>
    public async Task<string?> ServerVersionAsync()
    {
        if (_redis is null)
        {
            return null;
        }
        var info = await _redis.GetServer(_redis.GetEndPoints()[0]).InfoAsync("server");
        return info.SelectMany(group => group).FirstOrDefault(pair => pair.Key == "redis_version").Value;
    }

    public async ValueTask DisposeAsync()
    {
        if (Index is RediSearchKnowledgeIndex rediSearch)
        {
            await rediSearch.DropAsync();
        }
        (Index as IDisposable)?.Dispose();
        if (_redis is not null)
        {
            await _redis.DisposeAsync();
        }
    }

    /// <summary>redis://host:port of a local server (no credentials on a command line); RESP2 as the API pins it.</summary>
    private static ConfigurationOptions Configuration(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("redis" or "rediss"))
        {
            throw new EvaluationSetupException($"--redis-url '{url}' is not a redis://HOST:PORT URL.");
        }
        var options = ConfigurationOptions.Parse(string.Create(CultureInfo.InvariantCulture, $"{uri.Host}:{(uri.Port > 0 ? uri.Port : 6379)}"));
        options.Ssl = uri.Scheme == "rediss";
        options.Protocol = RedisProtocol.Resp2;
        options.AllowAdmin = true;
        options.SyncTimeout = 60_000;
        options.AsyncTimeout = 60_000;
        return options;
    }
}
