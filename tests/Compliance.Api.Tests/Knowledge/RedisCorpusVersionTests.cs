using Compliance.Api.Knowledge;
using Compliance.Api.Redis;
using Compliance.Testing.Servers;
using Compliance.Api.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Compliance.Api.Tests.Knowledge;

/// <summary>
/// The corpus version keys the answer cache: a change of documents must reach every instance's cache keys, and
/// reading it must not cost a Redis round trip per question.
/// </summary>
public sealed class RedisCorpusVersionTests : IAsyncLifetime
{
    private readonly ManualClock _clock = new();
    private ConnectionMultiplexer _redis = null!;

    // A deployment of its own on the shared test Redis, as REDIS_KEY_PREFIX gives each.
    private readonly IOptions<RedisOptions> _deployment = Deployment();

    public async ValueTask InitializeAsync()
    {
        _redis = RedisConnection.Open(await TestServers.RedisUrlAsync());
        await _redis.GetDatabase().StringIncrementAsync(_deployment.Value.KeyPrefix + ":corpus-version");
    }

    private static IOptions<RedisOptions> Deployment() =>
        Options.Create(new RedisOptions { KeyPrefix = "test-" + Guid.NewGuid().ToString("N")[..12] });

    public ValueTask DisposeAsync()
    {
        _redis.Dispose();
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task An_instance_sees_its_own_change_at_once()
    {
        var instance = new RedisCorpusVersion(_redis, _deployment, _clock, NullLogger<RedisCorpusVersion>.Instance);
        var before = await instance.GetAsync();

        await instance.BumpAsync();

        Assert.True(await instance.GetAsync() > before);
    }

    [Fact]
    public async Task A_deployment_with_another_REDIS_KEY_PREFIX_never_sees_this_ones_changes()
    {
        var other = Deployment();
        var here = new RedisCorpusVersion(_redis, _deployment, _clock, NullLogger<RedisCorpusVersion>.Instance);
        var elsewhere = new RedisCorpusVersion(_redis, other, _clock, NullLogger<RedisCorpusVersion>.Instance);
        var before = await elsewhere.GetAsync();

        await here.BumpAsync();
        await here.BumpAsync();
        _clock.Advance(RedisCorpusVersion.ReadLifetime);

        Assert.Equal(before, await elsewhere.GetAsync());
        Assert.False(await _redis.GetDatabase().KeyExistsAsync(other.Value.KeyPrefix + ":corpus-version"));
    }

    [Fact]
    public async Task Another_instance_sees_the_change_once_its_read_has_aged_a_second()
    {
        var asker = new RedisCorpusVersion(_redis, _deployment, _clock, NullLogger<RedisCorpusVersion>.Instance);
        var uploader = new RedisCorpusVersion(_redis, _deployment, _clock, NullLogger<RedisCorpusVersion>.Instance);
        var before = await asker.GetAsync();

        await uploader.BumpAsync();
        var withinTheSecond = await asker.GetAsync();
        _clock.Advance(RedisCorpusVersion.ReadLifetime);
        var after = await asker.GetAsync();

        Assert.Equal(before, withinTheSecond);
        Assert.True(after > before, $"after {after}, before {before}");
    }

    [Fact]
    public async Task Questions_within_the_second_read_the_version_from_memory_not_from_Redis()
    {
        var instance = new RedisCorpusVersion(_redis, _deployment, _clock, NullLogger<RedisCorpusVersion>.Instance);
        var options = Compliance.Api.Configuration.RedisUrl.Parse(await TestServers.RedisUrlAsync());
        options.AllowAdmin = true; // INFO, to count the server's GETs
        using var admin = await ConnectionMultiplexer.ConnectAsync(options);
        var server = admin.GetServer(admin.GetEndPoints()[0]);
        await instance.GetAsync();

        var getsBefore = GetCalls(await server.InfoAsync("commandstats"));
        for (var question = 0; question < 50; question++)
        {
            await instance.GetAsync();
        }
        var getsAfter = GetCalls(await server.InfoAsync("commandstats"));

        // Other tests share this Redis and may GET meanwhile; 50 questions would have made at least 50.
        Assert.True(getsAfter - getsBefore < 50, $"{getsAfter - getsBefore} GETs for 50 questions");
    }

    private static long GetCalls(IGrouping<string, KeyValuePair<string, string>>[] info) =>
        info.SelectMany(group => group)
            .Where(pair => pair.Key == "cmdstat_get")
            .Select(pair => long.Parse(pair.Value.Split(',')[0]["calls=".Length..], System.Globalization.CultureInfo.InvariantCulture))
            .DefaultIfEmpty(0)
            .Single();

    private sealed class ManualClock : TimeProvider
    {
        private long _ticks = 1_000_000;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => Interlocked.Read(ref _ticks);

        public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
    }
}
