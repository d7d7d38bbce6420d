using System.Text;

namespace Compliance.Knowledge.Indexing.Embedded;

/// <summary>Builds an FTS5 MATCH expression that searches user text literally.</summary>
public static class Fts5Query
{
    /// <summary>
    /// Each term becomes an FTS5 string (double quotes, inner quotes doubled), OR-ed together, so operators such as
    /// <c>NEAR</c>, <c>AND</c>, <c>*</c>, <c>^</c>, <c>:</c> or parentheses are only ever words. Null when no term
    /// is left (empty text, punctuation or stop words only): the caller returns no results instead of querying.
    /// </summary>
    public static string? FromUserText(string? text)
    {
        var terms = QueryTerms.Extract(text);
        if (terms.Count == 0)
        {
            return null;
        }
        var match = new StringBuilder();
        foreach (var term in terms)
        {
            if (match.Length > 0)
            {
                match.Append(" OR ");
            }
            match.Append('"').Append(term.Replace("\"", "\"\"", StringComparison.Ordinal)).Append('"');
        }
        return match.ToString();
    }
}
