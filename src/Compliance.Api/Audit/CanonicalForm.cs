using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Compliance.Api.Persistence.Entities;
using Compliance.Api.Persistence.EntityConfigurations;

namespace Compliance.Api.Audit;

/// <summary>
/// The canonical content of an audit record and the chain hashes over it. A record is first normalised to what
/// Postgres will store (timestamps to microseconds, NUL characters removed, lone surrogates replaced, strings clamped
/// to their column, JSON in jsonb's shape), so hashing it again after a round trip through the database gives the
/// same digest. The content is then written as JSON with a fixed property order (version 1), hashed with SHA-256.
/// </summary>
/// <remarks>
/// <c>Hash = SHA-256(ASCII(PreviousHash + ContentHash))</c> over the two lower-case hex strings, so an auditor can
/// check a link with <c>printf '%s%s' "$prev" "$content" | sha256sum</c>.
/// </remarks>
public static class CanonicalForm
{
    /// <summary>The previous hash of the first record in a chain.</summary>
    public static readonly string GenesisHash = new('0', 64);

    private const int CanonicalVersion = 1;

    /// <summary>Normalises <paramref name="log"/> in place to what the database will hold.</summary>
    public static void Normalise(QueryLog log)
    {
        ArgumentNullException.ThrowIfNull(log);
        log.CreatedAt = ToMicroseconds(log.CreatedAt);
        log.DiscordUserId = Text(log.DiscordUserId, 32) ?? string.Empty;
        log.GuildId = Text(log.GuildId, 32);
        log.ChannelId = Text(log.ChannelId, 32);
        log.ConversationId = Text(log.ConversationId, 100);
        log.Question = Text(log.Question, 4000);
        log.Answer = Text(log.Answer, int.MaxValue);
        log.RetrievalDiagnostics = CanonicalJson(log.RetrievalDiagnostics);
        log.ErrorCode = Text(log.ErrorCode, 64);
        log.Model = Text(log.Model, 100);
        log.PromptVersion = Text(log.PromptVersion, 64);
        // numeric(12,6): Postgres rounds to six places and caps the magnitude; do the same before hashing.
        log.CostUsd = Math.Clamp(Math.Round(log.CostUsd, 6, MidpointRounding.AwayFromZero), -999_999.999999m, 999_999.999999m);
        foreach (var citation in log.Citations)
        {
            citation.Title = Text(citation.Title, int.MaxValue) ?? string.Empty;
            citation.Section = Text(citation.Section, int.MaxValue);
            citation.ChunkId = Text(citation.ChunkId, int.MaxValue) ?? string.Empty;
            // JSON has no NaN or infinity, and jsonb turns -0 into 0.
            citation.Score = double.IsFinite(citation.Score) ? citation.Score + 0.0 : 0.0;
        }
    }

    /// <summary>Normalises <paramref name="entry"/> in place to what the database will hold.</summary>
    public static void Normalise(SystemAuditLog entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        entry.OccurredAt = ToMicroseconds(entry.OccurredAt);
        entry.Actor = Text(entry.Actor, 64) ?? string.Empty;
        entry.Action = Text(entry.Action, 64) ?? string.Empty;
        entry.Target = Text(entry.Target, 200);
        entry.Details = CanonicalJson(entry.Details);
        entry.Outcome = Text(entry.Outcome, 16) ?? string.Empty;
        entry.ClientAddress = Text(entry.ClientAddress, 64);
    }

