using System.Diagnostics;
using Compliance.Api.Persistence.Entities;
using Compliance.Contracts.Questions;

namespace Compliance.Api.Answers;

/// <summary>
/// One question on its way to an answer: everything the response and the query log need, gathered as the answer is
/// made, and the last step every path shares (<see cref="FinishAsync"/>).
/// </summary>
internal sealed class AnswerRun(Guid queryId, QueryRequest request, DateTimeOffset startedAt, Stopwatch clock)
{
    public Guid QueryId { get; } = queryId;
    public QueryRequest Request { get; } = request;
    public DateTimeOffset StartedAt { get; } = startedAt;
    public Stopwatch Clock { get; } = clock;
    public QueryStatus Status { get; set; } = QueryStatus.Error;
    public string? ErrorCode { get; set; }
    public string? Answer { get; set; }
    public IReadOnlyList<Citation> Citations { get; set; } = [];
    public string? Diagnostics { get; set; }
    public string? Model { get; set; }

    /// <summary>Which provider wrote the answer (<c>primary</c> or <c>fallback</c>); null when no model answered.</summary>
    public string? Provider { get; set; }

    public int TokensIn { get; set; }
    public int TokensOut { get; set; }
    public decimal CostUsd { get; set; }
    public int? EmbedMs { get; set; }
    public int? SearchMs { get; set; }
    public int? FirstTokenMs { get; set; }
    public double? ModelMs { get; set; }
    public bool CacheHit { get; set; }
    public long? UserId { get; set; }

    /// <summary>Emits meta, the whole text as one delta, then done: the shape of a streamed answer without a model.</summary>
    public async Task StreamAsync(Func<AnswerEvent, ValueTask> emit, string mode, IReadOnlyList<Citation> citations, string text,
        IReadOnlyList<Citation> sources, string? warning)
    {
        await emit(new AnswerMeta(new QueryStreamMeta(QueryId, mode, sources)));
        await emit(new AnswerDelta(text));
        await FinishAsync(emit, mode, citations, text, warning, sources, alreadyStreamed: true);
    }

    /// <summary>Records the final text and citations and emits the response (after meta and text, unless already streamed).</summary>
    public async Task<QueryResponse> FinishAsync(Func<AnswerEvent, ValueTask> emit, string mode, IReadOnlyList<Citation> citations,
        string text, string? warning, IReadOnlyList<Citation> sources, bool alreadyStreamed = false)
    {
        if (!alreadyStreamed)
        {
            await emit(new AnswerMeta(new QueryStreamMeta(QueryId, mode, sources)));
            await emit(new AnswerDelta(text));
        }
        Answer = text;
        Citations = citations;
        var generated = mode == AnswerModes.Generated;
        var response = new QueryResponse(QueryId, StatusName(Status), mode, text, citations, sources, warning,
            generated ? Model : null, AnswerPrompt.Version,
            new QueryUsage(TokensIn, TokensOut, CostUsd),
            new QueryTimings(EmbedMs ?? 0, SearchMs ?? 0, FirstTokenMs, Math.Round(Clock.Elapsed.TotalMilliseconds, 1),
                ModelMs is { } modelMs ? Math.Round(modelMs, 1) : null),
            CacheHit, Request.ConversationId, generated ? Provider : null);
        await emit(new AnswerDone(response));
        return response;
    }

    public static string StatusName(QueryStatus status) => Persistence.EntityConfigurations.SnakeCase.From(status.ToString());
}
