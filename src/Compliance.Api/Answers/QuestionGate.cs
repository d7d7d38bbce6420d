using System.Globalization;
using Compliance.Api.Persistence.Entities;
using Compliance.Contracts.Questions;
using Microsoft.Extensions.Options;

namespace Compliance.Api.Answers;

/// <summary>What the gate decided about one question: go ahead, or the refusal to give instead.</summary>
public abstract record GateDecision(long UserId)
{
    public sealed record Allowed(long UserId) : GateDecision(UserId);

    /// <summary>Refused with <paramref name="Status"/> and a stable <paramref name="ErrorCode"/>; <paramref name="Message"/> is for the user.</summary>
    public sealed record Refused(long UserId, QueryStatus Status, string ErrorCode, string Message) : GateDecision(UserId);
}

/// <summary>
/// Who may ask: every question records its asker (roles and bans live in our database, not in Discord), a banned user
/// is refused, and so is one who has reached the daily question cap. The per-minute limit is the endpoint's.
/// </summary>
public sealed class QuestionGate(Users.UserDirectory users, UsageLimits limits, IOptions<AnswerOptions> options)
{
    private readonly AnswerOptions _options = options.Value;

    public async Task<GateDecision> CheckAsync(QueryRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var user = await users.TouchAsync(request.UserId, request.UserName, questions: 1, cancellationToken: cancellationToken);
        if (user.IsBanned)
        {
            var reason = string.IsNullOrWhiteSpace(user.BanReason) ? "" : $" ({user.BanReason})";
            return new GateDecision.Refused(user.Id, QueryStatus.Refused, "banned",
                $"Your access to the compliance assistant has been suspended{reason}. Please contact {_options.Contact}.");
        }
        if (await limits.UserCapReachedAsync(request.UserId, cancellationToken))
        {
            return new GateDecision.Refused(user.Id, QueryStatus.RateLimited, "daily_cap", string.Create(CultureInfo.InvariantCulture,
                $"You have asked {_options.UserDailyQuestionCap} questions today, the daily limit. It resets at midnight UTC; for anything urgent, contact {_options.Contact}."));
        }
        return new GateDecision.Allowed(user.Id);
    }
}
