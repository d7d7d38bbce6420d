using System.Text;

namespace Compliance.Bot.Rendering;

/// <summary>
/// Splits long text into Discord-sized messages, preferring paragraph, then line, then sentence, then word
/// boundaries, and never cutting a code point (or surrogate pair) in half. Discord.Net has no splitter (it only
/// refuses content over 2,000 UTF-16 units), so this stays. Lengths are UTF-16 units, as Discord.Net checks them;
/// Discord itself counts code points, never more than UTF-16 units, so a part that passes one passes both.
/// </summary>
public static class MessageSplitter
{
    private static readonly string[] Boundaries = ["\n\n", "\n", ". ", "! ", "? ", " "];

    /// <summary>Splits <paramref name="text"/> into parts of at most <paramref name="maxCodePoints"/> code points each.</summary>
    public static IReadOnlyList<string> Split(string text, int maxCodePoints = DiscordLimits.ContentCodePoints)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxCodePoints, 1);
        var parts = new List<string>();
        var rest = text;
        while (rest.Length > maxCodePoints)
        {
            // The UTF-16 index just after the last code point that still fits.
            var limitIndex = IndexAfterCodePoints(rest, maxCodePoints);
            var cut = -1;
            foreach (var boundary in Boundaries)
            {
                if (limitIndex - boundary.Length < 0)
                {
                    continue;
                }
                var at = rest.LastIndexOf(boundary, limitIndex - boundary.Length, StringComparison.Ordinal);
                // Ignore a boundary so early that the part would be tiny; a word cut is better than a sliver.
                if (at > limitIndex / 4)
                {
                    cut = at + boundary.Length;
                    break;
                }
            }
            if (cut <= 0)
            {
                cut = limitIndex;
            }
            var part = rest[..cut].TrimEnd();
            if (part.Length > 0)
            {
                parts.Add(part);
            }
            rest = rest[cut..].TrimStart('\n', ' ');
        }
        if (rest.Trim().Length > 0)
        {
            parts.Add(rest);
        }
        return parts;
    }

    /// <summary>Shortens <paramref name="text"/> to at most <paramref name="maxCodePoints"/>, ending with an ellipsis when cut.</summary>
    public static string Truncate(string text, int maxCodePoints)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxCodePoints, 1);
        if (text.Length <= maxCodePoints)
        {
            return text;
        }
        var builder = new StringBuilder(text[..IndexAfterCodePoints(text, maxCodePoints - 1)]);
        return builder.Append('…').ToString();
    }

    /// <summary>The UTF-16 index after at most <paramref name="codePoints"/> code points that also fit in as many UTF-16 units.</summary>
    private static int IndexAfterCodePoints(string text, int codePoints)
    {
        var index = 0;
        foreach (var rune in text.EnumerateRunes())
        {
            if (index + rune.Utf16SequenceLength > codePoints)
            {
                break;
            }
            index += rune.Utf16SequenceLength;
        }
        return index;
    }
}
