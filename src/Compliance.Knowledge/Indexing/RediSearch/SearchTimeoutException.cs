using StackExchange.Redis;

namespace Compliance.Knowledge.Indexing.RediSearch;

/// <summary>
/// A search passed its server-side <c>TIMEOUT</c> and RediSearch refused to answer (<c>ON_TIMEOUT FAIL</c>) rather
/// than return what it had found so far. A <see cref="RedisException"/>: the search backend is not able to answer
/// now, so the API answers it like any Redis outage (503 dependency-unavailable with <c>Retry-After</c>).
/// </summary>
public sealed class SearchTimeoutException : RedisException
{
    public SearchTimeoutException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    public SearchTimeoutException(string message)
        : base(message)
    {
    }

    public SearchTimeoutException()
        : base("A RediSearch query passed its timeout.")
    {
    }

    /// <summary>RediSearch's reply when a query passes its timeout under <c>ON_TIMEOUT FAIL</c> (2.6 and 2.8).</summary>
    public static bool IsTimeoutReply(RedisServerException error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return error.Message.Contains("Timeout limit was reached", StringComparison.OrdinalIgnoreCase);
    }
}
