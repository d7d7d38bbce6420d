using System.Net.Http.Json;
using Compliance.Bot.Tests.Infrastructure;
using Compliance.Contracts.Admin;

namespace Compliance.Bot.Tests.Admin;

/// <summary>
/// /stats and /health against the real API, with the bot holding only the service token: the API opens exactly
/// GET /admin/stats to it, for a Discord user whose stored role is admin, and /health is anonymous.
/// </summary>
public sealed class AdminCommandsRealApiTests(RealComplianceApi api) : IClassFixture<RealComplianceApi>
{
    private static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(60);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Stats_and_health_work_against_the_real_API_with_only_the_service_token()
    {
        const ulong admin = 555_000_000_000_000_801;
        const ulong member = 555_000_000_000_000_802;
        await using var bot = await api.StartBotAsync();
        using (var operators = api.CreateAdminClient())
        {
            var promoted = await operators.PutAsJsonAsync($"/admin/users/{admin}", new UpdateUserRequest(Role: "admin"), Ct);
            promoted.EnsureSuccessStatusCode();
        }

        // A server manager whose stored role is admin gets the figures (GET /admin/stats, acting for them).
        var stats = await bot.Discord.SendGuildCommandAsync("stats", userId: admin, permissions: "32");
        await bot.WaitIdleAsync(stats, AnswerTimeout);
        Assert.Equal("Compliance assistant usage", stats.OriginalMessage!.Embed()!["title"]!.GetValue<string>());

        // A server manager without that role is refused by the API, privately.
        var refused = await bot.Discord.SendGuildCommandAsync("stats", userId: member, permissions: "32");
        await bot.WaitIdleAsync(refused, AnswerTimeout);
        Assert.Null(refused.OriginalMessage?.Embed());
        Assert.True(refused.Ephemeral);

        var health = await bot.Discord.SendGuildCommandAsync("health", userId: admin, permissions: "32");
        await bot.WaitIdleAsync(health, AnswerTimeout);
        Assert.StartsWith("Compliance service: ", health.OriginalMessage!.Embed()!["title"]!.GetValue<string>(), StringComparison.Ordinal);
    }
}
