using System.Globalization;
using System.Text;

namespace Compliance.Knowledge.Indexing.RediSearch;

/// <summary>
/// The form of a text that RediSearch indexes and is queried with. RediSearch's tokenizer splits only at ASCII
/// space, tab and punctuation: a line break, a non-breaking space, a typographic quote or dash, an underscore or a
/// backslash glue the words around them into one token ("the\nregister", "employee’s"), and it keeps diacritics.
/// The embedded index (FTS5 <c>unicode61 remove_diacritics 2</c>) splits at every non-alphanumeric character and
/// folds Latin diacritics; this form makes RediSearch do the same: lower-cased, Latin diacritics removed, every
/// character that is not a letter, digit or combining mark replaced by a space.
/// </summary>
public static class RediSearchSearchForm
{
    /// <summary>The search form of a stored text or title, or of one query term.</summary>
    public static string Of(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var decomposed = text.Normalize(NormalizationForm.FormD);
        var form = new StringBuilder(decomposed.Length);
        var afterLatin = false;
        foreach (var rune in decomposed.EnumerateRunes())
        {
            var category = Rune.GetUnicodeCategory(rune);
            if (category is UnicodeCategory.NonSpacingMark)
            {
                // Only diacritics over Latin letters are dropped (as unicode61 does); marks of other scripts are
                // part of the letter and stay.
                if (!afterLatin)
                {
                    form.Append(rune.ToString());
                }
                continue;
            }
            if (Rune.IsLetterOrDigit(rune))
            {
                form.Append(Rune.ToLowerInvariant(rune).ToString());
                afterLatin = IsLatin(rune.Value);
                continue;
            }
            // Every separator becomes one space, which RediSearch splits at.
            if (form.Length > 0 && form[^1] != ' ')
            {
                form.Append(' ');
            }
            afterLatin = false;
        }
        return form.ToString().TrimEnd().Normalize(NormalizationForm.FormC);
    }

    // Basic Latin through Latin Extended-B, IPA, and Latin Extended Additional.
    private static bool IsLatin(int codePoint) => codePoint <= 0x02AF || codePoint is >= 0x1E00 and <= 0x1EFF;
}
