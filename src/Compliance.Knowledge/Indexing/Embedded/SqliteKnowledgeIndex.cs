using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace Compliance.Knowledge.Indexing.Embedded;

/// <summary>
/// The embedded index: one SQLite file holding the chunks, an FTS5 table ranked with <c>bm25()</c> (title weighted),
/// and the embeddings as float32 blobs. Vector search is exact: every embedding is kept in one in-memory matrix,
/// loaded at <see cref="EnsureCreatedAsync"/> and kept in step with every upsert and delete. Text search ranks from
/// an in-memory copy of the FTS5 postings with <c>bm25()</c>'s own arithmetic (<see cref="Bm25TextIndex"/>): the
/// same ranking and scores as <see cref="SearchTextWithFts5Async"/>, which stays as the reference and the fallback.
/// The FTS5 tokenizer stems English (porter over unicode61, diacritics removed) like RediSearch's default, so
/// "declare" finds "declared" on both backends.
/// </summary>
public sealed class SqliteKnowledgeIndex : IKnowledgeIndex, IDisposable
{
    /// <summary>Schema version stored in <c>PRAGMA user_version</c>.</summary>
    public const int SchemaVersion = 1;

    /// <summary>At most this many document ids or tags in one filter (each is one SQL parameter).</summary>
    public const int MaxFilterValues = 500;

    private const string ChunkColumns =
        "c.rowid, c.chunk_id, c.document_id, c.document_version, c.tenant_id, c.title, c.section_path, c.page_start, " +
        "c.page_end, c.ordinal, c.char_start, c.char_end, c.text, c.tags, c.effective_date, c.status";

    private static readonly object NativeInitLock = new();
    private static bool _nativeInitialised;

    private readonly EmbeddedIndexOptions _options;
    private readonly string _connectionString;
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private readonly string _bm25Expression;
    private readonly Fts5Tokenizer _tokenizer = new();
    private VectorMatrix? _matrix;
    private Bm25TextIndex? _text;

