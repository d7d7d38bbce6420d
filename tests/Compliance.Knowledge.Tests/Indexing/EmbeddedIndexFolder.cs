using Compliance.Knowledge.Indexing.Embedded;

namespace Compliance.Knowledge.Tests.Indexing;

/// <summary>A temporary folder of embedded index files for one test class; disposing closes them and deletes it.</summary>
internal sealed class EmbeddedIndexFolder(string purpose) : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), purpose, Guid.NewGuid().ToString("N"));
    private readonly List<SqliteKnowledgeIndex> _opened = [];

    /// <summary>Opens (creating if needed) the index file <paramref name="name"/> in this folder.</summary>
    public async Task<SqliteKnowledgeIndex> OpenAsync(string name, int dimensions)
    {
        var index = new SqliteKnowledgeIndex(new EmbeddedIndexOptions { Path = Path.Combine(_folder, name + ".db") });
        _opened.Add(index);
        await index.EnsureCreatedAsync(dimensions, TestContext.Current.CancellationToken);
        return index;
    }

    /// <summary>Closes one index early (e.g. to reopen its file).</summary>
    public void Close(SqliteKnowledgeIndex index)
    {
        index.Dispose();
        _opened.Remove(index);
    }

    public void Dispose()
    {
        foreach (var index in _opened)
        {
            index.Dispose();
        }
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }
}
