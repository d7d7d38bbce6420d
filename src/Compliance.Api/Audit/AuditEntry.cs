using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Compliance.Api.Persistence.Entities;

namespace Compliance.Api.Audit;

/// <summary>Which hash chain a record belongs to.</summary>
public enum AuditChain
{
    QueryLog,
    System,
}

/// <summary>
/// One record on its way to Postgres: a frozen copy (the caller may keep changing its object), as the one JSON line
/// the outbox would store. <see cref="Key"/> identifies it while pending: the query id, or a fresh id for a system record.
/// </summary>
internal sealed record AuditEntry(AuditChain Chain, Guid Key, string Line)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        // Navigation properties are not content: never carry a user or feedback graph into the outbox.
        TypeInfoResolver = new DefaultJsonTypeInfoResolver { Modifiers = { RemoveNavigations } },
    };

    public static AuditEntry For(QueryLog log) =>
        new(AuditChain.QueryLog, log.Id, JsonSerializer.Serialize(new Envelope(AuditChain.QueryLog, log.Id, log, null), Json));

    public static AuditEntry For(SystemAuditLog entry, Guid key) =>
        new(AuditChain.System, key, JsonSerializer.Serialize(new Envelope(AuditChain.System, key, null, entry), Json));

    /// <summary>Reads an outbox line back; null when it is not a complete record (a line cut short by a crash).</summary>
    public static AuditEntry? Parse(string line)
    {
        try
        {
            var envelope = JsonSerializer.Deserialize<Envelope>(line, Json);
            return envelope switch
            {
                { Chain: AuditChain.QueryLog, Query: not null } => new(AuditChain.QueryLog, envelope.Key, line),
                { Chain: AuditChain.System, System: not null } => new(AuditChain.System, envelope.Key, line),
                _ => null,
            };
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public QueryLog ToQueryLog() => JsonSerializer.Deserialize<Envelope>(Line, Json)!.Query!;

    public SystemAuditLog ToSystemAuditLog() => JsonSerializer.Deserialize<Envelope>(Line, Json)!.System!;

    private static void RemoveNavigations(JsonTypeInfo info)
    {
        if (info.Type == typeof(QueryLog) || info.Type == typeof(SystemAuditLog))
        {
            for (var i = info.Properties.Count - 1; i >= 0; i--)
            {
                if (info.Properties[i].Name is "user" or "feedback")
                {
                    info.Properties.RemoveAt(i);
                }
            }
        }
    }

    private sealed record Envelope(AuditChain Chain, Guid Key, QueryLog? Query, SystemAuditLog? System);
}
