using Compliance.Api.Audit;
using Compliance.Api.Persistence;
using Compliance.Api.Persistence.Entities;
using Compliance.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Compliance.Api.Tests.Audit;

/// <summary>Query-log records as the answer pipeline writes them, and access to what reached the database.</summary>
public static class AuditRecords
{
    private static long s_snowflake = 300_000_000_000_000_000 + Random.Shared.NextInt64(1_000_000_000);

    /// <summary>A fresh, unique Discord snowflake.</summary>
    public static string NewDiscordId() => Interlocked.Increment(ref s_snowflake).ToString(System.Globalization.CultureInfo.InvariantCulture);

    public static QueryLog Question(string discordUserId, string question, QueryStatus status = QueryStatus.Answered, string? guildId = null) => new()
    {
        DiscordUserId = discordUserId,
        GuildId = guildId,
        Question = question,
        Answer = $"Answer to: {question} [1]",
        Status = status,
        Model = "grok-4-latest",
        PromptVersion = "p-test",
        TokensIn = 120,
        TokensOut = 40,
        CostUsd = 0.0012345678m,
        EmbedMs = 3,
        SearchMs = 5,
        FirstTokenMs = 250,
        TotalMs = 900,
        RetrievalDiagnostics = """{"z":1,"a":[1.50,"x\u0000y"],"mode":"hybrid"}""",
        Citations = [new QueryCitation { Number = 1, DocumentId = Guid.NewGuid(), DocumentVersion = 2, Title = "Personal Trading Policy", Section = "4.2 Blackout", Page = 3, ChunkId = "c-1", Score = 0.8123456789 }],
    };

    /// <summary>Appends and waits until stored.</summary>
    public static async Task<QueryLog> AppendStoredAsync(this ComplianceApiFactory api, QueryLog log)
    {
        var writer = api.Services.GetRequiredService<QueryLogWriter>();
        await writer.AppendAsync(log, TestContext.Current.CancellationToken);
        Assert.True(await writer.WaitUntilStoredAsync(log.Id, TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken), "the record was not stored");
        return log;
    }

    public static async Task<T> WithDbAsync<T>(this ComplianceApiFactory api, Func<ComplianceDbContext, Task<T>> action)
    {
        await using var scope = api.Services.CreateAsyncScope();
        return await action(scope.ServiceProvider.GetRequiredService<ComplianceDbContext>());
    }

    public static Task<ChainVerification> VerifyQueryLogAsync(this ComplianceApiFactory api) =>
        api.WithDbAsync(db => new ChainVerifier(db).VerifyQueryLogAsync(TestContext.Current.CancellationToken));

    public static Task<ChainVerification> VerifySystemLogAsync(this ComplianceApiFactory api) =>
        api.WithDbAsync(db => new ChainVerifier(db).VerifySystemLogAsync(TestContext.Current.CancellationToken));

    public static Task<int> SqlAsync(this ComplianceApiFactory api, string sql) =>
        api.WithDbAsync(db => db.Database.ExecuteSqlRawAsync(sql.Replace("{", "{{", StringComparison.Ordinal).Replace("}", "}}", StringComparison.Ordinal), TestContext.Current.CancellationToken));

    /// <summary>Waits (bounded) until every record the API accepted is in Postgres.</summary>
    public static async Task AllStoredAsync(this ComplianceApiFactory api, TimeSpan? timeout = null) =>
        Assert.True(await api.Services.GetRequiredService<AuditBacklog>().WaitUntilAllStoredAsync(timeout ?? TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken),
            "audit records were still pending");
}
