using System.Text;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Compliance.Api.Persistence.EntityConfigurations;

/// <summary>
/// Stores enums as snake_case text (<c>rate_limited</c>) so the audit tables read without the code, and so adding a
/// member never renumbers existing rows.
/// </summary>
public sealed class SnakeCaseEnumConverter<TEnum>() : ValueConverter<TEnum, string>(
    value => SnakeCase.From(value.ToString()),
    text => Enum.Parse<TEnum>(text.Replace("_", string.Empty, StringComparison.Ordinal), true))
    where TEnum : struct, Enum;

/// <summary>PascalCase to snake_case.</summary>
public static class SnakeCase
{
    public static string From(string name)
    {
        var builder = new StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            if (char.IsUpper(name[i]) && i > 0)
            {
                builder.Append('_');
            }
            builder.Append(char.ToLowerInvariant(name[i]));
        }
        return builder.ToString();
    }
}
