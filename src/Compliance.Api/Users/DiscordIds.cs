namespace Compliance.Api.Users;

/// <summary>Discord snowflakes as the API accepts them: 15 to 21 ASCII digits.</summary>
public static class DiscordIds
{
    public static bool IsValid(string? value) => value is { Length: >= 15 and <= 21 } && value.All(char.IsAsciiDigit);

    /// <summary>A tenant: <c>global</c> or a Discord guild id.</summary>
    public static bool IsTenant(string? value) => value == Compliance.Knowledge.Indexing.Tenants.Global || IsValid(value);

    /// <summary>The validation message for a field that must hold one.</summary>
    public static string Expected(string field) => $"{field} is a Discord user id (15-21 digits).";
}
