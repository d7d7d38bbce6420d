using System.Globalization;

namespace Compliance.Knowledge.Indexing.RediSearch;

/// <summary>One document of an FT.SEARCH reply: its key, the score when asked WITHSCORES, and its returned fields.</summary>
public sealed record SearchReplyDocument(string Key, double? Score, IReadOnlyDictionary<string, string?> Fields);

/// <summary>Parses the nested replies of MODULE LIST, FT.SEARCH, FT.INFO and FT.AGGREGATE.</summary>
public static class RediSearchReplies
{
    /// <summary>
    /// The search module's version from MODULE LIST (entries of name/value pairs such as
    /// <c>name search ver 20838</c>), or null when no search module is loaded.
    /// </summary>
    public static SearchModuleVersion? SearchModule(RedisReply moduleList)
    {
        ArgumentNullException.ThrowIfNull(moduleList);
        foreach (var module in moduleList.Items ?? [])
        {
            var pairs = Pairs(module);
            if (pairs.TryGetValue("name", out var name) && name?.Text is { } text
                && (text.Equals("search", StringComparison.OrdinalIgnoreCase) || text.Equals("ft", StringComparison.OrdinalIgnoreCase)))
            {
                var version = pairs.TryGetValue("ver", out var ver) && int.TryParse(ver?.Text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number)
                    ? number
                    : 0;
                return new SearchModuleVersion(version);
            }
        }
        return null;
    }

    /// <summary>
    /// An FT.SEARCH reply: <c>[total, key, (score,) [field, value, ...], key, ...]</c>. With NOCONTENT there are
    /// only keys; pass <paramref name="withContent"/> false.
    /// </summary>
    public static IReadOnlyList<SearchReplyDocument> Search(RedisReply reply, bool withScores, bool withContent = true)
    {
        ArgumentNullException.ThrowIfNull(reply);
        var items = reply.Items ?? throw new FormatException($"FT.SEARCH replied {reply}, not an array.");
        if (items.Count == 0)
        {
            throw new FormatException("FT.SEARCH replied an empty array; expected the total first.");
        }
        var stride = 1 + (withScores ? 1 : 0) + (withContent ? 1 : 0);
        if ((items.Count - 1) % stride != 0)
        {
            throw new FormatException($"FT.SEARCH replied {items.Count - 1} elements after the total, not a multiple of {stride}.");
        }
        var documents = new List<SearchReplyDocument>((items.Count - 1) / stride);
        for (var i = 1; i < items.Count; i += stride)
        {
            var key = items[i].Text ?? throw new FormatException($"FT.SEARCH reply element {i} should be a key.");
            double? score = withScores ? ParseDouble(items[i + 1], "score") : null;
            var fields = withContent
                ? Pairs(items[i + stride - 1]).ToDictionary(p => p.Key, p => p.Value?.Text, StringComparer.Ordinal)
                : new Dictionary<string, string?>(StringComparer.Ordinal);
            documents.Add(new SearchReplyDocument(key, score, fields));
        }
        return documents;
    }

    /// <summary>A value of FT.INFO's flat name/value list (e.g. <c>num_docs</c>), or null when absent.</summary>
    public static string? InfoValue(RedisReply info, string name)
    {
        ArgumentNullException.ThrowIfNull(info);
        return Pairs(info).TryGetValue(name, out var value) ? value?.Text : null;
    }

    /// <summary>The vector field's DIM from FT.INFO's attributes, when the module reports it (2.8+ does).</summary>
    public static int? VectorDimensions(RedisReply info, string vectorField)
    {
        ArgumentNullException.ThrowIfNull(info);
        if (!Pairs(info).TryGetValue("attributes", out var attributes) || attributes?.Items is null)
        {
            return null;
        }
        foreach (var attribute in attributes.Items)
        {
            var items = attribute.Items ?? [];
            var isVector = items.Any(i => string.Equals(i.Text, vectorField, StringComparison.Ordinal));
            for (var i = 0; isVector && i < items.Count - 1; i++)
            {
                if (string.Equals(items[i].Text, "dim", StringComparison.OrdinalIgnoreCase)
                    && int.TryParse(items[i + 1].Text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var dim))
                {
                    return dim;
                }
            }
        }
        return null;
    }

    /// <summary>
    /// FT.INFO's schema: each attribute's name with the words that follow it (type and flags such as
    /// <c>TAG SEPARATOR , CASESENSITIVE</c>), upper-cased; empty when the reply has no attributes.
    /// </summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<string>> Attributes(RedisReply info)
    {
        ArgumentNullException.ThrowIfNull(info);
        var attributes = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        if (!Pairs(info).TryGetValue("attributes", out var list) || list?.Items is null)
        {
            return attributes;
        }
        foreach (var attribute in list.Items)
        {
            var words = (attribute.Items ?? []).Select(item => item.Text ?? "").ToList();
            var at = words.IndexOf("attribute");
            if (at >= 0 && at + 1 < words.Count)
            {
                attributes[words[at + 1]] = words.Skip(at + 2).Select(w => w.ToUpperInvariant()).ToList();
            }
        }
        return attributes;
    }

    /// <summary>The single value of a one-row FT.AGGREGATE reply <c>[1, [name, value]]</c>, or 0 for an empty index.</summary>
    public static long AggregateCount(RedisReply reply, string name)
    {
        ArgumentNullException.ThrowIfNull(reply);
        var rows = reply.Items ?? throw new FormatException($"FT.AGGREGATE replied {reply}, not an array.");
        if (rows.Count < 2)
        {
            return 0;
        }
        var value = Pairs(rows[1]).GetValueOrDefault(name)?.Text;
        return long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var count) ? count : 0;
    }

    private static Dictionary<string, RedisReply?> Pairs(RedisReply reply)
    {
        var items = reply.Items ?? throw new FormatException($"Expected a name/value array, got {reply}.");
        var pairs = new Dictionary<string, RedisReply?>(StringComparer.Ordinal);
        for (var i = 0; i + 1 < items.Count; i += 2)
        {
            if (items[i].Text is { } name)
            {
                pairs[name] = items[i + 1];
            }
        }
        return pairs;
    }

    private static double ParseDouble(RedisReply reply, string what) =>
        double.TryParse(reply.Text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new FormatException($"FT.SEARCH {what} '{reply}' is not a number.");
}
