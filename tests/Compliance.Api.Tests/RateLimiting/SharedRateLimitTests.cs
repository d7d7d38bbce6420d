using System.Net;
using System.Net.Http.Json;
using Compliance.Api.RateLimiting;
using Compliance.Api.Tests.Audit;
using Compliance.Api.Tests.Infrastructure;
using Compliance.Contracts.Feedback;
using Microsoft.EntityFrameworkCore;

namespace Compliance.Api.Tests.RateLimiting;

/// <summary>
/// The per-user and global limits are shared by every API instance through Redis (a Lua script, atomic), and fall
/// back to in-process counting without Redis. Ratings are the limited endpoint here; questions use the same filter.
/// </summary>
public sealed class SharedRateLimitTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Two_api_instances_on_one_redis_share_the_30_a_minute_limit_of_a_user()
    {
        var prefix = "shared-" + Guid.NewGuid().ToString("N")[..8];
        await using var first = new ComplianceApiFactory().WithSetting("RATE_LIMIT_KEY_PREFIX", prefix);
        await using var second = new ComplianceApiFactory().WithSetting("RATE_LIMIT_KEY_PREFIX", prefix);
        await first.InitializeAsync();
        await second.InitializeAsync();
        using var botA = first.CreateServiceClient();
        using var botB = second.CreateServiceClient();
        var user = AuditRecords.NewDiscordId();

        // 30 ratings alternate between the instances: each sees only 15, yet the 31st (on either) is refused.
        for (var i = 0; i < 30; i++)
        {
            var response = await RateAsync(i % 2 == 0 ? botA : botB, user);
            Assert.NotEqual(HttpStatusCode.TooManyRequests, response.StatusCode);
        }
        var refusedA = await RateAsync(botA, user);
        var refusedB = await RateAsync(botB, user);
        var otherUser = await RateAsync(botB, AuditRecords.NewDiscordId());

        Assert.Equal(HttpStatusCode.TooManyRequests, refusedA.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, refusedB.StatusCode);
        Assert.NotEqual(HttpStatusCode.TooManyRequests, otherUser.StatusCode);
        var retryAfter = int.Parse(refusedA.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(retryAfter, 1, 60);
        var problem = await refusedA.ReadJsonAsync();
        Assert.Equal(RateLimitProblems.Type, problem.GetProperty("type").GetString());
        Assert.Equal("user", problem.GetProperty("scope").GetString());
        Assert.Equal($"You have sent 30 ratings in the last minute, which is the limit. Please wait {retryAfter} seconds and try again.",
            problem.GetProperty("detail").GetString());
        await first.AllStoredAsync();
        Assert.Equal(1, await first.WithDbAsync(db => db.SystemAuditLogs.CountAsync(a => a.Action == "rate_limit.hit" && a.Actor == "discord:" + user, Ct)));
    }

    [Fact]
    public async Task The_global_limit_stops_everyone_once_reached_across_instances()
    {
        var prefix = "global-" + Guid.NewGuid().ToString("N")[..8];
        await using var first = new ComplianceApiFactory().WithSetting("RATE_LIMIT_KEY_PREFIX", prefix).WithSetting("RATE_LIMIT_GLOBAL", "40");
        await using var second = new ComplianceApiFactory().WithSetting("RATE_LIMIT_KEY_PREFIX", prefix).WithSetting("RATE_LIMIT_GLOBAL", "40");
        await first.InitializeAsync();
        await second.InitializeAsync();
        using var botA = first.CreateServiceClient();
        using var botB = second.CreateServiceClient();

        for (var i = 0; i < 40; i++)
        {
            Assert.NotEqual(HttpStatusCode.TooManyRequests, (await RateAsync(i % 2 == 0 ? botA : botB, AuditRecords.NewDiscordId())).StatusCode);
        }
        var refused = await RateAsync(botB, AuditRecords.NewDiscordId());

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        var problem = await refused.ReadJsonAsync();
        Assert.Equal("global", problem.GetProperty("scope").GetString());
        Assert.StartsWith("The compliance assistant is very busy right now.", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_redis_each_instance_still_enforces_the_limit_in_process()
    {
        await using var api = new ComplianceApiFactory().WithSetting("REDIS_URL", "").WithSetting("RATE_LIMIT_PER_USER", "3");
        await api.InitializeAsync();
        using var bot = api.CreateServiceClient();
        var user = AuditRecords.NewDiscordId();

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
        {
            statuses.Add((await RateAsync(bot, user)).StatusCode);
        }

        Assert.Equal([HttpStatusCode.NotFound, HttpStatusCode.NotFound, HttpStatusCode.NotFound, HttpStatusCode.TooManyRequests], statuses);
    }

    [Fact]
    public async Task When_redis_goes_away_the_limit_falls_back_to_in_process_instead_of_failing()
    {
        var redis = await Compliance.Testing.Servers.LocalRedis.StartAsync();
        await using var api = new ComplianceApiFactory().WithSetting("REDIS_URL", redis.Url).WithSetting("RATE_LIMIT_PER_USER", "2");
        await api.InitializeAsync();
        using var bot = api.CreateServiceClient();
        var user = AuditRecords.NewDiscordId();
        try
        {
            Assert.Equal(HttpStatusCode.NotFound, (await RateAsync(bot, user)).StatusCode);
        }
        finally
        {
            await redis.DisposeAsync();
        }
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            statuses.Add((await RateAsync(bot, user)).StatusCode);
        }

        Assert.Equal([HttpStatusCode.NotFound, HttpStatusCode.NotFound, HttpStatusCode.TooManyRequests], statuses);
    }

    // Unknown query ids: an allowed rating reaches the handler (404); a refused one never does (429).
    private static Task<HttpResponseMessage> RateAsync(HttpClient bot, string user) =>
        bot.PostAsJsonAsync("/api/v1/feedback", new FeedbackRequest(Guid.NewGuid(), user, Rating: 3), Ct);
}
