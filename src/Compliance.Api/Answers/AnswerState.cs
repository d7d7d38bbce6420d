using System.Collections.Concurrent;
using System.Text.Json;
using Compliance.Api.Redis;
using Compliance.Contracts.Questions;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Compliance.Api.Answers;

/// <summary>
/// State shared by every API instance when Redis is configured (in-process otherwise): conversation turns for
/// follow-ups and cached answers. Redis trouble never fails a question:
/// it is logged and treated as a cache miss or an empty history.
/// </summary>
public sealed class AnswerState(RedisConnection redis, IMemoryCache memory, IOptions<AnswerOptions> options, ILogger<AnswerState> logger)
{
    private const string Prefix = "compliance:";
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private static readonly TimeSpan ConversationLifetime = TimeSpan.FromHours(24);

    private readonly ConcurrentDictionary<string, List<ConversationTurn>> _localConversations = new(StringComparer.Ordinal);

    public async Task<IReadOnlyList<ConversationTurn>> GetTurnsAsync(string? conversationId)
    {
        if (string.IsNullOrEmpty(conversationId))
        {
            return [];
        }
        if (!redis.IsConfigured)
        {
            return _localConversations.TryGetValue(conversationId, out var turns) ? Snapshot(turns) : [];
        }
        return await Guarded(async db =>
        {
            var values = await db.ListRangeAsync(Prefix + "conv:" + conversationId);
            return (IReadOnlyList<ConversationTurn>)values.Select(v => JsonSerializer.Deserialize<ConversationTurn>((string)v!, Json)!).ToList();
        }, []);
    }

    public async Task AppendTurnAsync(string? conversationId, ConversationTurn turn)
    {
        if (string.IsNullOrEmpty(conversationId))
        {
            return;
        }
        var keep = options.Value.ConversationTurns;
        if (!redis.IsConfigured)
        {
            var turns = _localConversations.GetOrAdd(conversationId, _ => []);
            lock (turns)
            {
                turns.Add(turn);
                if (turns.Count > keep)
                {
                    turns.RemoveRange(0, turns.Count - keep);
                }
            }
            return;
        }
        await Guarded(async db =>
        {
            var key = Prefix + "conv:" + conversationId;
            await db.ListRightPushAsync(key, JsonSerializer.Serialize(turn, Json));
            await db.ListTrimAsync(key, -keep, -1);
            await db.KeyExpireAsync(key, ConversationLifetime);
            return true;
        }, false);
    }

    /// <summary>Forgets a conversation; returns how many turns it had.</summary>
    public async Task<int> ResetAsync(string conversationId)
    {
        if (!redis.IsConfigured)
        {
            return _localConversations.TryRemove(conversationId, out var turns) ? turns.Count : 0;
        }
        return await Guarded(async db =>
        {
            var key = Prefix + "conv:" + conversationId;
            var count = (int)await db.ListLengthAsync(key);
            await db.KeyDeleteAsync(key);
            return count;
        }, 0);
    }

    public async Task<QueryResponse?> GetCachedAsync(string key)
    {
        if (!redis.IsConfigured)
        {
            return memory.TryGetValue(Prefix + key, out QueryResponse? cached) ? cached : null;
        }
        return await Guarded(async db =>
        {
            var value = await db.StringGetAsync(Prefix + "answer:" + key);
            return value.IsNull ? null : JsonSerializer.Deserialize<QueryResponse>((string)value!, Json);
        }, null);
    }

    public async Task SetCachedAsync(string key, QueryResponse response)
    {
        var lifetime = TimeSpan.FromMinutes(options.Value.AnswerCacheMinutes);
        if (lifetime <= TimeSpan.Zero)
        {
            return;
        }
        if (!redis.IsConfigured)
        {
            memory.Set(Prefix + key, response, new MemoryCacheEntryOptions { AbsoluteExpirationRelativeToNow = lifetime, Size = 1 });
            return;
        }
        await Guarded(async db => await db.StringSetAsync(Prefix + "answer:" + key, JsonSerializer.Serialize(response, Json), lifetime), false);
    }

    private async Task<T> Guarded<T>(Func<IDatabase, Task<T>> action, T fallback)
    {
        try
        {
            var multiplexer = await redis.GetAsync();
            return await action(multiplexer.GetDatabase());
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            logger.LogWarning("Redis unavailable for answer state ({Reason}); continuing without it", ex.Message);
            return fallback;
        }
    }

    private static List<ConversationTurn> Snapshot(List<ConversationTurn> turns)
    {
        lock (turns)
        {
            return [.. turns];
        }
    }
}
