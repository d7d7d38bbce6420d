using StackExchange.Redis;

namespace Compliance.Knowledge.Indexing.RediSearch;

/// <summary>
/// A Redis reply as a plain tree (scalar text or array), so reply parsing can be tested with replies built by hand:
/// StackExchange.Redis 1.2.6 has no public way to build an array <see cref="RedisResult"/>.
/// </summary>
public sealed class RedisReply
{
    private static readonly Type ScalarResultType = RedisResult.Create(RedisValue.Null).GetType();

    private RedisReply(string? text, IReadOnlyList<RedisReply>? items)
    {
        Text = text;
        Items = items;
    }

    /// <summary>The scalar's text (integers as digits); null for a nil reply or an array.</summary>
    public string? Text { get; }

    /// <summary>The array's elements; null for a scalar.</summary>
    public IReadOnlyList<RedisReply>? Items { get; }

    public bool IsArray => Items is not null;

    public static RedisReply Scalar(string? text) => new(text, null);

    public static RedisReply Array(params RedisReply[] items) => new(null, items);

    /// <summary>Converts a reply; an error reply throws <see cref="RedisServerException"/> as the client would.</summary>
    public static RedisReply From(RedisResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (result.GetType() == ScalarResultType)
        {
            return Scalar(result.IsNull ? null : (string?)result);
        }
        // Not a scalar: an array, or an error reply whose cast throws the server's message.
        var items = (RedisResult[])result!;
        return items is null ? Scalar(null) : new RedisReply(null, items.Select(From).ToArray());
    }

    public override string ToString() => IsArray ? $"[{string.Join(", ", Items!)}]" : Text ?? "(nil)";
}
