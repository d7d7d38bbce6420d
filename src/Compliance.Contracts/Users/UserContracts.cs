namespace Compliance.Contracts.Users;

/// <summary><c>PUT /api/v1/users/{userId}/settings</c>: what the user chose with /settings.</summary>
public sealed record UserSettingsRequest(bool AnswerPrivately);

/// <summary>A user's settings as stored.</summary>
public sealed record UserSettingsResponse(string UserId, bool AnswerPrivately);

/// <summary>
/// <c>DELETE /api/v1/history/{userId}</c> and <c>DELETE /admin/users/{userId}/queries</c>: what a GDPR erasure removed.
/// The queries stay in the audit trail without their content (question, answer), so the chain still verifies.
/// </summary>
public sealed record ErasureResponse(string UserId, int QueriesErased, int FeedbackCommentsErased, DateTimeOffset ErasedAt);
