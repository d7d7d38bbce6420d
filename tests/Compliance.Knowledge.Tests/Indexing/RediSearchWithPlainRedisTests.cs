using System.Runtime.InteropServices;
using Compliance.Knowledge.Indexing.RediSearch;
using Compliance.Testing.Servers;
using NRedisStack.RedisStackCommands;
using StackExchange.Redis;

namespace Compliance.Knowledge.Tests.Indexing;

/// <summary>
/// What can be proven against the real Redis the machine has (no Search module): the start-up failure names the
/// setting, binary vector arguments survive <c>ExecuteAsync</c> byte for byte, a real MODULE LIST reply is read, and
/// NRedisStack's FT commands surface the server's refusal as it is.
/// </summary>
public sealed class RediSearchWithPlainRedisTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_redis_without_the_search_module_fails_naming_the_setting()
    {
        using var connection = await RedisConnections.ConnectAsync(await TestServers.RedisUrlAsync());
        var index = new RediSearchKnowledgeIndex(connection.GetDatabase(), new RediSearchIndexOptions { IndexName = "no-module-" + Guid.NewGuid().ToString("N") });

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => index.EnsureCreatedAsync(384, Token));

        Assert.Contains("REDIS_VECTOR_URL", error.Message, StringComparison.Ordinal);
        Assert.Contains("no RediSearch module", error.Message, StringComparison.Ordinal);
        var notOpen = await Assert.ThrowsAsync<InvalidOperationException>(() => index.SearchTextAsync("x", new("1"), 5, Token));
        Assert.Contains("EnsureCreatedAsync", notOpen.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Vector_bytes_passed_to_execute_arrive_unchanged()
    {
        using var connection = await RedisConnections.ConnectAsync(await TestServers.RedisUrlAsync());
        var database = connection.GetDatabase();
        var key = "vector-roundtrip-" + Guid.NewGuid().ToString("N");
        // Values whose bytes include 0x00, 0x0A, 0x0D, 0x80+ and an invalid UTF-8 sequence: any text re-encoding breaks them.
        float[] vector = [0f, -0f, 1e-38f, float.MaxValue, -1.5f, 13.0f / 3, BitConverter.Int32BitsToSingle(0x0D0A00FF)];

        await database.ExecuteAsync("HSET", key, RediSearchFields.Vector, RediSearchFields.VectorBytes(vector));
        var stored = (byte[]?)await database.HashGetAsync(key, RediSearchFields.Vector);
        await database.KeyDeleteAsync(key);

        Assert.NotNull(stored);
        Assert.Equal(vector, MemoryMarshal.Cast<byte, float>(stored).ToArray());
    }

    [Fact]
    public async Task A_real_module_list_without_search_reads_as_none_and_ft_commands_are_refused_by_the_server()
    {
        using var connection = await RedisConnections.ConnectAsync(await TestServers.RedisUrlAsync());
        var database = connection.GetDatabase();

        var modules = await database.ExecuteAsync("MODULE", "LIST");

        Assert.Null(RediSearchReplies.SearchModule(modules));
        var error = await Assert.ThrowsAsync<RedisServerException>(() => database.FT().InfoAsync("x"));
        Assert.Contains("unknown command", error.Message, StringComparison.OrdinalIgnoreCase);
        Assert.False(RediSearchKnowledgeIndex.IsUnknownIndex(error.Message));
    }
}