    public SqliteKnowledgeIndex(EmbeddedIndexOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        InitialiseNative();
        var path = System.IO.Path.GetFullPath(options.Path);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
        }.ToString();
        FilePath = path;
        _bm25Expression = string.Create(CultureInfo.InvariantCulture, $"bm25(chunks_fts, {options.TitleWeight:R}, 1.0)");
    }

    public string Backend => "embedded";

    /// <summary>Full path of the SQLite file.</summary>
    public string FilePath { get; }

    /// <summary>Dimensions of the stored vectors, known after <see cref="EnsureCreatedAsync"/>.</summary>
    public int? Dimensions => _matrix?.Dimensions;

    /// <summary>Bytes the in-memory vector matrix holds (for benchmarks and health output).</summary>
    public long VectorMemoryBytes => _matrix?.AllocatedBytes ?? 0;

    /// <summary>Bytes the in-memory text postings hold (for benchmarks).</summary>
    public long TextMemoryBytes => _text?.AllocatedBytes ?? 0;

    public async Task EnsureCreatedAsync(int dimensions, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dimensions, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(dimensions, 8192);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(FilePath)!);
        await _writeGate.WaitAsync(cancellationToken);
        try
        {
            await using var connection = await OpenAsync(cancellationToken);
            var version = Convert.ToInt32(await ScalarAsync(connection, "PRAGMA user_version", cancellationToken), CultureInfo.InvariantCulture);
            if (version > SchemaVersion)
            {
                throw new InvalidOperationException(
                    $"The index file {FilePath} has schema version {version}, newer than this program's {SchemaVersion}; upgrade the program or rebuild the index.");
            }
            if (version == 0)
            {
                await CreateSchemaAsync(connection, dimensions, cancellationToken);
            }
            var stored = Convert.ToInt32(
                await ScalarAsync(connection, "SELECT value FROM index_settings WHERE key = 'dimensions'", cancellationToken),
                CultureInfo.InvariantCulture);
            if (stored != dimensions)
            {
                throw new InvalidOperationException(
                    $"The index file {FilePath} holds {stored}-dimensional vectors but {dimensions} were requested (a different embedding model?); " +
                    "re-index into a new file or delete this one.");
            }
            if (_matrix is null || _matrix.Dimensions != dimensions)
            {
                _matrix?.Dispose();
                _matrix = await LoadMatrixAsync(connection, dimensions, cancellationToken);
            }
            _text ??= await LoadTextIndexAsync(connection, _options.TitleWeight, cancellationToken);
        }
        finally
        {
            _writeGate.Release();
        }
    }

    public async Task UpsertAsync(IReadOnlyList<ChunkRecord> chunks, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(chunks);
        var matrix = RequireMatrix();
        var text = _text!;
        foreach (var chunk in chunks)
        {
            ChunkValidation.Validate(chunk, matrix.Dimensions);
        }
        if (chunks.Count == 0)
        {
            return;
        }
        await _writeGate.WaitAsync(cancellationToken);
        try
        {
            // Tokenised before the transaction: FTS5 does the same work again inside it, but this copy is ours.
            var terms = _tokenizer.TokenizeRows([.. chunks.Select(chunk => (chunk.Title, chunk.Text))]);
            var addedText = new List<TextRow>(chunks.Count);
            await using var connection = await OpenAsync(cancellationToken);
            await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
            var removed = new List<long>();
            var added = new List<VectorRow>();

            await using var delete = connection.CreateCommand();
            delete.Transaction = transaction;
            delete.CommandText = "DELETE FROM chunks WHERE chunk_id = $id RETURNING rowid";
            var deleteId = delete.Parameters.Add("$id", SqliteType.Text);

            await using var insert = connection.CreateCommand();
            insert.Transaction = transaction;
            insert.CommandText = """
                INSERT INTO chunks (chunk_id, document_id, document_version, tenant_id, title, section_path, page_start, page_end,
                    ordinal, char_start, char_end, text, tags, effective_date, status, embedding)
                VALUES ($chunk_id, $document_id, $document_version, $tenant_id, $title, $section_path, $page_start, $page_end,
                    $ordinal, $char_start, $char_end, $text, $tags, $effective_date, $status, $embedding)
                RETURNING rowid
                """;
            var p = new Dictionary<string, SqliteParameter>(StringComparer.Ordinal);
            foreach (var name in new[] { "chunk_id", "document_id", "document_version", "tenant_id", "title", "section_path", "page_start",
                "page_end", "ordinal", "char_start", "char_end", "text", "tags", "effective_date", "status", "embedding" })
            {
                p[name] = insert.Parameters.Add("$" + name, SqliteType.Text);
            }
            p["embedding"].SqliteType = SqliteType.Blob;

            await using var insertTag = connection.CreateCommand();
            insertTag.Transaction = transaction;
            insertTag.CommandText = "INSERT OR IGNORE INTO chunk_tags (tag, chunk_rowid) VALUES ($tag, $rowid)";
            var tagParameter = insertTag.Parameters.Add("$tag", SqliteType.Text);
            var tagRowId = insertTag.Parameters.Add("$rowid", SqliteType.Integer);

            foreach (var chunk in chunks)
            {
                deleteId.Value = chunk.ChunkId;
                await using (var reader = await delete.ExecuteReaderAsync(cancellationToken))
                {
                    while (await reader.ReadAsync(cancellationToken))
                    {
                        removed.Add(reader.GetInt64(0));
                    }
                }
                p["chunk_id"].Value = chunk.ChunkId;
                p["document_id"].Value = DocumentKey(chunk.DocumentId);
                p["document_version"].Value = chunk.DocumentVersion;
                p["tenant_id"].Value = chunk.TenantId;
                p["title"].Value = chunk.Title;
                p["section_path"].Value = (object?)chunk.SectionPath ?? DBNull.Value;
                p["page_start"].Value = (object?)chunk.PageStart ?? DBNull.Value;
                p["page_end"].Value = (object?)chunk.PageEnd ?? DBNull.Value;
                p["ordinal"].Value = chunk.Ordinal;
                p["char_start"].Value = chunk.CharStart;
                p["char_end"].Value = chunk.CharEnd;
                p["text"].Value = chunk.Text;
                p["tags"].Value = JsonSerializer.Serialize(chunk.Tags);
                p["effective_date"].Value = chunk.EffectiveDate is { } date ? date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : DBNull.Value;
                p["status"].Value = chunk.Status;
                p["embedding"].Value = chunk.Embedding is { } vector ? MemoryMarshal.AsBytes(vector.AsSpan()).ToArray() : DBNull.Value;
                var rowId = Convert.ToInt64(await insert.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
                foreach (var tag in chunk.Tags)
                {
                    tagParameter.Value = tag;
                    tagRowId.Value = rowId;
                    await insertTag.ExecuteNonQueryAsync(cancellationToken);
                }
                addedText.Add(new TextRow(rowId, chunk.TenantId, chunk.Status == ChunkStatus.Active, chunk.DocumentId, chunk.Tags, terms[addedText.Count]));
                if (chunk.Embedding is { } embedding)
                {
                    added.Add(new VectorRow(rowId, chunk.TenantId, chunk.Status == ChunkStatus.Active, chunk.DocumentId, chunk.Tags, embedding));
                }
            }
            // Normalise (and so validate) the vectors before committing, so a bad vector leaves the file unchanged.
            var staged = new VectorMatrix(matrix.Dimensions, Math.Max(added.Count, 1));
            staged.Upsert(added);
            staged.Dispose();
            await transaction.CommitAsync(cancellationToken);
            matrix.Remove(removed);
            matrix.Upsert(added);
            text.Remove(removed);
            text.Upsert(addedText);
        }
        finally
        {
            _writeGate.Release();
        }
    }

    public async Task<int> DeleteDocumentAsync(Guid documentId, int? version, CancellationToken cancellationToken)
    {
        var matrix = RequireMatrix();
        await _writeGate.WaitAsync(cancellationToken);
        try
        {
            await using var connection = await OpenAsync(cancellationToken);
            await using var command = connection.CreateCommand();
            command.CommandText = version is null
                ? "DELETE FROM chunks WHERE document_id = $document RETURNING rowid"
                : "DELETE FROM chunks WHERE document_id = $document AND document_version = $version RETURNING rowid";
            command.Parameters.AddWithValue("$document", DocumentKey(documentId));
            command.Parameters.AddWithValue("$version", (object?)version ?? DBNull.Value);
            var removed = new List<long>();
            await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
            {
                while (await reader.ReadAsync(cancellationToken))
                {
                    removed.Add(reader.GetInt64(0));
                }
            }
            matrix.Remove(removed);
            _text!.Remove(removed);
            return removed.Count;
        }
        finally
        {
            _writeGate.Release();
        }
    }

    public async Task<IReadOnlyList<RankedChunk>> SearchTextAsync(string query, SearchFilter filter, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        RequireMatrix();
        ValidateFilter(filter);
        var words = QueryTerms.Extract(query);
        if (words.Count == 0 || limit <= 0)
        {
            return [];
        }
        // Each word is one FTS5 phrase. A word FTS5 splits into several tokens (or none) is a multi-token phrase
        // with position rules the postings here do not keep: such a question takes the SQL path, which has them.
        var phrases = new List<string>(words.Count);
        foreach (var word in words)
        {
            var tokens = _tokenizer.TokenizeWord(word);
            if (tokens.Length != 1)
            {
                return await SearchTextWithFts5Async(query, filter, limit, cancellationToken);
            }
            phrases.Add(tokens[0]);
        }
        var hits = _text!.Search(phrases, filter, limit);
        return await ReadHitsAsync([.. hits.Select(hit => (hit.RowId, hit.Score))], cancellationToken);
    }

    /// <summary>
    /// Text search done entirely by SQLite: FTS5 <c>MATCH</c> and <c>ORDER BY bm25()</c>. The reference the
    /// in-memory ranking of <see cref="SearchTextAsync"/> is tested against, and its path for the rare question
    /// with a word FTS5 splits into several tokens. Slower: <c>bm25()</c> runs for every matching row.
    /// </summary>
    public async Task<IReadOnlyList<RankedChunk>> SearchTextWithFts5Async(string query, SearchFilter filter, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        RequireMatrix();
        ValidateFilter(filter);
        var match = Fts5Query.FromUserText(query);
        if (match is null || limit <= 0)
        {
            return [];
        }
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        var sql = new StringBuilder()
            .Append("SELECT ").Append(ChunkColumns).Append(", ").Append(_bm25Expression).Append(" AS score ")
            .Append("FROM chunks_fts JOIN chunks c ON c.rowid = chunks_fts.rowid WHERE chunks_fts MATCH $match AND ");
        AppendFilter(sql, command, filter);
        sql.Append(" ORDER BY score, c.rowid LIMIT $limit");
        command.CommandText = sql.ToString();
        command.Parameters.AddWithValue("$match", match);
        command.Parameters.AddWithValue("$limit", limit);

        var results = new List<RankedChunk>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            // bm25() is lower-is-better (negative); negate it so every list's score reads higher-is-better.
            results.Add(new RankedChunk(ReadChunk(reader), results.Count + 1, -reader.GetDouble(16)));
        }
        return results;
    }

    public async Task<IReadOnlyList<RankedChunk>> SearchVectorAsync(ReadOnlyMemory<float> vector, SearchFilter filter, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var matrix = RequireMatrix();
        ValidateFilter(filter);
        if (limit <= 0)
        {
            return [];
        }
        var hits = matrix.Search(vector.Span, filter, limit);
        return await ReadHitsAsync([.. hits.Select(hit => (hit.RowId, (double)hit.Score))], cancellationToken);
    }

    /// <summary>Reads the ranked rows from the file, keeping the ranking's order.</summary>
    private async Task<IReadOnlyList<RankedChunk>> ReadHitsAsync(List<(long RowId, double Score)> hits, CancellationToken cancellationToken)
    {
        if (hits.Count == 0)
        {
            return [];
        }
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        var sql = new StringBuilder("SELECT ").Append(ChunkColumns).Append(" FROM chunks c WHERE c.rowid IN (");
        for (var i = 0; i < hits.Count; i++)
        {
            sql.Append(i == 0 ? "" : ", ").Append(hits[i].RowId.ToString(CultureInfo.InvariantCulture));
        }
        command.CommandText = sql.Append(')').ToString();
        var byRowId = new Dictionary<long, ChunkRecord>(hits.Count);
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                byRowId[reader.GetInt64(0)] = ReadChunk(reader);
            }
        }
        // A row deleted between the ranking and this read is skipped rather than returned stale.
        var results = new List<RankedChunk>(hits.Count);
        foreach (var (rowId, score) in hits)
        {
            if (byRowId.TryGetValue(rowId, out var chunk))
            {
                results.Add(new RankedChunk(chunk, results.Count + 1, score));
            }
        }
        return results;
    }

    public async Task<IndexStatistics> GetStatisticsAsync(CancellationToken cancellationToken)
    {
        var matrix = RequireMatrix();
        await using var connection = await OpenAsync(cancellationToken);
        var chunks = Convert.ToInt64(await ScalarAsync(connection, "SELECT count(*) FROM chunks", cancellationToken), CultureInfo.InvariantCulture);
        var documents = Convert.ToInt64(await ScalarAsync(connection, "SELECT count(DISTINCT document_id) FROM chunks", cancellationToken), CultureInfo.InvariantCulture);
        var sqliteVersion = (string?)await ScalarAsync(connection, "SELECT sqlite_version()", cancellationToken);
        long size = 0;
        foreach (var suffix in new[] { "", "-wal" })
        {
            var file = new FileInfo(FilePath + suffix);
            size += file.Exists ? file.Length : 0;
        }
        return new IndexStatistics(chunks, documents, size, matrix.Dimensions, Backend, "sqlite " + sqliteVersion);
    }

    public async Task<EmbeddingModelChange> UseEmbeddingModelAsync(string model, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(model);
        var matrix = RequireMatrix();
        await _writeGate.WaitAsync(cancellationToken);
        try
        {
            await using var connection = await OpenAsync(cancellationToken);
            var previous = (string?)await ScalarAsync(connection, "SELECT value FROM index_settings WHERE key = 'embedding_model'", cancellationToken);
            if (previous == model)
            {
                return new EmbeddingModelChange(previous, false, 0);
            }

            var removed = new List<long>();
            await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
            await using (var select = connection.CreateCommand())
            {
                select.CommandText = "SELECT rowid FROM chunks WHERE embedding IS NOT NULL";
                await using var reader = await select.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    removed.Add(reader.GetInt64(0));
                }
            }

            await using (var update = connection.CreateCommand())
            {
                update.CommandText = """
                    UPDATE chunks SET embedding = NULL WHERE embedding IS NOT NULL;
                    INSERT INTO index_settings (key, value) VALUES ('embedding_model', $model)
                        ON CONFLICT (key) DO UPDATE SET value = excluded.value;
                    """;
                update.Parameters.AddWithValue("$model", model);
                await update.ExecuteNonQueryAsync(cancellationToken);
            }

            await transaction.CommitAsync(cancellationToken);
            matrix.Remove(removed);
            return new EmbeddingModelChange(previous, true, removed.Count);
        }
        finally
        {
            _writeGate.Release();
        }
    }

    /// <summary>Releases pooled connections so the file can be moved or deleted.</summary>
    public void Dispose()
    {
        using (var connection = new SqliteConnection(_connectionString))
        {
            SqliteConnection.ClearPool(connection);
        }
        _matrix?.Dispose();
        _text?.Dispose();
        _tokenizer.Dispose();
        _writeGate.Dispose();
    }

    private static void InitialiseNative()
    {
        lock (NativeInitLock)
        {
            if (!_nativeInitialised)
            {
                SQLitePCL.Batteries_V2.Init();
                _nativeInitialised = true;
            }
        }
    }

    private static string DocumentKey(Guid documentId) => documentId.ToString("N");

    private static void ValidateFilter(SearchFilter filter)
    {
        if (string.IsNullOrWhiteSpace(filter.TenantId))
        {
            throw new ArgumentException("SearchFilter.TenantId is empty; use Tenants.Global or a tenant id.", nameof(filter));
        }
        if ((filter.DocumentIds?.Count ?? 0) > MaxFilterValues || (filter.Tags?.Count ?? 0) > MaxFilterValues)
        {
            throw new ArgumentException($"A search filter may name at most {MaxFilterValues} documents and {MaxFilterValues} tags.", nameof(filter));
        }
    }

    /// <summary>Tenant (global + own), active status, and optional documents/tags, as parameters only.</summary>
    private static void AppendFilter(StringBuilder sql, SqliteCommand command, SearchFilter filter)
    {
        sql.Append("c.tenant_id IN ($global, $tenant) AND c.status = $active");
        command.Parameters.AddWithValue("$global", Tenants.Global);
        command.Parameters.AddWithValue("$tenant", filter.TenantId);
        command.Parameters.AddWithValue("$active", ChunkStatus.Active);
        if (filter.DocumentIds is { Count: > 0 } documents)
        {
            sql.Append(" AND c.document_id IN (");
            var i = 0;
            foreach (var document in documents)
            {
                var name = string.Create(CultureInfo.InvariantCulture, $"$d{i}");
                sql.Append(i++ == 0 ? "" : ", ").Append(name);
                command.Parameters.AddWithValue(name, DocumentKey(document));
            }
            sql.Append(')');
        }
        if (filter.Tags is { Count: > 0 } tags)
        {
            sql.Append(" AND EXISTS (SELECT 1 FROM chunk_tags t WHERE t.chunk_rowid = c.rowid AND t.tag IN (");
            var i = 0;
            foreach (var tag in tags)
            {
                var name = string.Create(CultureInfo.InvariantCulture, $"$t{i}");
                sql.Append(i++ == 0 ? "" : ", ").Append(name);
                command.Parameters.AddWithValue(name, tag);
            }
            sql.Append("))");
        }
    }

    private static ChunkRecord ReadChunk(SqliteDataReader reader)
    {
        int? NullableInt(int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetInt32(ordinal);
        return new ChunkRecord(
            ChunkId: reader.GetString(1),
            DocumentId: Guid.ParseExact(reader.GetString(2), "N"),
            DocumentVersion: reader.GetInt32(3),
            TenantId: reader.GetString(4),
            Title: reader.GetString(5),
            SectionPath: reader.IsDBNull(6) ? null : reader.GetString(6),
            PageStart: NullableInt(7),
            PageEnd: NullableInt(8),
            Ordinal: reader.GetInt32(9),
            CharStart: reader.GetInt32(10),
            CharEnd: reader.GetInt32(11),
            Text: reader.GetString(12),
            Tags: JsonSerializer.Deserialize<string[]>(reader.GetString(13)) ?? [],
            EffectiveDate: reader.IsDBNull(14) ? null : DateOnly.ParseExact(reader.GetString(14), "yyyy-MM-dd", CultureInfo.InvariantCulture),
            Status: reader.GetString(15),
            // Search results leave embeddings out: callers cite text, and 1.5 KB per hit would be wasted.
            Embedding: null);
    }

    private VectorMatrix RequireMatrix() =>
        _matrix ?? throw new InvalidOperationException("The embedded index is not open: call EnsureCreatedAsync(dimensions) first.");

    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        // Per-connection settings: NORMAL is durable enough under WAL (a power cut may lose the last commit only).
        await using var pragma = connection.CreateCommand();
        pragma.CommandText = "PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;";
        await pragma.ExecuteNonQueryAsync(cancellationToken);
        return connection;
    }

    private static async Task<object?> ScalarAsync(SqliteConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync(cancellationToken);
    }

    private static async Task CreateSchemaAsync(SqliteConnection connection, int dimensions, CancellationToken cancellationToken)
    {
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("The embedded index stores little-endian float32 vectors and needs a little-endian machine.");
        }
        await using var command = connection.CreateCommand();
        command.CommandText = $"""
            PRAGMA journal_mode = WAL;
            BEGIN;
            CREATE TABLE index_settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
            CREATE TABLE chunks (
                rowid INTEGER PRIMARY KEY,
                chunk_id TEXT NOT NULL UNIQUE,
                document_id TEXT NOT NULL,
                document_version INTEGER NOT NULL,
                tenant_id TEXT NOT NULL,
                title TEXT NOT NULL,
                section_path TEXT,
                page_start INTEGER,
                page_end INTEGER,
                ordinal INTEGER NOT NULL,
                char_start INTEGER NOT NULL,
                char_end INTEGER NOT NULL,
                text TEXT NOT NULL,
                tags TEXT NOT NULL,
                effective_date TEXT,
                status TEXT NOT NULL,
                embedding BLOB);
            CREATE INDEX ix_chunks_document ON chunks (document_id, document_version);
            CREATE TABLE chunk_tags (
                tag TEXT NOT NULL,
                chunk_rowid INTEGER NOT NULL REFERENCES chunks (rowid) ON DELETE CASCADE,
                PRIMARY KEY (tag, chunk_rowid)) WITHOUT ROWID;
            CREATE INDEX ix_chunk_tags_chunk ON chunk_tags (chunk_rowid);
            CREATE VIRTUAL TABLE chunks_fts USING fts5(
                title, text, content = 'chunks', content_rowid = 'rowid', tokenize = '{Fts5Tokenizer.TokenizerSpec}');
            CREATE TRIGGER chunks_after_insert AFTER INSERT ON chunks BEGIN
                INSERT INTO chunks_fts (rowid, title, text) VALUES (new.rowid, new.title, new.text);
            END;
            CREATE TRIGGER chunks_after_delete AFTER DELETE ON chunks BEGIN
                INSERT INTO chunks_fts (chunks_fts, rowid, title, text) VALUES ('delete', old.rowid, old.title, old.text);
            END;
            CREATE TRIGGER chunks_after_update AFTER UPDATE ON chunks BEGIN
                INSERT INTO chunks_fts (chunks_fts, rowid, title, text) VALUES ('delete', old.rowid, old.title, old.text);
                INSERT INTO chunks_fts (rowid, title, text) VALUES (new.rowid, new.title, new.text);
            END;
            INSERT INTO index_settings (key, value) VALUES ('dimensions', '{dimensions.ToString(CultureInfo.InvariantCulture)}');
            PRAGMA user_version = {SchemaVersion.ToString(CultureInfo.InvariantCulture)};
            COMMIT;
            """;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// Builds the in-memory postings from the FTS5 index itself (its <c>fts5vocab</c> instance view), so the terms
    /// are exactly those FTS5 stored, with no second tokenisation at start.
    /// </summary>
    private static async Task<Bm25TextIndex> LoadTextIndexAsync(SqliteConnection connection, double titleWeight, CancellationToken cancellationToken)
    {
        var termsByRow = new Dictionary<long, Dictionary<string, (int Title, int Text)>>();
        await using (var vocabulary = connection.CreateCommand())
        {
            vocabulary.CommandText = """
                CREATE VIRTUAL TABLE IF NOT EXISTS temp.chunks_fts_instances USING fts5vocab(main, chunks_fts, instance);
                SELECT term, doc, col = 'title' FROM temp.chunks_fts_instances;
                """;
            await using var reader = await vocabulary.ExecuteReaderAsync(cancellationToken);
            var term = "";
            while (await reader.ReadAsync(cancellationToken))
            {
                // Rows come grouped by term: reuse the string instead of keeping one copy per instance.
                var raw = reader.GetString(0);
                term = string.Equals(raw, term, StringComparison.Ordinal) ? term : raw;
                var rowId = reader.GetInt64(1);
                if (!termsByRow.TryGetValue(rowId, out var counts))
                {
                    counts = new Dictionary<string, (int, int)>(StringComparer.Ordinal);
                    termsByRow[rowId] = counts;
                }
                var (inTitle, inText) = counts.GetValueOrDefault(term);
                counts[term] = reader.GetBoolean(2) ? (inTitle + 1, inText) : (inTitle, inText + 1);
            }
        }
        var rows = new List<TextRow>(termsByRow.Count);
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT rowid, tenant_id, status, document_id, tags FROM chunks ORDER BY rowid";
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var rowId = reader.GetInt64(0);
                rows.Add(new TextRow(
                    rowId,
                    reader.GetString(1),
                    reader.GetString(2) == ChunkStatus.Active,
                    Guid.ParseExact(reader.GetString(3), "N"),
                    JsonSerializer.Deserialize<string[]>(reader.GetString(4)) ?? [],
                    new TokenizedRow(termsByRow.GetValueOrDefault(rowId) ?? new Dictionary<string, (int, int)>(StringComparer.Ordinal))));
            }
        }
        var index = new Bm25TextIndex(titleWeight);
        index.Upsert(rows);
        return index;
    }

    private static async Task<VectorMatrix> LoadMatrixAsync(SqliteConnection connection, int dimensions, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT rowid, tenant_id, status, document_id, tags, embedding FROM chunks WHERE embedding IS NOT NULL";
        var rows = new List<VectorRow>();
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                var bytes = (byte[])reader.GetValue(5);
                rows.Add(new VectorRow(
                    reader.GetInt64(0),
                    reader.GetString(1),
                    reader.GetString(2) == ChunkStatus.Active,
                    Guid.ParseExact(reader.GetString(3), "N"),
                    JsonSerializer.Deserialize<string[]>(reader.GetString(4)) ?? [],
                    MemoryMarshal.Cast<byte, float>(bytes).ToArray()));
            }
        }
        var matrix = new VectorMatrix(dimensions, rows.Count + 1024);
        matrix.Upsert(rows);
        return matrix;
    }
}
