using System.Net;
using System.Net.Http.Json;
using Compliance.Api.Persistence.Entities;
using Compliance.Api.Tests.Audit;
using Compliance.Api.Tests.Infrastructure;
using Compliance.Api.Users;
using Compliance.Contracts.Admin;
using Compliance.Contracts.Common;
using Compliance.Contracts.Feedback;
using Compliance.Contracts.Questions;
using Compliance.Contracts.Search;
using Compliance.Contracts.Users;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Compliance.Api.Tests.Users;

/// <summary>
/// One user, one id: only canonical snowflakes enter the API. <c>0U</c> and <c>00U</c> used to be users of their
/// own, with their own per-minute limit, and untouched by a ban or an erasure of <c>U</c>.
/// </summary>
public sealed class DiscordIdTests(ComplianceApiFactory api) : IClassFixture<ComplianceApiFactory>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("123456789012345", true)] // 15 digits, the shortest accepted
    [InlineData("300000000000000001", true)]
    [InlineData("18446744073709551615", true)] // 2^64-1
    [InlineData("0300000000000000001", false)] // leading zero
    [InlineData("00300000000000000001", false)]
    [InlineData("18446744073709551616", false)] // 2^64: no snowflake
    [InlineData("99999999999999999999", false)]
    [InlineData("123456789012345678901", false)] // 21 digits
    [InlineData("12345678901234", false)] // 14 digits
    [InlineData("+300000000000000001", false)]
    [InlineData("３００００００００００００００００１", false)] // full-width digits
    [InlineData("300000000000000001 ", false)]
    public void Only_canonical_snowflakes_are_ids(string value, bool valid) => Assert.Equal(valid, DiscordIds.IsValid(value));

    [Fact]
    public async Task Every_route_that_takes_a_user_id_refuses_a_leading_zero_with_a_validation_problem()
    {
        var user = AuditRecords.NewDiscordId();
        var zero = "0" + user;
        using var bot = api.CreateServiceClient();
        using var admin = api.CreateAdminClient();

        var answers = new Dictionary<string, HttpResponseMessage>
        {
            ["query"] = await bot.PostAsJsonAsync("/api/v1/query", new QueryRequest("Can I trade today?", zero), Ct),
            ["query guild"] = await bot.PostAsJsonAsync("/api/v1/query", new QueryRequest("Can I trade today?", user, GuildId: "00" + user), Ct),
            ["search guild"] = await bot.PostAsJsonAsync("/api/v1/search", new SearchRequest("trading", GuildId: zero), Ct),
            ["feedback"] = await bot.PostAsJsonAsync("/api/v1/feedback", new FeedbackRequest(Guid.NewGuid(), zero, Rating: 1), Ct),
            ["history"] = await bot.GetAsync($"/api/v1/history/{zero}", Ct),
            ["forget"] = await bot.DeleteAsync($"/api/v1/history/{zero}", Ct),
            ["settings"] = await bot.PutAsJsonAsync($"/api/v1/users/{zero}/settings", new UserSettingsRequest(true), Ct),
            ["ban"] = await admin.PutAsJsonAsync($"/admin/users/{zero}", new UpdateUserRequest(Banned: true), Ct),
            ["erase"] = await admin.DeleteAsync($"/admin/users/{zero}/queries", Ct),
        };

        foreach (var (route, response) in answers)
        {
            Assert.Equal((route, HttpStatusCode.BadRequest), (route, response.StatusCode));
            var problem = await response.ReadJsonAsync();
            Assert.Equal((route, ProblemTypes.Validation), (route, problem.GetProperty("type").GetString()));
            Assert.Contains("no leading zero", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }
        // Nothing was created for the look-alike id.
        Assert.False(await api.WithDbAsync(db => db.Users.AnyAsync(u => u.DiscordUserId == zero || u.DiscordUserId == "00" + user, Ct)));
    }

    [Fact]
    public async Task A_banned_user_cannot_come_back_under_a_leading_zero()
    {
        var user = AuditRecords.NewDiscordId();
        await using (var scope = api.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<UserDirectory>().UpdateAccessAsync(user, UserRole.User, true, "spam", Ct);
        }
        using var bot = api.CreateServiceClient();

        foreach (var alias in (string[])["0" + user, "00" + user])
        {
            var response = await bot.PostAsJsonAsync("/api/v1/query", new QueryRequest("Can I trade today?", alias), Ct);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        }
        var settings = await bot.PutAsJsonAsync($"/api/v1/users/{user}/settings", new UserSettingsRequest(true), Ct);
        Assert.Equal(ProblemTypes.Banned, (await settings.ReadJsonAsync()).GetProperty("type").GetString());
    }
}
