using System.Globalization;
using System.Text;
using Compliance.Contracts.Questions;

namespace Compliance.Api.Answers;

/// <summary>The fixed answer texts: retrieval-only passages and the honest "not covered" refusal.</summary>
public static class AnswerTexts
{
    public const string RetrievalOnlyWarning =
        "This is not a generated answer: no language model is configured, so these are the most relevant passages, quoted.";

    public const string UncertainWarning =
        "No source supports this answer: treat it with caution and check with the compliance team.";

    public static string RetrievalOnly(IReadOnlyList<Citation> sources, string? lead = null)
    {
        var text = new StringBuilder(lead ?? "The most relevant passages from the policies (quoted, not generated):");
        text.Append("\n\n");
        foreach (var source in sources)
        {
            text.Append(CultureInfo.InvariantCulture, $"[{source.Number}] **{source.Title}");
            if (!string.IsNullOrEmpty(source.Section))
            {
                text.Append(" › ").Append(source.Section);
            }
            text.Append("**");
            if (source.Page is { } page)
            {
                text.Append(CultureInfo.InvariantCulture, $" (p. {page})");
            }
            text.Append(": \"").Append(Quote(source.Snippet)).Append("\"\n\n");
        }
        return text.ToString().TrimEnd();
    }

    public static string Refusal(IReadOnlyList<Citation> closest, string contact)
    {
        var text = new StringBuilder($"The policies I have do not cover this question, so I can't answer it. Please ask {contact}.");
        if (closest.Count > 0)
        {
            text.Append("\n\n").Append(RetrievalOnly(closest, "The closest passages I found, in case they help:"));
        }
        return text.ToString();
    }

    /// <summary>A passage shortened to about 400 characters at a word boundary.</summary>
    public static string Quote(string text)
    {
        var flat = text.ReplaceLineEndings(" ").Trim();
        if (flat.Length <= 400)
        {
            return flat;
        }
        var cut = flat.LastIndexOf(' ', 400);
        return flat[..(cut > 200 ? cut : 400)] + "…";
    }
}
