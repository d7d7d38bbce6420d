using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using Compliance.Api.Tests.Audit;
using Compliance.Api.Tests.Infrastructure;
using Compliance.Contracts.Questions;

namespace Compliance.Api.Tests.Answers;

/// <summary>The per-user limit on questions (RATE_LIMIT_PER_USER, 30 a minute by default) on the question endpoint itself.</summary>
public sealed class QuestionRateLimitTests(DefaultLimitsAnswersApi api) : IClassFixture<DefaultLimitsAnswersApi>
{
    [Fact]
    public async Task The_31st_question_of_a_user_within_a_minute_is_429_with_retry_after()
    {
        using var bot = api.CreateServiceClient();
        var user = AuditRecords.NewDiscordId();
        // One question asked 30 times: after the first, the answer cache keeps each call quick, well inside the window.
        var question = "Can I trade Northwind shares during the quarterly blackout period? zq" + Guid.NewGuid().ToString("N")[..6];

        for (var i = 1; i <= 30; i++)
        {
            var allowed = await bot.PostAsJsonAsync("/api/v1/query", new QueryRequest(question, user), TestContext.Current.CancellationToken);
            Assert.True(allowed.StatusCode == HttpStatusCode.OK, $"question {i} of 30 was answered {(int)allowed.StatusCode}");
        }
        var refused = await bot.PostAsJsonAsync("/api/v1/query", new QueryRequest(question, user), TestContext.Current.CancellationToken);
        var otherUser = await bot.PostAsJsonAsync("/api/v1/query", new QueryRequest(question, AuditRecords.NewDiscordId()), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        var retryAfter = int.Parse(refused.Headers.GetValues("Retry-After").Single(), CultureInfo.InvariantCulture);
        Assert.InRange(retryAfter, 1, 60);
        var problem = await refused.ReadJsonAsync();
        Assert.Equal("user", problem.GetProperty("scope").GetString());
        Assert.Equal($"You have sent 30 questions in the last minute, which is the limit. Please wait {retryAfter} seconds and try again.",
            problem.GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.OK, otherUser.StatusCode);
    }
}

/// <summary>The answers API with the shipped per-user limit (RATE_LIMIT_PER_USER unset, so 30 a minute).</summary>
public sealed class DefaultLimitsAnswersApi : AnswersApi
{
    protected override int? PerUserLimit => null;
}
