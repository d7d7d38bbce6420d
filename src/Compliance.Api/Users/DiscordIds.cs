using System.Globalization;

namespace Compliance.Api.Users;

/// <summary>
/// Discord snowflakes as the API accepts them: the canonical decimal form only — 15 to 20 ASCII digits, no leading
/// zero, at most 2^64-1 — so one user has exactly one id. (<c>0123…</c> and <c>123…</c> would otherwise be two users,
/// each with their own per-minute limit, ban and erasure.) Every id that enters the API goes through here.
/// </summary>
public static class DiscordIds
{
    public static bool IsValid(string? value) =>
        value is { Length: >= 15 and <= 20 } && value[0] != '0' && value.All(char.IsAsciiDigit) &&
        ulong.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out _);

    /// <summary>A tenant: <c>global</c> or a Discord guild id.</summary>
    public static bool IsTenant(string? value) => value == Compliance.Knowledge.Indexing.Tenants.Global || IsValid(value);

    /// <summary>The validation message for a field that must hold one.</summary>
    public static string Expected(string field) => $"{field} is a Discord id: 15-20 digits, no leading zero.";
}
