using System.Text.RegularExpressions;

namespace Compliance.Api.Answers;

/// <summary>
/// Turns a follow-up ("and for my spouse?") into a question retrieval can use on its own when no model is there
/// to rewrite it: a short or referring question borrows the key terms of the previous one.
/// </summary>
public static partial class FollowUps
{
    public static string Rewrite(string question, IReadOnlyList<ConversationTurn> history)
    {
        ArgumentNullException.ThrowIfNull(question);
        ArgumentNullException.ThrowIfNull(history);
        if (history.Count == 0 || !LooksLikeFollowUp(question))
        {
            return question;
        }
        var previous = history[^1].Question;
        return $"{previous} {question}";
    }

    public static bool LooksLikeFollowUp(string question) =>
        RetrievalConfidence.KeyTerms(question).Count < 3 || Cue().IsMatch(question.TrimStart());

    // Openings that lean on what was said before.
    [GeneratedRegex(@"^(and|but|also|or|so|what about|how about|what if|same|does (that|this|it)|is (that|this|it)|can (it|they)|(it|they|that|this|those|these)\b)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Cue();
}
