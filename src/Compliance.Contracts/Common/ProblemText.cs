using System.Text.Json;

namespace Compliance.Contracts.Common;

/// <summary>
/// The sentence an RFC 7807 problem carries for people: its <c>detail</c>, else its <c>title</c>. The API writes both
/// to be shown as they are, so every client reads them the same way.
/// </summary>
public static class ProblemText
{
    /// <summary>The problem's <c>detail</c> (else <c>title</c>), trimmed; null when the body is no problem JSON.</summary>
    public static string? Of(string? body)
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            return null;
        }
        try
        {
            using var json = JsonDocument.Parse(body);
            if (json.RootElement.ValueKind != JsonValueKind.Object)
            {
                return null;
            }
            foreach (var name in (string[])["detail", "title"])
            {
                if (json.RootElement.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
                    && value.GetString() is { } text && !string.IsNullOrWhiteSpace(text))
                {
                    return text.Trim();
                }
            }
        }
        catch (JsonException)
        {
            // Not JSON (a proxy's HTML error page, say): there is no sentence to show.
        }
        return null;
    }

    /// <summary>The problem's <c>type</c> URI (one of <see cref="ProblemTypes"/>); null when the body is no problem JSON or has none.</summary>
    public static string? TypeOf(string? body)
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            return null;
        }
        try
        {
            using var json = JsonDocument.Parse(body);
            return json.RootElement.ValueKind == JsonValueKind.Object && json.RootElement.TryGetProperty("type", out var type) &&
                type.ValueKind == JsonValueKind.String ? type.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
