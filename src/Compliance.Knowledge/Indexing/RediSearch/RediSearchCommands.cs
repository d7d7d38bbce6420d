using System.Globalization;
using NRedisStack.Search;
using NRedisStack.Search.Aggregation;
using static NRedisStack.Search.Schema.VectorField;

namespace Compliance.Knowledge.Indexing.RediSearch;

/// <summary>How a filtered KNN is run (the KNN clause's <c>HYBRID_POLICY</c>).</summary>
public enum KnnPolicy
{
    /// <summary>HNSW in batches of nearest vectors, each filtered, until K are found: fast when the filter admits most.</summary>
    Batches,

    /// <summary>An exact scan of every vector the filter admits: fast and exact when it admits few.</summary>
    AdHocBruteForce,
}

/// <summary>The FT.CREATE an index is made with: its options (ON HASH PREFIX ...) and its schema.</summary>
public sealed record RediSearchIndexDefinition(FTCreateParams Parameters, Schema Schema);

/// <summary>
/// The RediSearch commands the index sends, as NRedisStack's typed requests. Pure functions, so the exact commands
/// are unit-tested without a server (NRedisStack's <c>SearchCommandBuilder</c> turns them into arguments).
/// </summary>
public static class RediSearchCommands
{
    /// <summary>Dialect 2 is required for <c>PARAMS</c> (the KNN vector); every query uses it so they parse alike.</summary>
    public const int Dialect = 2;

    /// <summary>Name of the aggregate's distinct-document count.</summary>
    public const string DocumentCount = "documents";

