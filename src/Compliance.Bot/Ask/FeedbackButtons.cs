using System.Diagnostics.CodeAnalysis;
using Discord;

namespace Compliance.Bot.Ask;

/// <summary>The kind of feedback a button or the report modal carries.</summary>
public enum FeedbackAction
{
    Helpful,
    NotHelpful,
    Report,
}

/// <summary>
/// The 👍 / 👎 / "Report a problem" buttons under an answer. Their <c>custom_id</c> carries the action, the query
/// id and the asker (<c>fb:up:{queryId}:{userId}</c>, at most 62 characters), so a click needs no state in the bot
/// and only the asker's clicks are sent as ratings.
/// </summary>
public static class FeedbackButtons
{
    public const string Prefix = "fb:";

    /// <summary>The report modal's custom id prefix and its text input's id.</summary>
    public const string ReportModalPrefix = "fbm:";
    public const string ReportCommentInput = "comment";

    public static MessageComponent Row(Guid queryId, string askerId) => new ComponentBuilder()
        .WithButton("👍 Helpful", Id(FeedbackAction.Helpful, queryId, askerId), ButtonStyle.Secondary)
        .WithButton("👎 Not helpful", Id(FeedbackAction.NotHelpful, queryId, askerId), ButtonStyle.Secondary)
        .WithButton("Report a problem", Id(FeedbackAction.Report, queryId, askerId), ButtonStyle.Danger)
        .Build();

    public static string Id(FeedbackAction action, Guid queryId, string askerId) =>
        $"{Prefix}{Code(action)}:{queryId:N}:{askerId}";

    public static string ModalId(Guid queryId, string askerId) => $"{ReportModalPrefix}{queryId:N}:{askerId}";

    /// <summary>Parses a button custom id; false for anything else (including tampered ids).</summary>
    public static bool TryParse(string? customId, out FeedbackAction action, out Guid queryId, [NotNullWhen(true)] out string? askerId)
    {
        action = default;
        queryId = default;
        askerId = null;
        var parts = customId?.Split(':');
        if (parts is not ["fb", var code, var query, var asker] || !Guid.TryParseExact(query, "N", out queryId) || !IsSnowflake(asker))
        {
            return false;
        }
        action = code switch { "up" => FeedbackAction.Helpful, "down" => FeedbackAction.NotHelpful, "report" => FeedbackAction.Report, _ => (FeedbackAction)(-1) };
        askerId = asker;
        return Enum.IsDefined(action);
    }

    /// <summary>Parses a report modal's custom id.</summary>
    public static bool TryParseModal(string? customId, out Guid queryId, [NotNullWhen(true)] out string? askerId)
    {
        queryId = default;
        askerId = null;
        var parts = customId?.Split(':');
        if (parts is not ["fbm", var query, var asker] || !Guid.TryParseExact(query, "N", out queryId) || !IsSnowflake(asker))
        {
            return false;
        }
        askerId = asker;
        return true;
    }

    private static string Code(FeedbackAction action) => action switch
    {
        FeedbackAction.Helpful => "up",
        FeedbackAction.NotHelpful => "down",
        _ => "report",
    };

    private static bool IsSnowflake(string value) => value.Length is >= 1 and <= 21 && value.All(char.IsAsciiDigit);
}
