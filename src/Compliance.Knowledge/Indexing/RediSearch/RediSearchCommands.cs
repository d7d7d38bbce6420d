using System.Globalization;

namespace Compliance.Knowledge.Indexing.RediSearch;

/// <summary>
/// Argument lists of the RediSearch commands the index sends (the command name is not included). Pure functions,
/// so the exact commands are unit-tested without a server.
/// </summary>
public static class RediSearchCommands
{
    /// <summary><c>FT.CREATE</c>: TEXT search forms of title (weighted) and text, case-sensitive TAG filters, NUMERIC ordinal/effective date, HNSW cosine vector.</summary>
    public static object[] CreateIndex(RediSearchIndexOptions options, int dimensions)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(dimensions, 1);
        return
        [
            options.IndexName, "ON", "HASH", "PREFIX", "1", options.KeyPrefix, "SCHEMA",
            // The search forms are indexed, not the originals: RediSearch's tokenizer would glue words at line
            // breaks and typographic punctuation (see RediSearchSearchForm).
            RediSearchFields.TitleTerms, "TEXT", "WEIGHT", Invariant(options.TitleWeight),
            RediSearchFields.TextTerms, "TEXT", "WEIGHT", "1",
            // CASESENSITIVE: TAG values are otherwise lower-cased on both sides, so tenant "A" would see tenant "a"'s
            // chunks and a tag filter would widen; the embedded index compares exactly.
            RediSearchFields.Tenant, "TAG", "SEPARATOR", ",", "CASESENSITIVE",
            RediSearchFields.Document, "TAG", "SEPARATOR", ",", "CASESENSITIVE",
            RediSearchFields.Version, "TAG", "SEPARATOR", ",", "CASESENSITIVE",
            RediSearchFields.Status, "TAG", "SEPARATOR", ",", "CASESENSITIVE",
            RediSearchFields.Tags, "TAG", "SEPARATOR", ",", "CASESENSITIVE",
            RediSearchFields.Ordinal, "NUMERIC",
            RediSearchFields.Effective, "NUMERIC",
            RediSearchFields.Vector, "VECTOR", "HNSW", "12",
            "TYPE", "FLOAT32", "DIM", Invariant(dimensions), "DISTANCE_METRIC", "COSINE",
            "M", Invariant(options.HnswM), "EF_CONSTRUCTION", Invariant(options.HnswEfConstruction), "EF_RUNTIME", Invariant(options.HnswEfRuntime),
        ];
    }

    /// <summary>
    /// <c>FT.SEARCH</c> BM25 over title and text under the filter, or null when the user text has no searchable
    /// term. The scorer follows the module version (BM25STD from 2.8, BM25 before).
    /// </summary>
    public static object[]? TextSearch(RediSearchIndexOptions options, string userText, SearchFilter filter, int limit, SearchModuleVersion version)
    {
        ArgumentNullException.ThrowIfNull(options);
        var terms = RediSearchSyntax.TextClause(userText);
        if (terms is null)
        {
            return null;
        }
        var arguments = new List<object>
        {
            options.IndexName, RediSearchSyntax.FilterClause(filter) + " " + terms,
            "SCORER", version.TextScorer, "WITHSCORES",
        };
        AddReturn(arguments, RediSearchFields.Returned);
        arguments.AddRange(["LIMIT", "0", Invariant(limit), "DIALECT", "2"]);
        return [.. arguments];
    }

    /// <summary><c>FT.SEARCH</c> KNN with the filter applied before ranking, nearest first, the vector as a binary parameter.</summary>
    public static object[] VectorSearch(RediSearchIndexOptions options, ReadOnlySpan<float> vector, SearchFilter filter, int limit)
    {
        ArgumentNullException.ThrowIfNull(options);
        var arguments = new List<object>
        {
            options.IndexName,
            string.Create(CultureInfo.InvariantCulture,
                $"({RediSearchSyntax.FilterClause(filter)})=>[KNN {limit} @{RediSearchFields.Vector} $B AS {RediSearchFields.Distance}]"),
            "SORTBY", RediSearchFields.Distance, "ASC",
        };
        AddReturn(arguments, [.. RediSearchFields.Returned, RediSearchFields.Distance]);
        arguments.AddRange(["LIMIT", "0", Invariant(limit), "PARAMS", "2", "B", RediSearchFields.VectorBytes(vector), "DIALECT", "2"]);
        return [.. arguments];
    }

    /// <summary><c>FT.SEARCH</c> for the keys of one document (or one version of it), ids only.</summary>
    public static object[] DocumentKeys(RediSearchIndexOptions options, Guid documentId, int? version, int batchSize)
    {
        ArgumentNullException.ThrowIfNull(options);
        var query = "@document:" + RediSearchSyntax.TagSet([RediSearchFields.DocumentTag(documentId)]);
        if (version is { } v)
        {
            query += " @version:" + RediSearchSyntax.TagSet([Invariant(v)]);
        }
        return [options.IndexName, query, "NOCONTENT", "LIMIT", "0", Invariant(batchSize), "DIALECT", "2"];
    }

    /// <summary><c>FT.AGGREGATE</c> counting distinct documents.</summary>
    public static object[] CountDocuments(RediSearchIndexOptions options) =>
        [options.IndexName, "*", "GROUPBY", "0", "REDUCE", "COUNT_DISTINCT", "1", "@" + RediSearchFields.Document, "AS", "documents", "DIALECT", "2"];

    private static void AddReturn(List<object> arguments, IReadOnlyCollection<string> fields)
    {
        arguments.Add("RETURN");
        arguments.Add(Invariant(fields.Count));
        arguments.AddRange(fields);
    }

    private static string Invariant(IFormattable value) => value.ToString(null, CultureInfo.InvariantCulture);
}
