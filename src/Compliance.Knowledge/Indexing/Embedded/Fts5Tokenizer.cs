using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Compliance.Knowledge.Indexing.Embedded;

/// <summary>
/// Splits text into terms exactly as the index's FTS5 table does, by asking FTS5 itself: the text goes into a
/// private in-memory FTS5 table with the same tokenizer and the terms come back through <c>fts5vocab</c>. A C#
/// re-implementation of unicode61 + porter would drift from SQLite's on some words; this cannot.
/// </summary>
internal sealed class Fts5Tokenizer : IDisposable
{
    /// <summary>The tokenizer of the index's FTS5 table, and so of every term this class returns.</summary>
    public const string TokenizerSpec = "porter unicode61 remove_diacritics 2";

    // Query words repeat across questions; past this many cached words the cache starts again rather than grow.
    private const int MaxCachedWords = 50_000;

    private readonly SqliteConnection _connection;
    private readonly Lock _gate = new();
    private readonly ConcurrentDictionary<string, string[]> _wordCache = new(StringComparer.Ordinal);

    public Fts5Tokenizer()
    {
        _connection = new SqliteConnection("Data Source=:memory:;Pooling=False");
        _connection.Open();
        using var command = _connection.CreateCommand();
        command.CommandText = $"""
            CREATE VIRTUAL TABLE scratch USING fts5(title, text, tokenize = '{TokenizerSpec}');
            CREATE VIRTUAL TABLE scratch_terms USING fts5vocab(scratch, instance);
            """;
        command.ExecuteNonQuery();
    }

    /// <summary>Per text pair (title, text): each term with its count in the title and in the text.</summary>
    public IReadOnlyList<TokenizedRow> TokenizeRows(IReadOnlyList<(string Title, string Text)> rows)
    {
        var result = new Dictionary<string, (int Title, int Text)>[rows.Count];
        for (var i = 0; i < rows.Count; i++)
        {
            result[i] = new Dictionary<string, (int, int)>(StringComparer.Ordinal);
        }
        lock (_gate)
        {
            using var transaction = _connection.BeginTransaction();
            using (var insert = _connection.CreateCommand())
            {
                insert.Transaction = transaction;
                insert.CommandText = "INSERT INTO scratch (rowid, title, text) VALUES ($row, $title, $text)";
                var row = insert.Parameters.Add("$row", SqliteType.Integer);
                var title = insert.Parameters.Add("$title", SqliteType.Text);
                var text = insert.Parameters.Add("$text", SqliteType.Text);
                for (var i = 0; i < rows.Count; i++)
                {
                    row.Value = i;
                    title.Value = rows[i].Title;
                    text.Value = rows[i].Text;
                    insert.ExecuteNonQuery();
                }
            }
            using (var read = _connection.CreateCommand())
            {
                read.Transaction = transaction;
                read.CommandText = "SELECT term, doc, col = 'title' FROM scratch_terms";
                using var reader = read.ExecuteReader();
                while (reader.Read())
                {
                    var counts = result[reader.GetInt32(1)];
                    var term = reader.GetString(0);
                    var (inTitle, inText) = counts.GetValueOrDefault(term);
                    counts[term] = reader.GetBoolean(2) ? (inTitle + 1, inText) : (inTitle, inText + 1);
                }
            }
            // Rolling back empties the scratch table again without the cost of deleting row by row.
            transaction.Rollback();
        }
        return [.. result.Select(counts => new TokenizedRow(counts))];
    }

    /// <summary>The terms one query word becomes (usually one; none for a word FTS5 drops; several if it splits).</summary>
    public string[] TokenizeWord(string word)
    {
        if (_wordCache.TryGetValue(word, out var cached))
        {
            return cached;
        }
        string[] terms;
        lock (_gate)
        {
            using var transaction = _connection.BeginTransaction();
            using var command = _connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = """
                INSERT INTO scratch (rowid, title, text) VALUES (1, '', $word);
                SELECT term FROM scratch_terms ORDER BY offset;
                """;
            command.Parameters.AddWithValue("$word", word);
            var list = new List<string>(1);
            using (var reader = command.ExecuteReader())
            {
                while (reader.Read())
                {
                    list.Add(reader.GetString(0));
                }
            }
            transaction.Rollback();
            terms = [.. list];
        }
        if (_wordCache.Count >= MaxCachedWords)
        {
            _wordCache.Clear();
        }
        _wordCache[word] = terms;
        return terms;
    }

    public void Dispose() => _connection.Dispose();
}

/// <summary>One row's terms with their counts per column, and its length in tokens (both columns).</summary>
internal sealed class TokenizedRow(Dictionary<string, (int Title, int Text)> counts)
{
    public IReadOnlyDictionary<string, (int Title, int Text)> Terms => counts;

    public int TokenCount { get; } = counts.Values.Sum(c => c.Title + c.Text);

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{counts.Count} terms, {TokenCount} tokens");
}
