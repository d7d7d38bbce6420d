using Compliance.Api.Redis;
using Compliance.Testing.Servers;

namespace Compliance.Api.Tests.Redis;

public sealed class RedisConnectionTests
{
    [Fact]
    public async Task The_API_connection_reads_and_writes_on_threads_of_its_own_not_the_thread_pool()
    {
        // Without the flag every Redis reply costs an extra thread-pool hop (docs/service-performance.md, "The SSE
        // gap"). A StackExchange.Redis update that drops the flag would silently bring that back: this notices.
        using var connection = RedisConnection.Open(await TestServers.RedisUrlAsync());
        await connection.GetDatabase().PingAsync();

        Assert.True(RedisConnection.DedicatedThreadsEnabled);
        Assert.Contains(ThreadNames(), name => name.StartsWith("SE.Redis Sync R", StringComparison.Ordinal));
        Assert.Contains(ThreadNames(), name => name.StartsWith("SE.Redis Sync W", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_connection_still_speaks_resp2_with_its_own_threads()
    {
        using var connection = RedisConnection.Open(await TestServers.RedisUrlAsync());
        var server = connection.GetServer(connection.GetEndPoints()[0]);

        Assert.Equal("PONG", (string?)await connection.GetDatabase().ExecuteAsync("PING"));
        Assert.Equal(StackExchange.Redis.RedisProtocol.Resp2, server.Protocol);
    }

    // The kernel's names of this process's threads (Linux, where the suite runs; .NET sets them from Thread.Name).
    private static List<string> ThreadNames() =>
        Directory.EnumerateDirectories("/proc/self/task")
            .Select(task => File.Exists(Path.Combine(task, "comm")) ? File.ReadAllText(Path.Combine(task, "comm")).Trim() : "")
            .ToList();
}
