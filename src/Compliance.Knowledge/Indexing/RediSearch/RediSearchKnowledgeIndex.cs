using System.Globalization;
using Compliance.Knowledge.Indexing.Embedded;
using NRedisStack;
using NRedisStack.RedisStackCommands;
using NRedisStack.Search;
using NRedisStack.Search.DataTypes;
using StackExchange.Redis;

namespace Compliance.Knowledge.Indexing.RediSearch;

/// <summary>
/// The production index: chunks as Redis hashes covered by a RediSearch index (BM25 text, HNSW cosine vectors,
/// TAG filters). Commands go through NRedisStack's <see cref="SearchCommandsAsync"/>; what they ask for is built
/// in <see cref="RediSearchCommands"/>. The connection must speak RESP2 (see RedisUrl in the API).
/// </summary>
public sealed class RediSearchKnowledgeIndex : IKnowledgeIndex, ICandidateSearch, IDisposable
{
    private const int DeleteBatchSize = 500;

    private readonly IDatabase _database;
    private readonly SearchCommandsAsync _search;
    private readonly RediSearchIndexOptions _options;
    private const string EmbeddingModelField = "embedding_model";

    private readonly RediSearchTermCounts _termCounts = new(TimeProvider.System);
    private readonly Lazy<EmbeddedBm25Rescorer> _rescorer = new(() => new EmbeddedBm25Rescorer());
    private SearchModuleVersion? _module;
    private int? _dimensions;
    private string? _model;

