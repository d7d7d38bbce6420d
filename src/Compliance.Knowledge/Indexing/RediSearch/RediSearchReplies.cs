using System.Globalization;
using NRedisStack.Search.DataTypes;
using StackExchange.Redis;

namespace Compliance.Knowledge.Indexing.RediSearch;

/// <summary>
/// What the index reads from replies beyond what NRedisStack types: the module version from MODULE LIST (not a
/// RediSearch command, so NRedisStack has no type for it), and the schema facts the index checks in FT.INFO.
/// </summary>
public static class RediSearchReplies
{
    /// <summary>
    /// The search module's version from MODULE LIST (entries of name/value pairs such as
    /// <c>name search ver 20838</c>), or null when no search module is loaded.
    /// </summary>
    public static SearchModuleVersion? SearchModule(RedisResult moduleList)
    {
        ArgumentNullException.ThrowIfNull(moduleList);
        foreach (var module in (RedisResult[]?)moduleList ?? [])
        {
            var pairs = module.ToDictionary();
            if (pairs.TryGetValue("name", out var name) && (string?)name is { } text
                && (text.Equals("search", StringComparison.OrdinalIgnoreCase) || text.Equals("ft", StringComparison.OrdinalIgnoreCase)))
            {
                var version = pairs.TryGetValue("ver", out var ver) && int.TryParse((string?)ver, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number)
                    ? number
                    : 0;
                return new SearchModuleVersion(version);
            }
        }
        return null;
    }

    /// <summary>The vector field's DIM from FT.INFO's attributes, when the module reports it (2.8+ does).</summary>
    public static int? VectorDimensions(InfoResult info, string vectorField)
    {
        ArgumentNullException.ThrowIfNull(info);
        var attribute = Attribute(info, vectorField);
        var dim = attribute?.FirstOrDefault(p => p.Key.Equals("dim", StringComparison.OrdinalIgnoreCase)).Value;
        return dim is not null && int.TryParse((string?)dim, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : null;
    }

    /// <summary>
    /// Whether FT.INFO describes the schema this version creates (indexed search forms, case-sensitive tenant TAG);
    /// null when the module did not describe its schema.
    /// </summary>
    public static bool? HasCurrentSchema(InfoResult info)
    {
        ArgumentNullException.ThrowIfNull(info);
        if (info.Attributes is not { Length: > 0 })
        {
            return null;
        }
        var tenant = Attribute(info, RediSearchFields.Tenant);
        return Attribute(info, RediSearchFields.TextTerms) is not null
            && tenant is not null && tenant.Keys.Any(k => k.Equals("CASESENSITIVE", StringComparison.OrdinalIgnoreCase));
    }

    private static Dictionary<string, RedisResult>? Attribute(InfoResult info, string name) =>
        info.Attributes?.FirstOrDefault(a => a.TryGetValue("attribute", out var attribute) && (string?)attribute == name);
}
