using System.Text.RegularExpressions;
using Compliance.Evaluation.Dataset;
using Microsoft.Data.Sqlite;

namespace Compliance.Evaluation.Running;

/// <summary>
/// A BM25 baseline that shares no code with the index: an in-memory SQLite FTS5 table with its default tokenizer
/// (no stemming, no stop words, no title), queried with its own plain SQL. If our BM25 falls far below this, our
/// index or query building is at fault.
/// </summary>
public sealed partial class ReferenceBm25 : IDisposable
{
    private readonly SqliteConnection _connection;

    private ReferenceBm25(SqliteConnection connection) => _connection = connection;

    public static ReferenceBm25 Build(IReadOnlyList<Passage> passages)
    {
        SQLitePCL.Batteries_V2.Init();
        var connection = new SqliteConnection("Data Source=:memory:");
        connection.Open();
        using (var create = connection.CreateCommand())
        {
            create.CommandText = "CREATE VIRTUAL TABLE passages USING fts5(id UNINDEXED, body)";
            create.ExecuteNonQuery();
        }
        using var transaction = connection.BeginTransaction();
        using var insert = connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = "INSERT INTO passages (id, body) VALUES ($id, $body)";
        var id = insert.Parameters.Add("$id", SqliteType.Text);
        var body = insert.Parameters.Add("$body", SqliteType.Text);
        foreach (var passage in passages)
        {
            id.Value = passage.Id;
            body.Value = passage.Text;
            insert.ExecuteNonQuery();
        }
        transaction.Commit();
        return new ReferenceBm25(connection);
    }

    /// <summary>Passage ids of the best <paramref name="limit"/> passages for the question.</summary>
    public IReadOnlyList<string> Search(string question, int limit)
    {
        // Every word, lower-cased and quoted, OR-ed: FTS5's own syntax never sees raw user text.
        var words = Words().Matches(question).Select(m => m.Value.ToLowerInvariant()).Distinct().ToList();
        if (words.Count == 0)
        {
            return [];
        }
        using var command = _connection.CreateCommand();
        command.CommandText = "SELECT id FROM passages WHERE passages MATCH $q ORDER BY bm25(passages) LIMIT $limit";
        command.Parameters.AddWithValue("$q", string.Join(" OR ", words.Select(w => "\"" + w + "\"")));
        command.Parameters.AddWithValue("$limit", limit);
        var ids = new List<string>(limit);
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            ids.Add(reader.GetString(0));
        }
        return ids;
    }

    public void Dispose() => _connection.Dispose();

    [GeneratedRegex(@"[\p{L}\p{N}]+")]
    private static partial Regex Words();
}
