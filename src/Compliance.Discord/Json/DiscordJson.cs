using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Compliance.Discord.Json;

/// <summary>
/// The JSON settings Discord's API speaks: snake_case names, snowflakes as strings, absent rather than null fields.
/// </summary>
public static class DiscordJson
{
    /// <summary>Shared serializer options for every Discord payload (gateway and REST).</summary>
    public static JsonSerializerOptions Options { get; } = Create();

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
            DictionaryKeyPolicy = null,
            // PATCH bodies must omit what they do not change; null would clear the field on Discord's side.
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            NumberHandling = JsonNumberHandling.Strict,
        };
        options.Converters.Add(new SnowflakeConverter());
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}

/// <summary>
/// Reads snowflakes from JSON strings (their documented form) or numbers, and always writes them as strings,
/// because a 64-bit id does not survive a JavaScript double.
/// </summary>
public sealed class SnowflakeConverter : JsonConverter<ulong>
{
    public override ulong Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Number)
        {
            return reader.GetUInt64();
        }
        if (reader.TokenType == JsonTokenType.String)
        {
            if (ulong.TryParse(reader.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out var value))
            {
                return value;
            }
        }
        throw new JsonException("A snowflake must be a decimal string of an unsigned 64-bit integer.");
    }

    public override void Write(Utf8JsonWriter writer, ulong value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStringValue(value.ToString(CultureInfo.InvariantCulture));
    }
}