    /// <summary><c>FT.CREATE</c>: TEXT search forms of title (weighted) and text, case-sensitive TAG filters, NUMERIC ordinal/effective date, HNSW cosine vector.</summary>
    public static RediSearchIndexDefinition CreateIndex(RediSearchIndexOptions options, int dimensions)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(dimensions, 1);
        var parameters = new FTCreateParams().On(NRedisStack.Search.Literals.Enums.IndexDataType.HASH).Prefix(options.KeyPrefix);
        var schema = new Schema()
            // The search forms are indexed, not the originals: RediSearch's tokenizer would glue words at line
            // breaks and typographic punctuation (see RediSearchSearchForm).
            .AddTextField(RediSearchFields.TitleTerms, weight: options.TitleWeight)
            .AddTextField(RediSearchFields.TextTerms, weight: 1.0);
        // CASESENSITIVE: TAG values are otherwise lower-cased on both sides, so tenant "A" would see tenant "a"'s
        // chunks and a tag filter would widen; the embedded index compares exactly.
        foreach (var tag in (string[])[RediSearchFields.Tenant, RediSearchFields.Document, RediSearchFields.Version, RediSearchFields.Status, RediSearchFields.Tags])
        {
            schema.AddTagField(tag, separator: ",", caseSensitive: true);
        }
        schema.AddNumericField(RediSearchFields.Ordinal)
            .AddNumericField(RediSearchFields.Effective)
            // NRedisStack leaves out M / EF_CONSTRUCTION / EF_RUNTIME when they equal the server's defaults (16, 200, 10).
            .AddHnswVectorField(RediSearchFields.Vector, VectorType.FLOAT32, dimensions, VectorDistanceMetric.CosineDistance,
                maxOutgoingConnections: options.HnswM, maxConnectedNeighbors: options.HnswEfConstruction, maxTopCandidates: options.HnswEfRuntime);
        return new RediSearchIndexDefinition(parameters, schema);
    }

    /// <summary>
    /// <c>FT.SEARCH</c> BM25 over title and text under the filter, or null when the user text has no searchable
    /// term. The scorer follows the module version (BM25STD from 2.8, BM25 before).
    /// </summary>
    public static Query? TextSearch(string userText, SearchFilter filter, int limit, SearchModuleVersion version, int? timeoutMilliseconds = null) =>
        TextSearch(RediSearchSyntax.SearchTerms(userText), filter, limit, version, timeoutMilliseconds);

    /// <summary>
    /// <c>FT.SEARCH</c> BM25 for these search-form terms (<see cref="RediSearchSyntax.SearchTerms"/>) under the
    /// filter, or null when there is none; with a server-side <c>TIMEOUT</c> when one is given.
    /// </summary>
    public static Query? TextSearch(IReadOnlyList<string> searchTerms, SearchFilter filter, int limit, SearchModuleVersion version, int? timeoutMilliseconds = null) =>
        TextSearch(new TextQueryTerms(searchTerms, []), filter, limit, version, timeoutMilliseconds);

    /// <summary>
    /// <c>FT.SEARCH</c> BM25 matching any of the terms' <see cref="TextQueryTerms.Matching"/> and scoring them with
    /// their <see cref="TextQueryTerms.ScoringOnly"/> too, under the filter; null when nothing is left to match.
    /// </summary>
    public static Query? TextSearch(TextQueryTerms searchTerms, SearchFilter filter, int limit, SearchModuleVersion version, int? timeoutMilliseconds = null) =>
        TextSearch(searchTerms, filter, limit, version, RediSearchFields.Returned, timeoutMilliseconds);

    /// <summary>
    /// The same <c>FT.SEARCH</c> asking back only <paramref name="returned"/> (<see cref="RediSearchFields.TextCandidate"/>
    /// for a candidate search); the matches, scores and order do not depend on what is returned.
    /// </summary>
    public static Query? TextSearch(TextQueryTerms searchTerms, SearchFilter filter, int limit, SearchModuleVersion version, IReadOnlyList<string> returned, int? timeoutMilliseconds = null)
    {
        ArgumentNullException.ThrowIfNull(returned);
        ArgumentNullException.ThrowIfNull(searchTerms);
        var terms = RediSearchSyntax.TextClause(searchTerms.Matching, searchTerms.ScoringOnly);
        if (terms is null)
        {
            return null;
        }
        var query = new Query(RediSearchSyntax.FilterClause(filter) + " " + terms)
            .SetScorer(version.TextScorer)
            .SetWithScores(true)
            .ReturnFields([.. returned])
            .Limit(0, limit)
            .Dialect(Dialect);
        return timeoutMilliseconds is { } timeout ? query.Timeout(timeout) : query;
    }

    /// <summary>
    /// <c>FT.SEARCH</c> counting the chunks one search-form term matches in the whole index (stemmed, as the text
    /// search matches it), without returning any: <c>LIMIT 0 0</c>.
    /// </summary>
    public static Query TermCount(string searchTerm, int? timeoutMilliseconds = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(searchTerm);
        var query = new Query(RediSearchSyntax.Escape(searchTerm)).SetNoContent(true).Limit(0, 0).Dialect(Dialect);
        return timeoutMilliseconds is { } timeout ? query.Timeout(timeout) : query;
    }

    /// <summary>
    /// How the KNN meets its filter. A filter of tenant and status only admits most of the index (the global
    /// chunks), and RediSearch's planner then picks an ad-hoc brute-force scan of every admitted vector whenever
    /// K &gt; 12 at 30k-300k vectors (53 ms at 100k chunks); <c>BATCHES</c> walks the HNSW graph in batches and
    /// filters them (3.5 ms). A filter that also names documents or tags admits few chunks, where batches would
    /// need many rounds and the exact scan of the few admitted vectors is both fast and exact.
    /// </summary>
    public static KnnPolicy KnnPolicyFor(SearchFilter filter)
    {
        ArgumentNullException.ThrowIfNull(filter);
        return filter.DocumentIds is { Count: > 0 } || filter.Tags is { Count: > 0 } ? KnnPolicy.AdHocBruteForce : KnnPolicy.Batches;
    }

    /// <summary>
    /// <c>FT.SEARCH</c> KNN with the filter applied before ranking (<see cref="KnnPolicyFor"/> decides how), nearest
    /// first, the vector as a binary parameter; with a server-side <c>TIMEOUT</c> when one is given.
    /// </summary>
    public static Query VectorSearch(ReadOnlySpan<float> vector, SearchFilter filter, int limit, int batchSize = 100, int? timeoutMilliseconds = null) =>
        VectorSearch(vector, filter, limit, [.. RediSearchFields.Returned, RediSearchFields.Distance], batchSize, timeoutMilliseconds);

    /// <summary>
    /// The same KNN asking back only <paramref name="returned"/> (<see cref="RediSearchFields.VectorCandidate"/> for a
    /// candidate search); include <see cref="RediSearchFields.Distance"/> for the similarity.
    /// </summary>
    public static Query VectorSearch(ReadOnlySpan<float> vector, SearchFilter filter, int limit, IReadOnlyList<string> returned, int batchSize = 100, int? timeoutMilliseconds = null)
    {
        ArgumentNullException.ThrowIfNull(returned);
        var policy = KnnPolicyFor(filter) switch
        {
            KnnPolicy.Batches => string.Create(CultureInfo.InvariantCulture, $" HYBRID_POLICY BATCHES BATCH_SIZE {Math.Max(batchSize, limit)}"),
            _ => " HYBRID_POLICY ADHOC_BF",
        };
        var query = new Query(string.Create(CultureInfo.InvariantCulture,
                $"({RediSearchSyntax.FilterClause(filter)})=>[KNN {limit} @{RediSearchFields.Vector} $B{policy} AS {RediSearchFields.Distance}]"))
            .SetSortBy(RediSearchFields.Distance, ascending: true)
            .ReturnFields([.. returned])
            .Limit(0, limit)
            .AddParam("B", RediSearchFields.VectorBytes(vector))
            .Dialect(Dialect);
        return timeoutMilliseconds is { } timeout ? query.Timeout(timeout) : query;
    }

    /// <summary><c>FT.SEARCH</c> for the keys of one document (or one version of it), ids only.</summary>
    public static Query DocumentKeys(Guid documentId, int? version, int batchSize)
    {
        var query = "@document:" + RediSearchSyntax.TagSet([RediSearchFields.DocumentTag(documentId)]);
        if (version is { } v)
        {
            query += " @version:" + RediSearchSyntax.TagSet([v.ToString(CultureInfo.InvariantCulture)]);
        }
        return new Query(query).SetNoContent(true).Limit(0, batchSize).Dialect(Dialect).Timeout(MaintenanceTimeoutMilliseconds);
    }

    /// <summary>
    /// Server-side limit of the commands that walk the whole index (the document count, a document's keys): with
    /// <c>ON_TIMEOUT FAIL</c> the module's default 500 ms would fail them on a large, busy index, and they are not on
    /// a user's question path.
    /// </summary>
    public const int MaintenanceTimeoutMilliseconds = 10_000;

    /// <summary><c>FT.AGGREGATE</c> counting distinct documents.</summary>
    public static AggregationRequest CountDocuments() =>
        new AggregationRequest("*", Dialect).GroupBy([], [Reducers.CountDistinct("@" + RediSearchFields.Document).As(DocumentCount)])
            .Timeout(MaintenanceTimeoutMilliseconds);
}
