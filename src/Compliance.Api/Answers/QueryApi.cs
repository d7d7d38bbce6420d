using System.Text.Json;
using Compliance.Api.Problems;
using Compliance.Api.RateLimiting;
using Compliance.Contracts.Common;
using Compliance.Contracts.Questions;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;

namespace Compliance.Api.Answers;

/// <summary>
/// <c>POST /api/v1/query</c>: one JSON answer, or Server-Sent Events (<c>meta</c>, <c>delta</c>…, then <c>done</c> or
/// <c>error</c>) when the client sends <c>Accept: text/event-stream</c>.
/// <c>DELETE /api/v1/conversations/{id}?userId=...&amp;guildId=...</c> starts that user's conversation afresh.
/// </summary>
public static class QueryApi
{
    public const int MaxQuestionLength = 1000;

    /// <summary>The error code of an answer stopped by a Postgres or Redis outage.</summary>
    public const string DependencyUnavailableCode = "dependency_unavailable";

    // The same wait every other route asks for during an outage (see ExceptionProblems).
    private const string DependencyRetryAfterSeconds = "30";
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Maps into the <c>/api/v1</c> group (service token).</summary>
    public static RouteGroupBuilder MapQueryApi(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("").WithTags("Questions");
        group.MapPost("/query", QueryAsync).WithName("Query")
            .WithSummary("Answer a question from the policies, with checked citations; JSON, or SSE with Accept: text/event-stream.")
            .RequireQuestionRateLimit<QueryRequest>(r => r.UserId)
            .Produces<QueryResponse>(StatusCodes.Status200OK, "application/json", "text/event-stream")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        group.MapDelete("/conversations/{conversationId}", ResetAsync).WithName("ResetConversation")
            .WithSummary("Forget a user's conversation's earlier turns (userId required, guildId when asked in a guild), so the next question starts afresh.")
            .ProducesProblem(StatusCodes.Status400BadRequest);
        return api;
    }

    private static async Task<Results<Ok<QueryResponse>, ProblemHttpResult, EmptyHttpResult>> QueryAsync(
        QueryRequest request, HttpContext context, AnswerService answers, CancellationToken cancellationToken)
    {
        if (Validate(request) is { } problem)
        {
            return ApiProblems.Validation(problem);
        }

        var accept = context.Request.Headers.Accept.ToString();
        if (accept.Contains("text/event-stream", StringComparison.OrdinalIgnoreCase))
        {
            await StreamAsync(request, context, answers, cancellationToken);
            return TypedResults.Empty;
        }

        AnswerDone? done = null;
        AnswerFailed? failed = null;
        await answers.AnswerAsync(request, e =>
        {
            done = e as AnswerDone ?? done;
            failed = e as AnswerFailed ?? failed;
            return ValueTask.CompletedTask;
        }, cancellationToken);

        if (done is not null)
        {
            return TypedResults.Ok(done.Response);
        }
        var error = failed?.Error;
        if (error?.Code == DependencyUnavailableCode)
        {
            context.Response.Headers.RetryAfter = DependencyRetryAfterSeconds;
        }
        return ApiProblems.Create(StatusCodes.Status503ServiceUnavailable, ProblemTypes.DependencyUnavailable, "The question could not be answered",
            error?.Message ?? "The question could not be answered; please try again.",
            new Dictionary<string, object?> { ["queryId"] = error?.QueryId, ["code"] = error?.Code });
    }

    private static async Task StreamAsync(QueryRequest request, HttpContext context, AnswerService answers, CancellationToken cancellationToken)
    {
        var response = context.Response;
        response.ContentType = "text/event-stream; charset=utf-8";
        response.Headers.CacheControl = "no-cache, no-transform";
        response.Headers["X-Accel-Buffering"] = "no";
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();

        await answers.AnswerAsync(request, async e =>
        {
            var (name, payload) = e switch
            {
                AnswerMeta meta => (QueryStreamEvents.Meta, (object)meta.Meta),
                AnswerDelta delta => (QueryStreamEvents.Delta, new QueryStreamDelta(delta.Text)),
                AnswerDone finished => (QueryStreamEvents.Done, finished.Response),
                AnswerFailed error => (QueryStreamEvents.Error, error.Error),
                _ => throw new InvalidOperationException("Unknown answer event."),
            };
            // One event per write and flush, so the first words reach the user as soon as the model sends them.
            await response.WriteAsync($"event: {name}\ndata: {JsonSerializer.Serialize(payload, payload.GetType(), Json)}\n\n", cancellationToken);
            await response.Body.FlushAsync(cancellationToken);
        }, cancellationToken);
    }

    // Conversations are keyed by tenant and user too (ConversationKey): a reset names whose conversation it is, the same
    // way the question did, and can only ever forget that one.
    private static async Task<Results<Ok<ConversationResetResponse>, ProblemHttpResult>> ResetAsync(
        string conversationId, string? userId, string? guildId, AnswerState state)
    {
        if (Validate(new QueryRequest("reset", userId ?? "", guildId, ConversationId: conversationId)) is { } problem)
        {
            return ApiProblems.Validation(problem);
        }
        var conversation = ConversationKey.Of(new QueryRequest("reset", userId!, guildId, ConversationId: conversationId))!;
        return TypedResults.Ok(new ConversationResetResponse(conversationId, await state.ResetAsync(conversation)));
    }

    internal static string? Validate(QueryRequest? request)
    {
        if (request is null)
        {
            return "Send a JSON body with 'question' and 'userId'.";
        }
        if (string.IsNullOrWhiteSpace(request.Question))
        {
            return "question is required.";
        }
        if (request.Question.Length > MaxQuestionLength)
        {
            return $"question is longer than {MaxQuestionLength} characters.";
        }
        if (!Users.DiscordIds.IsValid(request.UserId))
        {
            return Users.DiscordIds.Expected("userId");
        }
        if (request.GuildId is not null && !Users.DiscordIds.IsValid(request.GuildId))
        {
            return Users.DiscordIds.Expected("guildId");
        }
        if (request.ChannelId is not null && !Users.DiscordIds.IsValid(request.ChannelId))
        {
            return Users.DiscordIds.Expected("channelId");
        }
        if (request.ConversationId is { } conversation &&
            (conversation.Length is 0 or > 100 || !conversation.All(c => char.IsAsciiLetterOrDigit(c) || c is ':' or '-' or '_')))
        {
            return "conversationId is 1-100 letters, digits, ':', '-' or '_'.";
        }
        if (request.UserName is { Length: > 100 })
        {
            return "userName is at most 100 characters.";
        }
        return null;
    }
}
