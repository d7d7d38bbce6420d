using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Compliance.Api.Persistence;
using Compliance.Api.Persistence.Entities;
using Microsoft.EntityFrameworkCore;

namespace Compliance.Api.Audit;

/// <summary>
/// Appends query logs as links of a hash chain: each record's hash covers the previous hash and its own canonical
/// content, and sequence numbers are assigned under a Postgres advisory lock so instances never interleave.
/// </summary>
public sealed class QueryLogWriter(IServiceScopeFactory scopes)
{
    public const string Genesis = "0000000000000000000000000000000000000000000000000000000000000000";
    private const long ChainLockKey = 0x436F6D706C5F716C;

    public async Task AppendAsync(QueryLog entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ComplianceDbContext>();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock({ChainLockKey})", cancellationToken);
        var last = await db.QueryLogs.OrderByDescending(q => q.Sequence).Select(q => new { q.Sequence, q.Hash }).FirstOrDefaultAsync(cancellationToken);

        entry.CreatedAt = TruncateToMicroseconds(entry.CreatedAt);
        entry.Sequence = (last?.Sequence ?? 0) + 1;
        entry.PreviousHash = last?.Hash ?? Genesis;
        entry.ContentHash = ContentHash(entry);
        entry.Hash = Sha256(entry.PreviousHash + entry.ContentHash);
        db.QueryLogs.Add(entry);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>SHA-256 of the record's content in a fixed field order (what erasure removes is covered; chain fields are not).</summary>
    public static string ContentHash(QueryLog q)
    {
        ArgumentNullException.ThrowIfNull(q);
        var canonical = JsonSerializer.Serialize(new object?[]
        {
            q.Id, q.CreatedAt.UtcTicks, q.DiscordUserId, q.GuildId, q.ChannelId, q.ConversationId, q.Question, q.Answer,
            q.Citations.Select(c => new object[] { c.Number, c.DocumentId, c.DocumentVersion, c.ChunkId, c.Score }),
            q.Status.ToString(), q.ErrorCode, q.Model, q.PromptVersion, q.TokensIn, q.TokensOut, q.CostUsd,
            q.EmbedMs, q.SearchMs, q.FirstTokenMs, q.TotalMs, q.CacheHit,
        });
        return Sha256(canonical);
    }

    public static DateTimeOffset TruncateToMicroseconds(DateTimeOffset value) =>
        new(value.UtcTicks - (value.UtcTicks % 10), TimeSpan.Zero);

    private static string Sha256(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}
