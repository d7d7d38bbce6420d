using Compliance.Api.Redis;
using Compliance.Api.Tests.Answers;
using Compliance.Testing.Servers;
using StackExchange.Redis;

namespace Compliance.Api.Tests.Redis;

/// <summary>
/// Two deployments (say staging and production) pointed at one Redis with their own <c>REDIS_KEY_PREFIX</c>: neither
/// may answer from the other's cache, see the other's corpus changes, or count against the other's limits.
/// </summary>
public sealed class SharedRedisDeploymentTests
{
    [Fact]
    public async Task Deployments_sharing_one_Redis_never_answer_from_each_others_cache()
    {
        var run = Guid.NewGuid().ToString("N")[..8];
        var (prefixA, prefixB) = ($"staging-{run}", $"production-{run}");
        await using var staging = new AnswersApi();
        await using var production = new AnswersApi();
        staging.WithSetting("REDIS_KEY_PREFIX", prefixA);
        production.WithSetting("REDIS_KEY_PREFIX", prefixB);
        await staging.InitializeAsync();
        await production.InitializeAsync();
        const string question = "Do I need pre-clearance before buying shares in a listed company?";

        var askedInStaging = await staging.AskAsync(question);
        var askedAgainInStaging = await staging.AskAsync(question);
        var askedInProduction = await production.AskAsync(question);

        Assert.False(askedInStaging.CacheHit);
        Assert.True(askedAgainInStaging.CacheHit);
        // Same question, same user, same Redis: only the prefix keeps production from staging's cached answer.
        Assert.False(askedInProduction.CacheHit);
        Assert.Single(production.Provider.Requests);

        using var redis = RedisConnection.Open(await TestServers.RedisUrlAsync());
        var server = redis.GetServers()[0];
        foreach (var prefix in new[] { prefixA, prefixB })
        {
            // The answer cache under "{prefix}:", the limit windows under "{prefix:rl}" (RATE_LIMIT_KEY_PREFIX's default).
            Assert.NotEmpty(await server.KeysAsync(pattern: prefix + ":*").ToListAsync(TestContext.Current.CancellationToken));
            Assert.NotEmpty(await server.KeysAsync(pattern: "{" + prefix + ":rl}*").ToListAsync(TestContext.Current.CancellationToken));
        }
    }
}
