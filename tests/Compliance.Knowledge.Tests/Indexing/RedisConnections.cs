using StackExchange.Redis;

namespace Compliance.Knowledge.Tests.Indexing;

/// <summary>Connects StackExchange.Redis to a <c>redis://[user:password@]host:port[/db]</c> URL.</summary>
internal static class RedisConnections
{
    public static async Task<ConnectionMultiplexer> ConnectAsync(string url)
    {
        var uri = new Uri(url);
        // RESP2, as the API pins it (RedisUrl): NRedisStack's FT.* replies and MODULE LIST are read in their RESP2 shapes.
        var configuration = new ConfigurationOptions { AbortOnConnectFail = true, ConnectTimeout = 5000, SyncTimeout = 10000, Protocol = RedisProtocol.Resp2 };
        configuration.EndPoints.Add(uri.Host, uri.Port > 0 ? uri.Port : 6379);
        if (uri.UserInfo.Split(':', 2) is [_, var password] && password.Length > 0)
        {
            configuration.Password = Uri.UnescapeDataString(password);
        }
        configuration.Ssl = uri.Scheme == "rediss";
        if (int.TryParse(uri.AbsolutePath.Trim('/'), out var database))
        {
            configuration.DefaultDatabase = database;
        }
        return await ConnectionMultiplexer.ConnectAsync(configuration);
    }
}
