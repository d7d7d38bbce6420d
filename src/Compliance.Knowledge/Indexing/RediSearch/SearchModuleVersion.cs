using System.Globalization;

namespace Compliance.Knowledge.Indexing.RediSearch;

/// <summary>The RediSearch module version as MODULE LIST reports it: 20838 is 2.8.38.</summary>
public readonly record struct SearchModuleVersion(int Number)
{
    /// <summary>Textbook Okapi BM25 (<c>SCORER BM25STD</c>) arrived in 2.8.</summary>
    public bool HasBm25Std => Number >= 20800;

    /// <summary>The scorer to ask for: BM25STD where it exists, the legacy BM25 before.</summary>
    public string TextScorer => HasBm25Std ? "BM25STD" : "BM25";

    /// <summary>Set when MODULE LIST was refused (managed Redis) but FT._LIST worked: present, version unknown.</summary>
    public static SearchModuleVersion Unknown => new(0);

    public override string ToString() => Number == 0
        ? "unknown"
        : string.Create(CultureInfo.InvariantCulture, $"{Number / 10000}.{Number / 100 % 100}.{Number % 100}");
}
