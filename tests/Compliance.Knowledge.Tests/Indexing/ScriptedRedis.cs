using System.Reflection;
using StackExchange.Redis;

namespace Compliance.Knowledge.Tests.Indexing;

/// <summary>
/// A Redis database that answers each command with a reply given by the test, in the RESP2 shapes RediSearch sends
/// (quoted in redisearch.md). It records what was sent, and refuses any call it was not scripted for, so a test
/// drives NRedisStack's real reply parsing through the index without a RediSearch server.
/// </summary>
#pragma warning disable CA1852 // DispatchProxy generates a subtype at run time; it must not be sealed.
internal class ScriptedRedis : DispatchProxy
#pragma warning restore CA1852
{
    private readonly Dictionary<string, Queue<RedisResult>> _replies = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Every command sent, with its arguments, in order (the client's own CLIENT SETINFO excluded).</summary>
    public List<(string Command, object[] Arguments)> Sent { get; } = [];

    /// <summary>Keys the caller deleted (DEL always succeeds here).</summary>
    public List<RedisKey> Deleted { get; } = [];

    public static (IDatabase Database, ScriptedRedis Script) Create()
    {
        var database = Create<IDatabase, ScriptedRedis>();
        return (database, (ScriptedRedis)(object)database);
    }

    /// <summary>The next <paramref name="command"/> gets <paramref name="reply"/>.</summary>
    public ScriptedRedis Reply(string command, RedisResult reply)
    {
        if (!_replies.TryGetValue(command, out var queue))
        {
            _replies[command] = queue = new Queue<RedisResult>();
        }
        queue.Enqueue(reply);
        return this;
    }

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        switch (targetMethod.Name)
        {
            case nameof(IDatabaseAsync.ExecuteAsync) when args is [string command, ICollection<object> arguments, ..]:
                if (command.Equals("CLIENT", StringComparison.OrdinalIgnoreCase))
                {
                    return Task.FromResult(RedisResult.Create((RedisValue)"OK"));
                }
                Sent.Add((command, [.. arguments]));
                return _replies.TryGetValue(command, out var queue) && queue.Count > 0
                    ? Task.FromResult(queue.Dequeue())
                    : throw new InvalidOperationException($"No reply scripted for {command} {string.Join(' ', arguments)}.");
            case nameof(IDatabaseAsync.HashGetAsync) when args is [RedisKey, RedisValue, ..]:
                // The index's own metadata hash: absent, so the dimension comes from FT.INFO.
                return Task.FromResult(RedisValue.Null);
            case nameof(IDatabaseAsync.KeyDeleteAsync) when args is [RedisKey[] keys, ..]:
                Deleted.AddRange(keys);
                return Task.FromResult((long)keys.Length);
            default:
                throw new NotSupportedException($"ScriptedRedis has no script for {targetMethod.Name}.");
        }
    }
}
