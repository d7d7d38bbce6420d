using Compliance.Api.Persistence;
using Compliance.Api.Persistence.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Compliance.Api.Answers;

/// <summary>The daily question cap per user and the deployment's daily model budget, both per UTC day.</summary>
public sealed class UsageLimits(IServiceScopeFactory scopes, IOptions<AnswerOptions> options, TimeProvider clock)
{
    // Parsed once: the prices are validated at start and priced on every answer.
    private readonly IReadOnlyDictionary<string, (decimal Input, decimal Output)> _prices = options.Value.ParsePrices();

    public async Task<bool> UserCapReachedAsync(string discordUserId, CancellationToken cancellationToken)
    {
        var cap = options.Value.UserDailyQuestionCap;
        if (cap <= 0)
        {
            return false;
        }
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ComplianceDbContext>();
        var since = StartOfDay();
        var asked = await db.QueryLogs.CountAsync(q => q.DiscordUserId == discordUserId && q.CreatedAt >= since && q.Status != QueryStatus.RateLimited, cancellationToken);
        return asked >= cap;
    }

    public async Task<bool> BudgetExhaustedAsync(CancellationToken cancellationToken)
    {
        var budget = options.Value.DailyBudgetUsd;
        if (budget <= 0)
        {
            return false;
        }
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ComplianceDbContext>();
        var since = StartOfDay();
        var spent = await db.QueryLogs.Where(q => q.CreatedAt >= since).SumAsync(q => q.CostUsd, cancellationToken);
        return spent >= budget;
    }

    /// <summary>Cost of a call from the configured per-model prices (USD per million tokens).</summary>
    public decimal Cost(string? model, int tokensIn, int tokensOut)
    {
        if (model is null || !_prices.TryGetValue(model, out var price))
        {
            return 0m;
        }
        return decimal.Round((tokensIn * price.Input + tokensOut * price.Output) / 1_000_000m, 6);
    }

    private DateTimeOffset StartOfDay()
    {
        var now = clock.GetUtcNow();
        return new DateTimeOffset(now.Year, now.Month, now.Day, 0, 0, 0, TimeSpan.Zero);
    }
}