    /// <summary>SHA-256 (lower-case hex) of the canonical content of a normalised query log record.</summary>
    public static string ContentHash(QueryLog log)
    {
        ArgumentNullException.ThrowIfNull(log);
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteNumber("v", CanonicalVersion);
            json.WriteString("id", log.Id.ToString("D"));
            json.WriteString("createdAt", Timestamp(log.CreatedAt));
            json.WriteString("discordUserId", log.DiscordUserId);
            json.WriteString("guildId", log.GuildId);
            json.WriteString("channelId", log.ChannelId);
            json.WriteString("conversationId", log.ConversationId);
            json.WriteString("question", log.Question);
            json.WriteString("answer", log.Answer);
            json.WriteStartArray("citations");
            foreach (var c in log.Citations)
            {
                json.WriteStartObject();
                json.WriteNumber("number", c.Number);
                json.WriteString("documentId", c.DocumentId.ToString("D"));
                json.WriteNumber("documentVersion", c.DocumentVersion);
                json.WriteString("title", c.Title);
                json.WriteString("section", c.Section);
                WriteNullable(json, "page", c.Page);
                json.WriteString("chunkId", c.ChunkId);
                json.WriteString("score", c.Score.ToString("R", CultureInfo.InvariantCulture));
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteString("retrievalDiagnostics", CanonicalJson(log.RetrievalDiagnostics));
            json.WriteString("status", SnakeCase.From(log.Status.ToString()));
            json.WriteString("errorCode", log.ErrorCode);
            json.WriteString("model", log.Model);
            json.WriteString("promptVersion", log.PromptVersion);
            json.WriteNumber("tokensIn", log.TokensIn);
            json.WriteNumber("tokensOut", log.TokensOut);
            json.WriteString("costUsd", log.CostUsd.ToString("0.000000", CultureInfo.InvariantCulture));
            WriteNullable(json, "embedMs", log.EmbedMs);
            WriteNullable(json, "searchMs", log.SearchMs);
            WriteNullable(json, "firstTokenMs", log.FirstTokenMs);
            json.WriteNumber("totalMs", log.TotalMs);
            json.WriteBoolean("cacheHit", log.CacheHit);
            json.WriteEndObject();
        }
        return Sha256Hex(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
    }

    /// <summary>SHA-256 (lower-case hex) of the canonical content of a normalised system audit record.</summary>
    public static string ContentHash(SystemAuditLog entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteNumber("v", CanonicalVersion);
            json.WriteString("occurredAt", Timestamp(entry.OccurredAt));
            json.WriteString("actor", entry.Actor);
            json.WriteString("action", entry.Action);
            json.WriteString("target", entry.Target);
            json.WriteString("details", CanonicalJson(entry.Details));
            json.WriteString("outcome", entry.Outcome);
            json.WriteString("clientAddress", entry.ClientAddress);
            json.WriteEndObject();
        }
        return Sha256Hex(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
    }

    /// <summary>The link hash: SHA-256 over the previous record's hash followed by this record's content hash.</summary>
    public static string LinkHash(string previousHash, string contentHash)
    {
        ArgumentNullException.ThrowIfNull(previousHash);
        ArgumentNullException.ThrowIfNull(contentHash);
        return Sha256Hex(Encoding.ASCII.GetBytes(previousHash + contentHash));
    }

    /// <summary>Truncates to whole microseconds in UTC: Postgres keeps no finer precision.</summary>
    public static DateTimeOffset ToMicroseconds(DateTimeOffset value)
    {
        var utc = value.ToUniversalTime();
        return new DateTimeOffset(utc.Ticks - (utc.Ticks % 10), TimeSpan.Zero);
    }

    /// <summary>
    /// JSON in a canonical shape (object keys sorted ordinally, a repeated key keeping its last value as jsonb does,
    /// numbers as shortest round-trip doubles, NUL removed from strings), or null. Text that is not JSON becomes a
    /// JSON string, so a bad diagnostics blob can never stop a record being stored.
    /// </summary>
    public static string? CanonicalJson(string? json)
    {
        if (json is null)
        {
            return null;
        }
        try
        {
            using var document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 64 });
            return Write(writer => WriteCanonical(writer, document.RootElement));
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or ArgumentException)
        {
            return Write(writer => writer.WriteStringValue(Text(json, int.MaxValue)));
        }

        static string Write(Action<Utf8JsonWriter> write)
        {
            using var buffer = new MemoryStream();
            using (var writer = new Utf8JsonWriter(buffer))
            {
                write(writer);
            }
            return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
        }
    }

    /// <summary>
    /// Text as Postgres stores it: no NUL characters (text columns reject them), lone surrogates replaced (they do
    /// not survive UTF-8), at most <paramref name="maxLength"/> characters without splitting a surrogate pair.
    /// </summary>
    public static string? Text(string? value, int maxLength)
    {
        if (value is null)
        {
            return null;
        }
        var needsWork = value.Length > maxLength;
        for (var i = 0; i < value.Length && !needsWork; i++)
        {
            var c = value[i];
            if (c == '\0' || (char.IsSurrogate(c) && !(char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))))
            {
                needsWork = true;
            }
            else if (char.IsHighSurrogate(c))
            {
                i++;
            }
        }
        if (!needsWork)
        {
            return value;
        }

        var builder = new StringBuilder(Math.Min(value.Length, maxLength));
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c == '\0')
            {
                continue;
            }
            if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                if (builder.Length + 2 > maxLength)
                {
                    break;
                }
                builder.Append(c).Append(value[++i]);
                continue;
            }
            if (builder.Length + 1 > maxLength)
            {
                break;
            }
            builder.Append(char.IsSurrogate(c) ? '\uFFFD' : c);
        }
        return builder.ToString();
    }

    private static void WriteCanonical(Utf8JsonWriter writer, JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                var properties = new SortedDictionary<string, JsonElement>(StringComparer.Ordinal);
                foreach (var property in element.EnumerateObject())
                {
                    properties[Text(property.Name, int.MaxValue)!] = property.Value;
                }
                writer.WriteStartObject();
                foreach (var (name, value) in properties)
                {
                    writer.WritePropertyName(name);
                    WriteCanonical(writer, value);
                }
                writer.WriteEndObject();
                break;
            case JsonValueKind.Array:
                writer.WriteStartArray();
                foreach (var item in element.EnumerateArray())
                {
                    WriteCanonical(writer, item);
                }
                writer.WriteEndArray();
                break;
            case JsonValueKind.String:
                writer.WriteStringValue(Text(element.GetString(), int.MaxValue));
                break;
            case JsonValueKind.Number:
                if (element.TryGetDouble(out var number) && double.IsFinite(number))
                {
                    writer.WriteNumberValue(number + 0.0);
                }
                else
                {
                    writer.WriteStringValue(element.GetRawText());
                }
                break;
            default:
                element.WriteTo(writer);
                break;
        }
    }

    private static void WriteNullable(Utf8JsonWriter json, string name, int? value)
    {
        if (value is { } v)
        {
            json.WriteNumber(name, v);
        }
        else
        {
            json.WriteNull(name);
        }
    }

    private static string Timestamp(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);

    private static string Sha256Hex(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));
}
