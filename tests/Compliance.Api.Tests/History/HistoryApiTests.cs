using System.Net;
using System.Net.Http.Json;
using Compliance.Api.Persistence.Entities;
using Compliance.Api.Tests.Audit;
using Compliance.Api.Tests.Infrastructure;
using Compliance.Contracts.Common;
using Compliance.Contracts.Feedback;
using Compliance.Contracts.Users;

namespace Compliance.Api.Tests.History;

/// <summary>The bot's /history, /forget and /settings.</summary>
public sealed class HistoryApiTests(ComplianceApiFactory api) : IClassFixture<ComplianceApiFactory>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task History_lists_only_the_users_own_questions_newest_first_in_pages()
    {
        var user = AuditRecords.NewDiscordId();
        var other = AuditRecords.NewDiscordId();
        for (var i = 0; i < 5; i++)
        {
            var log = AuditRecords.Question(user, $"my question {i}", i == 4 ? QueryStatus.Refused : QueryStatus.Answered);
            log.CreatedAt = DateTimeOffset.UtcNow.AddMinutes(i - 10);
            await api.AppendStoredAsync(log);
        }
        await api.AppendStoredAsync(AuditRecords.Question(other, "not mine"));
        using var bot = api.CreateServiceClient();

        var page1 = (await bot.GetFromJsonAsync<PagedResponse<HistoryItem>>($"/api/v1/history/{user}?pageSize=3", Ct))!;
        var page2 = (await bot.GetFromJsonAsync<PagedResponse<HistoryItem>>($"/api/v1/history/{user}?pageSize=3&page=2", Ct))!;

        Assert.Equal(5, page1.Total);
        Assert.Equal(["my question 4", "my question 3", "my question 2"], page1.Items.Select(i => i.Question));
        Assert.Equal(["my question 1", "my question 0"], page2.Items.Select(i => i.Question));
        Assert.Equal("refused", page1.Items[0].Status);
        Assert.Equal(1, page1.Items[0].Citations);
        Assert.StartsWith("Answer to: my question 4", page1.Items[0].AnswerPreview, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Forget_erases_the_users_content_and_leaves_everyone_elses()
    {
        var user = AuditRecords.NewDiscordId();
        var other = AuditRecords.NewDiscordId();
        await api.AppendStoredAsync(AuditRecords.Question(user, "something private"));
        await api.AppendStoredAsync(AuditRecords.Question(other, "someone else's"));
        using var bot = api.CreateServiceClient();

        var erase = await bot.DeleteAsync($"/api/v1/history/{user}", Ct);
        var history = (await bot.GetFromJsonAsync<PagedResponse<HistoryItem>>($"/api/v1/history/{user}", Ct))!;
        var others = (await bot.GetFromJsonAsync<PagedResponse<HistoryItem>>($"/api/v1/history/{other}", Ct))!;

        Assert.Equal(HttpStatusCode.OK, erase.StatusCode);
        Assert.Equal(1, (await erase.Content.ReadFromJsonAsync<ErasureResponse>(Ct))!.QueriesErased);
        var item = Assert.Single(history.Items);
        Assert.Null(item.Question);
        Assert.Null(item.AnswerPreview);
        Assert.Equal("someone else's", Assert.Single(others.Items).Question);
        Assert.True((await api.VerifyQueryLogAsync()).Intact);
    }

    [Fact]
    public async Task Settings_are_stored_and_read_back()
    {
        var user = AuditRecords.NewDiscordId();
        using var bot = api.CreateServiceClient();

        var before = (await bot.GetFromJsonAsync<UserSettingsResponse>($"/api/v1/users/{user}/settings", Ct))!;
        var put = await bot.PutAsJsonAsync($"/api/v1/users/{user}/settings", new UserSettingsRequest(true), Ct);
        var after = (await bot.GetFromJsonAsync<UserSettingsResponse>($"/api/v1/users/{user}/settings", Ct))!;

        Assert.False(before.AnswerPrivately);
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.True(after.AnswerPrivately);
    }

    [Theory]
    [InlineData("GET", "/api/v1/history/not-a-snowflake")]
    [InlineData("GET", "/api/v1/history/123456789012345678?pageSize=500")]
    [InlineData("GET", "/api/v1/history/123456789012345678?page=0")]
    [InlineData("DELETE", "/api/v1/history/12345")]
    [InlineData("GET", "/api/v1/users/abc/settings")]
    public async Task Malformed_requests_are_400(string method, string path)
    {
        using var bot = api.CreateServiceClient();
        var response = await bot.SendAsync(new HttpRequestMessage(new HttpMethod(method), path), Ct);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData("GET", "/api/v1/history/123456789012345678")]
    [InlineData("DELETE", "/api/v1/history/123456789012345678")]
    [InlineData("PUT", "/api/v1/users/123456789012345678/settings")]
    public async Task Anonymous_callers_get_401(string method, string path)
    {
        using var anonymous = api.CreateClient(token: null);
        var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = JsonContent.Create(new UserSettingsRequest(true)) };
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.SendAsync(request, Ct)).StatusCode);
    }
}
