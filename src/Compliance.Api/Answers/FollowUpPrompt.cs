using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.AI;

namespace Compliance.Api.Answers;

/// <summary>
/// The prompt that turns a follow-up ("and for my spouse?") into a standalone question for retrieval. Like
/// <see cref="AnswerPrompt"/>, its <see cref="Version"/> is a hash of its text, recorded with every rewritten question
/// (in the query log's retrieval diagnostics), so a change to it is visible in the audit trail.
/// </summary>
public static class FollowUpPrompt
{
    private const string SystemTemplate =
        "Rewrite the user's follow-up as one standalone question that can be understood without the conversation. Reply with the question only.";

    private const string UserTemplate = """
        Conversation:
        {transcript}

        Follow-up: {question}
        """;

    /// <summary>Earlier turns shown to the rewriter: the last few are enough to resolve "it" and "that".</summary>
    public const int TurnsShown = 3;

    /// <summary>The prompt's version id: the first 12 hex digits of the SHA-256 of both templates.</summary>
    public static string Version { get; } =
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(SystemTemplate + "\u0000" + UserTemplate)))[..12];

    public static List<ChatMessage> Build(string question, IReadOnlyList<ConversationTurn> history)
    {
        ArgumentNullException.ThrowIfNull(question);
        ArgumentNullException.ThrowIfNull(history);
        var transcript = string.Join("\n", history.TakeLast(TurnsShown).Select(t => $"Q: {t.Question}\nA: {AnswerTexts.Quote(t.Answer)}"));
        var user = UserTemplate.Replace("{transcript}", transcript, StringComparison.Ordinal)
            .Replace("{question}", question, StringComparison.Ordinal);
        return [new ChatMessage(ChatRole.System, SystemTemplate), new ChatMessage(ChatRole.User, user)];
    }
}
