using System.Net;
using System.Net.Http.Json;
using Compliance.Api.Audit;
using Compliance.Api.Persistence.Entities;
using Compliance.Api.Tests.Audit;
using Compliance.Api.Tests.Infrastructure;
using Compliance.Api.Users;
using Compliance.Contracts.Feedback;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Compliance.Api.Tests.Feedback;

/// <summary><c>POST /api/v1/feedback</c> as the bot's rating buttons use it.</summary>
public sealed class FeedbackApiTests(ComplianceApiFactory api) : IClassFixture<ComplianceApiFactory>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_rating_is_stored_a_later_one_replaces_it_and_a_negative_one_is_flagged()
    {
        var user = AuditRecords.NewDiscordId();
        var query = await api.AppendStoredAsync(AuditRecords.Question(user, "May I accept concert tickets?"));
        using var bot = api.CreateServiceClient();

        var first = await PostAsync(bot, new FeedbackRequest(query.Id, user, Rating: 4, Category: "helpful"));
        var second = await PostAsync(bot, new FeedbackRequest(query.Id, user, Helpful: false, Category: "Outdated", Comment: "  The limit changed in March.  "));

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var firstBody = (await first.Content.ReadFromJsonAsync<FeedbackResponse>(Ct))!;
        Assert.Equal((4, false, false), (firstBody.Rating, firstBody.Replaced, firstBody.Flagged));
        var secondBody = (await second.Content.ReadFromJsonAsync<FeedbackResponse>(Ct))!;
        Assert.Equal((1, "outdated", true, true), (secondBody.Rating, secondBody.Category, secondBody.Replaced, secondBody.Flagged));

        var stored = await api.WithDbAsync(db => db.QueryFeedback.AsNoTracking().Where(f => f.QueryLogId == query.Id).ToListAsync(Ct));
        var only = Assert.Single(stored);
        Assert.Equal((1, "outdated", "The limit changed in March."), (only.Rating, only.Category, only.Comment));
        Assert.Equal(1, await api.WithDbAsync(db => db.Users.Where(u => u.DiscordUserId == user).Select(u => u.FeedbackCount).SingleAsync(Ct)));
        await api.AllStoredAsync();
        Assert.Equal(2, await api.WithDbAsync(db => db.SystemAuditLogs.CountAsync(a => a.Action == "feedback.submit" && a.Target == query.Id.ToString() && a.Actor == "discord:" + user, Ct)));
    }

    [Fact]
    public async Task Feedback_on_an_answer_still_on_its_way_to_the_database_waits_for_it()
    {
        var user = AuditRecords.NewDiscordId();
        var query = AuditRecords.Question(user, "Is a gift card cash-equivalent?");
        await api.Services.GetRequiredService<QueryLogWriter>().AppendAsync(query, Ct);
        using var bot = api.CreateServiceClient();

        var response = await PostAsync(bot, new FeedbackRequest(query.Id, user, Helpful: true));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Only_the_user_who_asked_may_rate_the_answer()
    {
        var asker = AuditRecords.NewDiscordId();
        var query = await api.AppendStoredAsync(AuditRecords.Question(asker, "Can I trade my employer's stock?"));
        using var bot = api.CreateServiceClient();

        var response = await PostAsync(bot, new FeedbackRequest(query.Id, AuditRecords.NewDiscordId(), Rating: 1));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(UserProblems.ForbiddenType, (await response.ReadJsonAsync()).GetProperty("type").GetString());
        Assert.Equal(0, await api.WithDbAsync(db => db.QueryFeedback.CountAsync(f => f.QueryLogId == query.Id, Ct)));
    }

    [Fact]
    public async Task An_unknown_query_is_404()
    {
        using var bot = api.CreateServiceClient();
        var response = await PostAsync(bot, new FeedbackRequest(Guid.NewGuid(), AuditRecords.NewDiscordId(), Rating: 3));
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task A_banned_user_is_told_so_in_words_the_bot_can_show()
    {
        var user = AuditRecords.NewDiscordId();
        var query = await api.AppendStoredAsync(AuditRecords.Question(user, "Anything"));
        await using (var scope = api.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<UserDirectory>().UpdateAccessAsync(user, null, true, "repeated abuse", Ct);
        }
        using var bot = api.CreateServiceClient();

        var response = await PostAsync(bot, new FeedbackRequest(query.Id, user, Rating: 5));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var problem = await response.ReadJsonAsync();
        Assert.Equal(UserProblems.BannedType, problem.GetProperty("type").GetString());
        Assert.Contains("repeated abuse", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"queryId":"00000000-0000-0000-0000-000000000000","userId":"123456789012345678","rating":3}""", "queryId")]
    [InlineData("""{"queryId":"6f9619ff-8b86-d011-b42d-00cf4fc964ff","userId":"bob","rating":3}""", "userId")]
    [InlineData("""{"queryId":"6f9619ff-8b86-d011-b42d-00cf4fc964ff","userId":"123456789012345678","rating":0}""", "rating")]
    [InlineData("""{"queryId":"6f9619ff-8b86-d011-b42d-00cf4fc964ff","userId":"123456789012345678","rating":6}""", "rating")]
    [InlineData("""{"queryId":"6f9619ff-8b86-d011-b42d-00cf4fc964ff","userId":"123456789012345678"}""", "either")]
    [InlineData("""{"queryId":"6f9619ff-8b86-d011-b42d-00cf4fc964ff","userId":"123456789012345678","rating":2,"helpful":true}""", "either")]
    [InlineData("""{"queryId":"6f9619ff-8b86-d011-b42d-00cf4fc964ff","userId":"123456789012345678","rating":2,"category":"rude"}""", "category")]
    public async Task Invalid_feedback_is_a_400_problem_naming_the_field(string json, string mentioned)
    {
        using var bot = api.CreateServiceClient();
        var response = await bot.PostAsync("/api/v1/feedback", new StringContent(json, System.Text.Encoding.UTF8, "application/json"), Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(mentioned, (await response.ReadJsonAsync()).GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_comment_over_1000_characters_is_refused()
    {
        using var bot = api.CreateServiceClient();
        var response = await PostAsync(bot, new FeedbackRequest(Guid.NewGuid(), AuditRecords.NewDiscordId(), Rating: 2, Comment: new string('x', 1001)));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Feedback_needs_the_service_token()
    {
        using var anonymous = api.CreateClient(token: null);
        var response = await PostAsync(anonymous, new FeedbackRequest(Guid.NewGuid(), AuditRecords.NewDiscordId(), Rating: 2));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    private static Task<HttpResponseMessage> PostAsync(HttpClient client, FeedbackRequest request) =>
        client.PostAsJsonAsync("/api/v1/feedback", request, Ct);
}
