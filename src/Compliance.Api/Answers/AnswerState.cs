using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Compliance.Contracts.Questions;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Compliance.Api.Answers;

/// <summary>
/// Whose conversation a turn belongs to: the tenant (guild, or global in DMs), the Discord user, and the client's
/// conversation id. All three key the state, so another user (or the same id in another tenant) never sees or
/// continues someone else's conversation, even when the bot gives them the same conversation id (a shared thread).
/// </summary>
public sealed record ConversationKey(string Tenant, string UserId, string ConversationId)
{
    /// <summary>The key of <paramref name="request"/>'s conversation, or null when it names none.</summary>
    public static ConversationKey? Of(QueryRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return string.IsNullOrEmpty(request.ConversationId)
            ? null
            : new ConversationKey(request.GuildId ?? global::Compliance.Knowledge.Indexing.Tenants.Global, request.UserId, request.ConversationId);
    }

    /// <summary>
    /// The cache key: a hash of the three parts, so no separator inside a client's conversation id can make two
    /// keys collide, and Redis key names carry no user ids.
    /// </summary>
    internal string CacheKey => "conv:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{Tenant}\n{UserId}\n{ConversationId}")));
}

/// <summary>
/// Conversation turns for follow-ups and cached answers, in <see cref="IDistributedCache"/>: Redis shared by every
/// instance when <c>REDIS_URL</c> is set, memory otherwise (chosen once, in <c>AddRedisState</c>). Redis trouble
/// never fails a question: it is logged and treated as a cache miss or an empty history. Not cancelled with the
/// request: a turn is recorded even when the asker stopped reading.
/// </summary>
public sealed class AnswerState(IDistributedCache cache, IOptions<AnswerOptions> options, ILogger<AnswerState> logger)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private static readonly TimeSpan ConversationLifetime = TimeSpan.FromHours(24);

    public async Task<IReadOnlyList<ConversationTurn>> GetTurnsAsync(ConversationKey? conversation)
    {
        if (conversation is null)
        {
            return [];
        }
        return await Guarded<IReadOnlyList<ConversationTurn>>(async () => await ReadTurnsAsync(conversation) ?? [], []);
    }

    /// <summary>
    /// Adds a turn, keeping the last <c>CONVERSATION_TURNS</c>. Read-modify-write: two answers finishing at the same
    /// moment in one user's conversation can keep only one of the two turns, which costs a follow-up some context.
    /// </summary>
    public async Task AppendTurnAsync(ConversationKey? conversation, ConversationTurn turn)
    {
        if (conversation is null)
        {
            return;
        }
        var keep = options.Value.ConversationTurns;
        await Guarded(async () =>
        {
            var turns = (await ReadTurnsAsync(conversation) ?? []).Append(turn).TakeLast(keep).ToList();
            await cache.SetAsync(conversation.CacheKey, JsonSerializer.SerializeToUtf8Bytes(turns, Json),
                new DistributedCacheEntryOptions { AbsoluteExpirationRelativeToNow = ConversationLifetime });
            return true;
        }, false);
    }

    /// <summary>Forgets a conversation; returns how many turns it had.</summary>
    public async Task<int> ResetAsync(ConversationKey conversation)
    {
        ArgumentNullException.ThrowIfNull(conversation);
        return await Guarded(async () =>
        {
            var count = (await ReadTurnsAsync(conversation))?.Count ?? 0;
            await cache.RemoveAsync(conversation.CacheKey);
            return count;
        }, 0);
    }

    public async Task<QueryResponse?> GetCachedAsync(string key) =>
        await Guarded(async () => await cache.GetAsync("answer:" + key) is { } bytes
            ? JsonSerializer.Deserialize<QueryResponse>(bytes, Json)
            : null, null);

    public async Task SetCachedAsync(string key, QueryResponse response)
    {
        var lifetime = TimeSpan.FromMinutes(options.Value.AnswerCacheMinutes);
        if (lifetime <= TimeSpan.Zero)
        {
            return;
        }
        await Guarded(async () =>
        {
            await cache.SetAsync("answer:" + key, JsonSerializer.SerializeToUtf8Bytes(response, Json),
                new DistributedCacheEntryOptions { AbsoluteExpirationRelativeToNow = lifetime });
            return true;
        }, false);
    }

    private async Task<List<ConversationTurn>?> ReadTurnsAsync(ConversationKey conversation) =>
        await cache.GetAsync(conversation.CacheKey) is { } bytes
            ? JsonSerializer.Deserialize<List<ConversationTurn>>(bytes, Json)
            : null;

    private async Task<T> Guarded<T>(Func<Task<T>> action, T fallback)
    {
        try
        {
            return await action();
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            logger.LogWarning("Redis unavailable for answer state ({Reason}); continuing without it", ex.GetType().Name);
            return fallback;
        }
    }
}
