namespace Compliance.Knowledge.Indexing.Embedded;

/// <summary>Settings of the embedded (SQLite file) index.</summary>
public sealed class EmbeddedIndexOptions
{
    /// <summary>
    /// Path of the SQLite file (<c>INDEX_PATH</c>). Its folder is created if missing. The file also gets SQLite's
    /// <c>-wal</c> and <c>-shm</c> companions, because the index runs in WAL mode.
    /// </summary>
    public string Path { get; set; } = ".local/index/compliance.db";

    /// <summary>BM25 weight of the title column relative to the chunk text (weight 1). Default 2.</summary>
    public double TitleWeight { get; set; } = 2.0;

    /// <summary>Throws with the name of the first invalid setting.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Path))
        {
            throw new ArgumentException("EmbeddedIndexOptions.Path (INDEX_PATH) is empty; give the path of the index file.");
        }
        if (Path.IndexOfAny(System.IO.Path.GetInvalidPathChars()) >= 0)
        {
            throw new ArgumentException("EmbeddedIndexOptions.Path (INDEX_PATH) contains characters that are not valid in a path.");
        }
        if (!double.IsFinite(TitleWeight) || TitleWeight <= 0 || TitleWeight > 100)
        {
            throw new ArgumentException($"EmbeddedIndexOptions.TitleWeight is {TitleWeight}; expected a number above 0 and at most 100.");
        }
    }
}
