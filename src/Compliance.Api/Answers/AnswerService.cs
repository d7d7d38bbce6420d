using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Compliance.Api.Audit;
using Compliance.Api.Configuration;
using Compliance.Api.Knowledge;
using Compliance.Api.Persistence.Entities;
using Compliance.Contracts.Questions;
using Compliance.Knowledge.Indexing;
using Compliance.Knowledge.Search;
using Compliance.ServiceDefaults.Redaction;
using Microsoft.Extensions.Options;

namespace Compliance.Api.Answers;

/// <summary>
/// Answers one question: gate (bans, daily cap) → conversation → follow-up rewrite → cache → hybrid retrieval →
/// refusal when the policies don't cover it → the model's streamed answer (or quoted passages without a model) →
/// query log. Each step's job lives in its own class (<see cref="QuestionGate"/>, <see cref="FollowUpRewriter"/>,
/// <see cref="AnswerGenerator"/>); this one orders them and makes sure every path, failures and disconnects included,
/// ends in exactly one query-log record.
/// </summary>
public sealed class AnswerService(
    KnowledgeRuntime knowledge,
    CorpusVersion corpus,
    AnswerState state,
    QuestionGate gate,
    FollowUpRewriter rewriter,
    AnswerGenerator generator,
    SemanticGate semanticGate,
    UsageLimits limits,
    QueryLogWriter log,
    IOptions<LlmOptions> llmOptions,
    IOptions<AnswerOptions> answerOptions,
    IOptions<RetrievalOptions> retrievalOptions,
    TimeProvider clock,
    ILogger<AnswerService> logger)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly AnswerOptions _options = answerOptions.Value;
    private readonly LlmOptions _llm = llmOptions.Value;

    public async Task AnswerAsync(QueryRequest request, Func<AnswerEvent, ValueTask> emit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(emit);
        var run = new AnswerRun(Guid.CreateVersion7(), request, clock.GetUtcNow(), Stopwatch.StartNew());
        try
        {
            await RunAsync(run, emit, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The client went away: the model call was cancelled with it, and the question is still logged.
            run.Status = QueryStatus.Error;
            run.ErrorCode = "client_disconnected";
        }
        catch (Exception ex) when (Hardening.ExceptionProblems.IsDependencyOutage(ex))
        {
            // Postgres or Redis is down: a passing outage, answered like every other route's (503, Retry-After).
            logger.LogWarning("Answering query {QueryId} stopped: a dependency is unavailable ({Exception})", run.QueryId, ex.GetType().Name);
            run.Status = QueryStatus.Error;
            run.ErrorCode = QueryApi.DependencyUnavailableCode;
            await TryEmit(emit, new AnswerFailed(new QueryStreamError(run.QueryId, QueryApi.DependencyUnavailableCode,
                "A service the assistant depends on is unavailable. Please try again in a minute.")));
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            logger.LogError(ex, "Answering query {QueryId} failed", run.QueryId);
            run.Status = QueryStatus.Error;
            run.ErrorCode = "internal_error";
            await TryEmit(emit, new AnswerFailed(new QueryStreamError(run.QueryId, "internal_error",
                "Something went wrong while answering; please try again. If it keeps happening, tell the compliance team.")));
        }
        finally
        {
            await WriteLogAsync(run);
        }
    }

    private async Task RunAsync(AnswerRun run, Func<AnswerEvent, ValueTask> emit, CancellationToken cancellationToken)
    {
        var request = run.Request;
        var decision = await gate.CheckAsync(request, cancellationToken);
        run.UserId = decision.UserId;
        if (decision is GateDecision.Refused refused)
        {
            run.Status = refused.Status;
            run.ErrorCode = refused.ErrorCode;
            await run.FinishAsync(emit, AnswerModes.Refusal, [], refused.Message, warning: null, sources: []);
            return;
        }

        // What leaves this service (to the model, to the index) never carries personal data; the audit trail keeps the original.
        var redacted = SensitiveDataRedactor.Shared.Redact(request.Question.Trim());
        var history = await state.GetTurnsAsync(ConversationKey.Of(request));
        var standalone = await rewriter.RewriteAsync(redacted, history, cancellationToken);

        var cacheKey = history.Count == 0 ? await CacheKeyAsync(standalone.Text, request.GuildId) : null;
        if (cacheKey is not null && await state.GetCachedAsync(cacheKey) is { } cached)
        {
            run.CacheHit = true;
            run.Status = ParseStatus(cached.Status);
            run.Model = cached.Model;
            run.Provider = cached.Provider;
            run.Citations = cached.Citations;
            await emit(new AnswerMeta(new QueryStreamMeta(run.QueryId, cached.Mode, cached.Sources)));
            await emit(new AnswerDelta(cached.Answer));
            await run.FinishAsync(emit, cached.Mode, cached.Citations, cached.Answer, cached.Warning, cached.Sources, alreadyStreamed: true);
            // A cached answer starts a conversation like a generated one, or a follow-up to it would have no context.
            await state.AppendTurnAsync(ConversationKey.Of(request), new ConversationTurn(redacted, cached.Answer));
            return;
        }

        var filter = new SearchFilter(request.GuildId ?? Tenants.Global);
        var search = await knowledge.Search.SearchAsync(standalone.Text, filter, retrievalOptions.Value.TopK, cancellationToken);
        run.EmbedMs = (int)search.Timings.Embed.TotalMilliseconds;
        run.SearchMs = (int)search.Timings.Total.TotalMilliseconds;
        run.Diagnostics = Diagnostics(search, standalone, semanticGate);
        var sources = search.Hits.Select((hit, i) => ToCitation(i + 1, hit)).ToList();
        var shortSources = sources.Select(s => s with { Snippet = AnswerTexts.Quote(s.Snippet) }).ToList();

        if (!RetrievalConfidence.IsCovered(standalone.Text, search, _options.MinTermCoverage, semanticGate.MinVectorSimilarity))
        {
            run.Status = QueryStatus.Refused;
            var closest = shortSources.Take(3).ToList();
            await run.StreamAsync(emit, AnswerModes.Refusal, closest, AnswerTexts.Refusal(closest, _options.Contact), closest, warning: null);
            await state.AppendTurnAsync(ConversationKey.Of(request), new ConversationTurn(redacted, "(not covered by the policies)"));
            return;
        }

        var budgetExhausted = _llm.IsConfigured && await limits.BudgetExhaustedAsync(cancellationToken);
        if (!_llm.IsConfigured || budgetExhausted)
        {
            run.Status = QueryStatus.Answered;
            var warning = budgetExhausted
                ? "Today's budget for generated answers is used up, so these are the most relevant passages, quoted. Full answers resume tomorrow."
                : AnswerTexts.RetrievalOnlyWarning;
            await run.StreamAsync(emit, AnswerModes.RetrievalOnly, shortSources, AnswerTexts.RetrievalOnly(shortSources), shortSources, warning);
            return;
        }

        await generator.GenerateAsync(run, emit, redacted, history, sources, shortSources, cacheKey, cancellationToken);
    }

    private async Task<string?> CacheKeyAsync(string question, string? guildId)
    {
        if (_options.AnswerCacheMinutes <= 0 || !_llm.IsConfigured)
        {
            return null;
        }
        var normalised = string.Join(' ', question.ToLowerInvariant().Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)).TrimEnd('?', '.', '!');
        var material = $"{normalised}|{guildId ?? Tenants.Global}|{await corpus.GetAsync()}|{AnswerPrompt.Version}|{_llm.Model}";
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(material)));
    }

    private async Task WriteLogAsync(AnswerRun run)
    {
        var request = run.Request;
        var entry = new QueryLog
        {
            Id = run.QueryId,
            CreatedAt = run.StartedAt,
            UserId = run.UserId,
            DiscordUserId = request.UserId,
            GuildId = request.GuildId,
            ChannelId = request.ChannelId,
            ConversationId = request.ConversationId,
            Question = _options.StoreRedactedQuestions ? SensitiveDataRedactor.Shared.Redact(request.Question) : request.Question,
            Answer = run.Answer,
            Citations = run.Citations.Select(c => new QueryCitation
            {
                Number = c.Number, DocumentId = c.DocumentId, DocumentVersion = c.Version, Title = c.Title,
                Section = c.Section, Page = c.Page, ChunkId = c.ChunkId, Score = c.Score,
            }).ToList(),
            RetrievalDiagnostics = run.Diagnostics,
            Status = run.Status,
            ErrorCode = run.ErrorCode,
            Model = run.Model,
            PromptVersion = AnswerPrompt.Version,
            TokensIn = run.TokensIn,
            TokensOut = run.TokensOut,
            CostUsd = run.CostUsd,
            EmbedMs = run.EmbedMs,
            SearchMs = run.SearchMs,
            FirstTokenMs = run.FirstTokenMs,
            TotalMs = (int)run.Clock.Elapsed.TotalMilliseconds,
            CacheHit = run.CacheHit,
        };
        try
        {
            await log.AppendAsync(entry, CancellationToken.None);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            logger.LogError(ex, "The query log for {QueryId} could not be written", run.QueryId);
        }
    }

    private static string Diagnostics(HybridSearchResult search, StandaloneQuestion question, SemanticGate gate) => JsonSerializer.Serialize(new
    {
        retrievalQuestion = question.Text,
        // How a follow-up became the retrieval question, with the rewriter prompt's version when the model did it.
        rewrite = question.Method,
        rewritePromptVersion = question.PromptVersion,
        mode = search.Mode.ToString(),
        reason = search.ModeReason,
        fusion = search.Fusion?.ToString(),
        hits = search.Hits.Select(h => new { h.Chunk.ChunkId, h.Rank, h.FusedScore, h.TextRank, h.TextScore, h.VectorRank, h.VectorScore }),
        keyTerms = RetrievalConfidence.KeyTerms(question.Text),
        termCoverage = Math.Round(RetrievalConfidence.TermCoverage(question.Text, search.Hits), 3),
        // What the refusal gate compared: the closest passage's similarity against the threshold, when it is semantic.
        gate = gate.Kind,
        topVectorSimilarity = search.TopVectorSimilarity is { } similarity ? Math.Round(similarity, 4) : (double?)null,
        minVectorSimilarity = gate.MinVectorSimilarity,
    }, Json);

    private static Citation ToCitation(int number, HybridHit hit) => new(
        number, hit.Chunk.DocumentId, hit.Chunk.Title, hit.Chunk.DocumentVersion, hit.Chunk.SectionPath, hit.Chunk.PageStart,
        hit.Chunk.ChunkId, Math.Round(hit.FusedScore, 6), hit.Chunk.Text, hit.Chunk.EffectiveDate);

    private static QueryStatus ParseStatus(string status) => Enum.Parse<QueryStatus>(status.Replace("_", "", StringComparison.Ordinal), ignoreCase: true);

    private static async Task TryEmit(Func<AnswerEvent, ValueTask> emit, AnswerEvent answerEvent)
    {
        try
        {
            await emit(answerEvent);
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException)
        {
            // The client is gone; the log records what happened.
        }
    }
}
