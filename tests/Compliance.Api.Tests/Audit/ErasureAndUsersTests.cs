using Compliance.Api.Audit;
using Compliance.Api.Persistence.Entities;
using Compliance.Api.Tests.Infrastructure;
using Compliance.Api.Users;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Compliance.Api.Tests.Audit;

/// <summary>GDPR erasure keeps the chain verifiable and records itself; the user directory upserts without races.</summary>
public sealed class ErasureAndUsersTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Erasure_removes_the_users_content_keeps_the_chain_verifiable_and_is_recorded()
    {
        await using var api = await HashChainTests.StartAsync();
        var erased = AuditRecords.NewDiscordId();
        var kept = AuditRecords.NewDiscordId();
        for (var i = 0; i < 3; i++)
        {
            await api.AppendStoredAsync(AuditRecords.Question(erased, $"my private question {i}"));
            await api.AppendStoredAsync(AuditRecords.Question(kept, $"someone else's question {i}"));
        }

        await using (var scope = api.Services.CreateAsyncScope())
        {
            var context = new DefaultHttpContext { RequestServices = scope.ServiceProvider };
            var result = await scope.ServiceProvider.GetRequiredService<QueryErasure>().EraseAsync(erased, context, Ct);
            Assert.Equal(3, result.QueriesErased);
        }
        await api.AllStoredAsync();

        var rows = await api.WithDbAsync(db => db.QueryLogs.AsNoTracking().ToListAsync(Ct));
        Assert.All(rows.Where(r => r.DiscordUserId == erased), r =>
        {
            Assert.Null(r.Question);
            Assert.Null(r.Answer);
            Assert.NotNull(r.ErasedAt);
            Assert.Equal(64, r.ContentHash.Length);
        });
        Assert.All(rows.Where(r => r.DiscordUserId == kept), r => Assert.StartsWith("someone else's", r.Question, StringComparison.Ordinal));
        var chain = await api.VerifyQueryLogAsync();
        Assert.True(chain.Intact, chain.FirstBreak?.Detail);
        Assert.Equal(6, chain.RecordsChecked);
        var erasure = await api.WithDbAsync(db => db.SystemAuditLogs.AsNoTracking().SingleAsync(a => a.Action == "queries.erase", Ct));
        Assert.Equal("discord:" + erased, erasure.Target);
        Assert.Contains("\"queries\":3", erasure.Details!.Replace(" ", "", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Concurrent_first_sightings_of_a_user_make_one_row_with_every_count()
    {
        await using var api = await HashChainTests.StartAsync();
        var user = AuditRecords.NewDiscordId();

        await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Task.Run(async () =>
        {
            await using var scope = api.Services.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<UserDirectory>().TouchAsync(user, i == 7 ? "alice" : null, questions: 1, cancellationToken: Ct);
        }, Ct)));

        var row = await api.WithDbAsync(db => db.Users.AsNoTracking().SingleAsync(u => u.DiscordUserId == user, Ct));
        Assert.Equal(20, row.QuestionCount);
        Assert.Equal("alice", row.UserName);
        Assert.Equal(UserRole.User, row.Role);
        Assert.True(row.LastSeenAt >= row.FirstSeenAt);

        await using var scope = api.Services.CreateAsyncScope();
        var directory = scope.ServiceProvider.GetRequiredService<UserDirectory>();
        var banned = await directory.UpdateAccessAsync(user, UserRole.Reviewer, banned: true, banReason: "spam", Ct);
        Assert.Equal((UserRole.Reviewer, true, "spam"), (banned.Role, banned.IsBanned, banned.BanReason));
        var preferences = await directory.SavePreferencesAsync(user, new UserPreferences { AnswerPrivately = true }, Ct);
        Assert.True(preferences.Preferences.AnswerPrivately);
        Assert.True((await directory.TouchAsync(user, cancellationToken: Ct)).Preferences.AnswerPrivately);
    }
}