    public RediSearchKnowledgeIndex(IDatabase database, RediSearchIndexOptions options)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _database = database;
        _search = database.FT(RediSearchCommands.Dialect);
        _options = options;
    }

    public string Backend => "redisearch";

    /// <summary>The module version found by <see cref="EnsureCreatedAsync"/>.</summary>
    public SearchModuleVersion? ModuleVersion => _module;

    public async Task EnsureCreatedAsync(int dimensions, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dimensions, 1);
        _module ??= await DetectModuleAsync();
        await RequireFailOnTimeoutAsync();
        var info = await TryInfoAsync();
        if (info is null)
        {
            var definition = RediSearchCommands.CreateIndex(_options, dimensions);
            await _search.CreateAsync(_options.IndexName, definition.Parameters, definition.Schema);
            await _database.HashSetAsync(_options.MetadataKey, "dimensions", dimensions);
            await AwaitInitialScanAsync(cancellationToken);
        }
        else
        {
            RequireCurrentSchema(info);
            var stored = (int?)await _database.HashGetAsync(_options.MetadataKey, "dimensions")
                ?? RediSearchReplies.VectorDimensions(info, RediSearchFields.Vector);
            if (stored is { } existing && existing != dimensions)
            {
                throw new InvalidOperationException(
                    $"The RediSearch index '{_options.IndexName}' holds {existing}-dimensional vectors but {dimensions} were requested " +
                    "(a different embedding model?); re-index under another index name or drop this index.");
            }
        }
        _dimensions = dimensions;
    }

    public async Task UpsertAsync(IReadOnlyList<ChunkRecord> chunks, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(chunks);
        var dimensions = RequireOpen();
        foreach (var chunk in chunks)
        {
            ChunkValidation.Validate(chunk, dimensions);
        }
        if (chunks.Count == 0)
        {
            return;
        }
        if (_model is not null && chunks.Any(c => c.Embedding is not null))
        {
            // The index is shared by every instance: one started with another model owns its vectors now.
            var recorded = (string?)await _database.HashGetAsync(_options.MetadataKey, EmbeddingModelField);
            if (recorded != _model)
            {
                throw new InvalidOperationException(
                    $"The RediSearch index '{_options.IndexName}' now holds vectors of the embedding model '{recorded}', not '{_model}' " +
                    "that this instance embeds with; vectors of two models are never mixed. Restart this instance with the index's model.");
            }
        }
        // Delete-then-write in one MULTI, so a replaced chunk loses fields it no longer has (e.g. its vector)
        // and no search sees it half written.
        var transaction = _database.CreateTransaction();
        var writes = new List<Task>(chunks.Count * 2);
        var terms = _rescorer.Value.StoredTerms(chunks);
        for (var i = 0; i < chunks.Count; i++)
        {
            RedisKey key = _options.KeyPrefix + chunks[i].ChunkId;
            writes.Add(transaction.KeyDeleteAsync(key));
            writes.Add(transaction.HashSetAsync(key, RediSearchFields.ToHash(chunks[i], terms[i])));
        }
        if (!await transaction.ExecuteAsync())
        {
            throw new InvalidOperationException("Redis refused the upsert transaction.");
        }
        await Task.WhenAll(writes);
        _termCounts.Clear();
    }

    public async Task<int> DeleteDocumentAsync(Guid documentId, int? version, CancellationToken cancellationToken)
    {
        RequireOpen();
        var deleted = 0;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var found = await _search.SearchAsync(_options.IndexName, RediSearchCommands.DocumentKeys(documentId, version, DeleteBatchSize));
            var keys = found.Documents.Select(d => (RedisKey)d.Id).ToArray();
            if (keys.Length == 0)
            {
                return deleted;
            }
            var removed = (int)await _database.KeyDeleteAsync(keys);
            deleted += removed;
            _termCounts.Clear();
            if (removed == 0)
            {
                // The index listed keys that no longer exist; stop rather than loop on a stale index.
                return deleted;
            }
        }
    }

    /// <summary>
    /// BM25 over the OR of the query's terms, narrowed by how many chunks each term matches
    /// (<see cref="TextQueryPlan"/>): rare terms are OR-ed, terms in <see cref="RediSearchIndexOptions.FrequentTermShare"/>
    /// of the index or more only score what the rare ones find, and terms in over half the index are left out.
    /// Walking the posting lists of frequent and common terms was most of a query's time at 100k chunks, and their
    /// weight in BM25 is the smallest. When a narrowed query finds fewer than <paramref name="limit"/> chunks, the
    /// next, wider one is run, up to every term, so chunks matched only by common terms still fill the list, as in
    /// the embedded index.
    /// </summary>
    public async Task<IReadOnlyList<RankedChunk>> SearchTextAsync(string query, SearchFilter filter, int limit, CancellationToken cancellationToken)
    {
        var search = await SearchTextPlanAsync(query, filter, limit, RediSearchFields.Returned);
        if (search is not { } done)
        {
            return [];
        }
        var results = TextResults(done.Found);
        return _options.RescoreWithEmbeddedBm25
            ? _rescorer.Value.Rescore(done.Terms, done.Counts, done.Rows, _termCounts.AverageLength, _options.TitleWeight, results)
            : results;
    }

    /// <summary>
    /// <see cref="SearchTextAsync"/>'s ranking as ids and scores: the same queries asking back the id, document, title
    /// and text length instead of every field. The BM25 re-ranking takes the tokens of chunks it has seen from its
    /// cache and fetches the title and text of the others (one pipelined HMGET), so only those cross the network.
    /// </summary>
    public async Task<IReadOnlyList<RankedCandidate>> SearchTextCandidatesAsync(string query, SearchFilter filter, int limit, CancellationToken cancellationToken)
    {
        var search = await SearchTextPlanAsync(query, filter, limit, _options.RescoreWithEmbeddedBm25 ? RediSearchFields.TextCandidate : [RediSearchFields.ChunkId, RediSearchFields.Document]);
        if (search is not { } done)
        {
            return [];
        }
        var documents = done.Found.Documents;
        var candidates = new RankedCandidate[documents.Count];
        for (var i = 0; i < documents.Count; i++)
        {
            candidates[i] = new RankedCandidate(Required(documents[i], RediSearchFields.ChunkId), DocumentOf(documents[i]), i + 1, documents[i].Score);
        }
        if (!_options.RescoreWithEmbeddedBm25 || candidates.Length == 0)
        {
            return candidates;
        }
        var rescorer = _rescorer.Value;
        var tokens = new TokenizedRow[candidates.Length];
        var missing = new List<int>();
        for (var i = 0; i < candidates.Length; i++)
        {
            var title = (string?)documents[i][RediSearchFields.Title] ?? "";
            if (!(int.TryParse((string?)documents[i][RediSearchFields.TextLength], NumberStyles.Integer, CultureInfo.InvariantCulture, out var textLength)
                && rescorer.TryGetTokens(candidates[i].ChunkId, title, textLength, out tokens[i])))
            {
                missing.Add(i);
            }
        }
        if (missing.Count > 0)
        {
            await ReadTokensAsync(rescorer, candidates, missing, tokens);
        }
        var scores = rescorer.Scores(done.Terms, done.Counts, done.Rows, _termCounts.AverageLength, _options.TitleWeight, tokens);
        return [.. EmbeddedBm25Rescorer.Order(scores).Select((row, i) => candidates[row] with { Rank = i + 1, Score = scores[row] })];
    }

    /// <summary>
    /// The tokens of the candidates the re-ranking has not seen: their stored terms (<see cref="RediSearchFields.Bm25Terms"/>)
    /// in one pipelined HMGET, and for hashes written before those were stored, their text, tokenised here.
    /// </summary>
    private async Task ReadTokensAsync(EmbeddedBm25Rescorer rescorer, RankedCandidate[] candidates, List<int> missing, TokenizedRow[] tokens)
    {
        RedisValue[] fields = [RediSearchFields.Title, RediSearchFields.TextLength, RediSearchFields.Bm25Terms];
        var batch = _database.CreateBatch();
        var reads = missing.Select(i => batch.HashGetAsync(_options.KeyPrefix + candidates[i].ChunkId, fields)).ToList();
        batch.Execute();
        var stored = await Task.WhenAll(reads);
        var unstored = new List<int>();
        for (var j = 0; j < missing.Count; j++)
        {
            var row = missing[j];
            if (EmbeddedBm25Rescorer.ParseStoredTerms((string?)stored[j][2]) is { } parsed
                && int.TryParse((string?)stored[j][1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var textLength))
            {
                tokens[row] = parsed;
                rescorer.Remember(candidates[row].ChunkId, (string?)stored[j][0] ?? "", textLength, parsed);
            }
            else
            {
                unstored.Add(row);
            }
        }
        if (unstored.Count == 0)
        {
            return;
        }
        batch = _database.CreateBatch();
        var texts = unstored.Select(i => batch.HashGetAsync(_options.KeyPrefix + candidates[i].ChunkId, [RediSearchFields.Title, RediSearchFields.Text])).ToList();
        batch.Execute();
        var read = await Task.WhenAll(texts);
        // A chunk deleted since the search scores from an empty text; fusion's load leaves it out.
        var fresh = rescorer.Tokenize([.. unstored.Select((row, j) => (candidates[row].ChunkId, (string?)read[j][0] ?? "", (string?)read[j][1] ?? ""))]);
        for (var j = 0; j < unstored.Count; j++)
        {
            tokens[unstored[j]] = fresh[j];
        }
    }

    /// <summary>
    /// Runs <see cref="TextQueryPlan"/>'s queries, narrowest first, until one finds <paramref name="limit"/> chunks;
    /// null when the question has no searchable term.
    /// </summary>
    private async Task<TextSearchDone?> SearchTextPlanAsync(string query, SearchFilter filter, int limit, IReadOnlyList<string> returned)
    {
        ArgumentNullException.ThrowIfNull(filter);
        RequireOpen();
        ValidateFilter(filter);
        var terms = RediSearchSyntax.SearchTerms(query);
        if (terms.Count == 0 || limit <= 0)
        {
            return null;
        }
        var (rows, counts) = await TermCountsAsync(terms);
        var plan = TextQueryPlan.For(terms, counts, rows, _options.FrequentTermShare);
        SearchResult? found = null;
        foreach (var attempt in plan)
        {
            found = await SearchAsync(RediSearchCommands.TextSearch(attempt, filter, limit, _module!.Value, returned, _options.QueryTimeoutMilliseconds)!);
            if (found.Documents.Count >= limit)
            {
                break;
            }
        }
        return new TextSearchDone(terms, counts, rows, found!);
    }

    private readonly record struct TextSearchDone(IReadOnlyList<string> Terms, long[] Counts, long Rows, SearchResult Found);

    private static string Required(Document document, string field) =>
        (string?)document[field] ?? throw new FormatException($"A RediSearch result has no '{field}' field; the hash was not written by this index.");

    private static Guid DocumentOf(Document document) => Guid.ParseExact(Required(document, RediSearchFields.Document), "N");

    private static List<RankedChunk> TextResults(SearchResult found) =>
        found.Documents.Select((document, i) => new RankedChunk(RediSearchFields.FromDocument(document), i + 1, document.Score)).ToList();

    /// <summary>
    /// How many chunks the index holds and each term matches. Counts are remembered for a few minutes
    /// (<see cref="RediSearchTermCounts"/>); the missing ones are asked in one pipeline.
    /// </summary>
    private async Task<(long Rows, long[] Counts)> TermCountsAsync(IReadOnlyList<string> terms)
    {
        var rows = _termCounts.Rows;
        if (rows is null)
        {
            var info = await TryInfoAsync() ?? throw new InvalidOperationException($"The RediSearch index '{_options.IndexName}' no longer exists.");
            rows = info.NumDocs;
            // Tokens per chunk, estimated from what FT.INFO reports: (term, chunk) records per chunk times positions
            // per record. It counts a stemmed word's "+stem" record as well, so it runs above the true length.
            _termCounts.SetRows(rows.Value, info.RecordsPerDocAvg * info.OffsetsPerTermAvg);
        }
        var counts = new long[terms.Count];
        var asked = new List<(int Slot, Task<SearchResult> Count)>();
        for (var i = 0; i < terms.Count; i++)
        {
            if (!_termCounts.TryGet(terms[i], out counts[i]))
            {
                asked.Add((i, SearchAsync(RediSearchCommands.TermCount(terms[i], _options.QueryTimeoutMilliseconds))));
            }
        }
        foreach (var (slot, count) in asked)
        {
            counts[slot] = (await count).TotalResults;
            _termCounts.Set(terms[slot], counts[slot]);
        }
        return (rows.Value, counts);
    }

    /// <summary>FT.SEARCH that turns RediSearch's timeout refusal into <see cref="SearchTimeoutException"/>.</summary>
    private async Task<SearchResult> SearchAsync(Query query)
    {
        try
        {
            return await _search.SearchAsync(_options.IndexName, query);
        }
        catch (RedisServerException error) when (SearchTimeoutException.IsTimeoutReply(error))
        {
            throw new SearchTimeoutException(string.Create(CultureInfo.InvariantCulture,
                $"A search of the RediSearch index '{_options.IndexName}' passed its {_options.QueryTimeoutMilliseconds} ms timeout; it was refused rather than answered from part of the index."), error);
        }
    }

    public async Task<IReadOnlyList<RankedChunk>> SearchVectorAsync(ReadOnlyMemory<float> vector, SearchFilter filter, int limit, CancellationToken cancellationToken)
    {
        var found = await SearchKnnAsync(vector, filter, limit, [.. RediSearchFields.Returned, RediSearchFields.Distance]);
        return [.. found.Select((document, i) => new RankedChunk(RediSearchFields.FromDocument(document), i + 1, Similarity(document)))];
    }

    private async Task<List<Document>> SearchKnnAsync(ReadOnlyMemory<float> vector, SearchFilter filter, int limit, IReadOnlyList<string> returned)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var dimensions = RequireOpen();
        ValidateFilter(filter);
        if (vector.Length != dimensions)
        {
            throw new ArgumentException($"The query vector has {vector.Length} dimensions; this index holds {dimensions}-dimensional vectors.", nameof(vector));
        }
        if (limit <= 0)
        {
            return [];
        }
        var found = await SearchAsync(RediSearchCommands.VectorSearch(vector.Span, filter, limit, returned, _options.KnnBatchSize, _options.QueryTimeoutMilliseconds));
        return found.Documents;
    }

    /// <summary><see cref="SearchVectorAsync"/>'s ranking as ids and similarities: the same KNN asking back the id, document and distance only.</summary>
    public async Task<IReadOnlyList<RankedCandidate>> SearchVectorCandidatesAsync(ReadOnlyMemory<float> vector, SearchFilter filter, int limit, CancellationToken cancellationToken)
    {
        var found = await SearchKnnAsync(vector, filter, limit, RediSearchFields.VectorCandidate);
        return [.. found.Select((document, i) => new RankedCandidate(Required(document, RediSearchFields.ChunkId), DocumentOf(document), i + 1, Similarity(document)))];
    }

    /// <summary>One pipelined HMGET of every returned field per chunk; chunks gone or no longer admitted by the filter are left out.</summary>
    public async Task<IReadOnlyDictionary<string, ChunkRecord>> LoadChunksAsync(IReadOnlyCollection<string> chunkIds, SearchFilter filter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(chunkIds);
        ArgumentNullException.ThrowIfNull(filter);
        RequireOpen();
        var fields = RediSearchFields.Returned.Select(f => (RedisValue)f).ToArray();
        var batch = _database.CreateBatch();
        var reads = chunkIds.Select(id => (Id: id, Read: batch.HashGetAsync(_options.KeyPrefix + id, fields))).ToList();
        batch.Execute();
        var chunks = new Dictionary<string, ChunkRecord>(StringComparer.Ordinal);
        foreach (var (id, read) in reads)
        {
            var values = await read;
            if (values.All(v => v.IsNull))
            {
                continue;
            }
            var chunk = RediSearchFields.FromFields(RediSearchFields.Returned.Select((field, i) => (field, (string?)values[i]))
                .Where(pair => pair.Item2 is not null).ToDictionary(pair => pair.field, pair => pair.Item2, StringComparer.Ordinal));
            if (filter.Admits(chunk))
            {
                chunks[id] = chunk;
            }
        }
        return chunks;
    }

    // COSINE distance is 1 - cosine similarity; report similarity like the embedded index does.
    private static double Similarity(Document document) =>
        1.0 - double.Parse((string?)document[RediSearchFields.Distance] ?? "1", NumberStyles.Float, CultureInfo.InvariantCulture);

    public async Task<IndexStatistics> GetStatisticsAsync(CancellationToken cancellationToken)
    {
        var dimensions = RequireOpen();
        var info = await TryInfoAsync() ?? throw new InvalidOperationException($"The RediSearch index '{_options.IndexName}' no longer exists.");
        var chunks = info.NumDocs;
        long documents = 0;
        if (chunks > 0)
        {
            var aggregate = await _search.AggregateAsync(_options.IndexName, RediSearchCommands.CountDocuments());
            documents = aggregate.TotalResults > 0 ? aggregate.GetRow(0).GetLong(RediSearchCommands.DocumentCount) : 0;
        }
        return new IndexStatistics(chunks, documents, null, dimensions, Backend, "RediSearch " + _module);
    }

    public async Task<EmbeddingModelChange> UseEmbeddingModelAsync(string model, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(model);
        RequireOpen();
        var previous = (string?)await _database.HashGetAsync(_options.MetadataKey, EmbeddingModelField);
        if (previous == model)
        {
            _model = model;
            return new EmbeddingModelChange(previous, false, 0);
        }

        // Recorded first, so an instance still running the old model stops writing vectors (UpsertAsync checks it)
        // before they are removed; then every chunk hash loses its vector field, which takes it out of the KNN index.
        await _database.HashSetAsync(_options.MetadataKey, EmbeddingModelField, model);
        _model = model;
        long removed = 0;
        long cursor = 0;
        do
        {
            cancellationToken.ThrowIfCancellationRequested();
            var reply = (RedisResult[])(await _database.ExecuteAsync("SCAN", cursor, "MATCH", _options.KeyPrefix + "*", "COUNT", 1000))!;
            cursor = long.Parse((string)reply[0]!, CultureInfo.InvariantCulture);
            var keys = (RedisKey[])reply[1]!;
            if (keys.Length > 0)
            {
                var batch = _database.CreateBatch();
                var deletes = keys.Select(key => batch.HashDeleteAsync(key, RediSearchFields.Vector)).ToList();
                batch.Execute();
                removed += (await Task.WhenAll(deletes)).Count(deleted => deleted);
            }
        }
        while (cursor != 0);
        return new EmbeddingModelChange(previous, true, removed);
    }

    public void Dispose()
    {
        if (_rescorer.IsValueCreated)
        {
            _rescorer.Value.Dispose();
        }
    }

    /// <summary>Drops the index and every chunk hash it covers (tests, and rebuilding after a model change).</summary>
    public async Task DropAsync()
    {
        if (await TryInfoAsync() is not null)
        {
            await _search.DropIndexAsync(_options.IndexName, dd: true);
        }
        _termCounts.Clear();
        await _database.KeyDeleteAsync(_options.MetadataKey);
    }

    /// <summary>
    /// FT.CREATE starts a background scan of the whole keyspace for existing hashes under the prefix. A chunk written
    /// while it runs is indexed on write and again when the scan reaches it; the second copy's records stay in the
    /// posting lists until the module's GC removes them, inflating FT.INFO's records per chunk (the re-ranking's
    /// average length) and RediSearch's own term statistics by an amount that depends on timing. On a Redis holding
    /// another 100k-chunk index this moved ObliQA recall@10 through RediSearch between 0.742 and 0.771 from run to
    /// run (docs/retrieval-quality.md). Waiting for the scan (seconds, once, when the index is created) avoids it.
    /// </summary>
    private async Task AwaitInitialScanAsync(CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + InitialScanLimit;
        while (DateTime.UtcNow < deadline && await TryInfoAsync() is { } info && info.PercentIndexed < 1)
        {
            await Task.Delay(50, cancellationToken);
        }
    }

    /// <summary>How long creating an index waits for its initial keyspace scan before going on anyway.</summary>
    private static readonly TimeSpan InitialScanLimit = TimeSpan.FromMinutes(2);

    /// <summary>
    /// An index made before the search-form fields and case-sensitive TAGs would still answer, but would miss words
    /// at line breaks and let tenant ids match regardless of case; refuse it rather than search it silently.
    /// </summary>
    private void RequireCurrentSchema(InfoResult info)
    {
        if (RediSearchReplies.HasCurrentSchema(info) == false)
        {
            throw new InvalidOperationException(
                $"The RediSearch index '{_options.IndexName}' was created by an older version of this application (no " +
                $"'{RediSearchFields.TextTerms}' field or case-insensitive tenant TAG). Drop it (FT.DROPINDEX {_options.IndexName} DD) " +
                "and re-index the documents, or set another index name.");
        }
    }

    /// <summary>
    /// RediSearch answers a query that passes its timeout with the results found so far and no error, unless the
    /// module's <c>ON_TIMEOUT</c> is <c>FAIL</c>: a search must never answer from part of the index. Sets it when it
    /// is not (it is a module-wide setting, read by every index on this Redis), and refuses to start when the server
    /// does not let it (managed Redis may refuse FT.CONFIG; set the module argument <c>ON_TIMEOUT FAIL</c> there).
    /// </summary>
    private async Task RequireFailOnTimeoutAsync()
    {
        const string setting = "ON_TIMEOUT";
        try
        {
            // FT.CONFIG is the only way on the 2.x modules; Redis 8 still answers it (and also has CONFIG SET search-on-timeout).
#pragma warning disable CS0618

            var current = await _search.ConfigGetAsync(setting);
            if (current.Any(pair => pair.Key.Equals(setting, StringComparison.OrdinalIgnoreCase) && pair.Value.Equals("fail", StringComparison.OrdinalIgnoreCase)))
            {
                return;
            }
            if (await _search.ConfigSetAsync(setting, "FAIL"))
            {
                return;
            }
#pragma warning restore CS0618
        }
        catch (RedisServerException refused)
        {
            throw TimeoutPolicyRefused(refused);
        }
        throw TimeoutPolicyRefused(null);
    }

    private InvalidOperationException TimeoutPolicyRefused(Exception? inner) => new(
        $"The RediSearch module at {_options.ConnectionSettingName} would answer a search that passes its timeout from part of the index " +
        "(ON_TIMEOUT is not FAIL) and refused FT.CONFIG SET ON_TIMEOUT FAIL. Load the module with the argument 'ON_TIMEOUT FAIL' " +
        "(Redis Cloud: the database's search configuration) and start again.",
        inner);

    private async Task<SearchModuleVersion> DetectModuleAsync()
    {
        try
        {
            // MODULE LIST is a server command, not RediSearch's: NRedisStack has no type for it.
            var modules = await _database.ExecuteAsync("MODULE", "LIST");
            return RediSearchReplies.SearchModule(modules) ?? throw ModuleMissing(null);
        }
        catch (RedisServerException refused)
        {
            // Managed Redis often refuses MODULE LIST; FT._LIST answers whenever the module is there.
            try
            {
                await _search._ListAsync();
                return SearchModuleVersion.Unknown;
            }
            catch (RedisServerException)
            {
                throw ModuleMissing(refused);
            }
        }
    }

    private InvalidOperationException ModuleMissing(Exception? inner) => new(
        $"The Redis at {_options.ConnectionSettingName} has no RediSearch module (MODULE LIST shows no 'search'). " +
        $"Point {_options.ConnectionSettingName} at Redis Stack, Redis 8 or a Redis Cloud database with Search, or use the embedded index.",
        inner);

    private async Task<InfoResult?> TryInfoAsync()
    {
        try
        {
            return await _search.InfoAsync(_options.IndexName);
        }
        catch (RedisServerException error) when (IsUnknownIndex(error.Message))
        {
            return null;
        }
    }

    /// <summary>2.6 says "Unknown Index name", 2.8 "Unknown index name" or "no such index".</summary>
    public static bool IsUnknownIndex(string message) =>
        message.Contains("unknown index", StringComparison.OrdinalIgnoreCase) || message.Contains("no such index", StringComparison.OrdinalIgnoreCase);

    private int RequireOpen() =>
        _dimensions ?? throw new InvalidOperationException("The RediSearch index is not open: call EnsureCreatedAsync(dimensions) first.");

    private static void ValidateFilter(SearchFilter filter)
    {
        if (string.IsNullOrWhiteSpace(filter.TenantId))
        {
            throw new ArgumentException("SearchFilter.TenantId is empty; use Tenants.Global or a tenant id.", nameof(filter));
        }
    }
}
