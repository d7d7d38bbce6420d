using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Compliance.Api.Answers.Llm;
using Compliance.Api.Audit;
using Compliance.Api.Configuration;
using Compliance.Api.Knowledge;
using Compliance.Api.Persistence.Entities;
using Compliance.Contracts.Questions;
using Compliance.Knowledge.Embeddings;
using Compliance.Knowledge.Indexing;
using Compliance.Knowledge.Search;
using Compliance.ServiceDefaults.Redaction;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;

namespace Compliance.Api.Answers;

/// <summary>
/// Answers one question: limits → conversation → cache → hybrid retrieval → refusal when the policies don't cover
/// it → the model's streamed answer (or quoted passages without a model) → citation check → query log. Every path,
/// failures and disconnects included, ends in exactly one query-log record.
/// </summary>
public sealed class AnswerService(
    KnowledgeRuntime knowledge,
    CorpusVersion corpus,
    AnswerState state,
    IChatClient chat,
    UsageLimits limits,
    Users.UserDirectory users,
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
        // Roles and bans live in our database, not in Discord: every question records the asker and checks them.
        var user = await users.TouchAsync(request.UserId, request.UserName, questions: 1, cancellationToken: cancellationToken);
        run.UserId = user.Id;
        if (user.IsBanned)
        {
            run.Status = QueryStatus.Refused;
            run.ErrorCode = "banned";
            await Finish(run, emit, AnswerModes.Refusal, [],
                $"Your access to the compliance assistant has been suspended{(string.IsNullOrWhiteSpace(user.BanReason) ? "" : $" ({user.BanReason})")}. Please contact {_options.Contact}.",
                warning: null, sources: []);
            return;
        }

        if (await limits.UserCapReachedAsync(request.UserId, cancellationToken))
        {
            run.Status = QueryStatus.RateLimited;
            run.ErrorCode = "daily_cap";
            await Finish(run, emit, AnswerModes.Refusal, [],
                string.Create(CultureInfo.InvariantCulture, $"You have asked {_options.UserDailyQuestionCap} questions today, the daily limit. It resets at midnight UTC; for anything urgent, contact {_options.Contact}."),
                warning: null, sources: []);
            return;
        }

        // What leaves this service (to the model, to the index) never carries personal data; the audit trail keeps the original.
        var redacted = SensitiveDataRedactor.Shared.Redact(request.Question.Trim());
        var history = await state.GetTurnsAsync(ConversationKey.Of(request));
        var standalone = await StandaloneQuestionAsync(redacted, history, cancellationToken);

        var cacheKey = history.Count == 0 ? await CacheKeyAsync(standalone, request.GuildId) : null;
        if (cacheKey is not null && await state.GetCachedAsync(cacheKey) is { } cached)
        {
            run.CacheHit = true;
            run.Status = ParseStatus(cached.Status);
            run.Model = cached.Model;
            run.Citations = cached.Citations;
            await emit(new AnswerMeta(new QueryStreamMeta(run.QueryId, cached.Mode, cached.Sources)));
            await emit(new AnswerDelta(cached.Answer));
            await Finish(run, emit, cached.Mode, cached.Citations, cached.Answer, cached.Warning, cached.Sources, alreadyStreamed: true);
            // A cached answer starts a conversation like a generated one, or a follow-up to it would have no context.
            await state.AppendTurnAsync(ConversationKey.Of(request), new ConversationTurn(redacted, cached.Answer));
            return;
        }

        var filter = new SearchFilter(request.GuildId ?? Tenants.Global);
        var search = await knowledge.Search.SearchAsync(standalone, filter, retrievalOptions.Value.TopK, cancellationToken);
        run.EmbedMs = (int)search.Timings.Embed.TotalMilliseconds;
        run.SearchMs = (int)search.Timings.Total.TotalMilliseconds;
        run.Diagnostics = Diagnostics(search, standalone);
        var sources = search.Hits.Select((hit, i) => ToCitation(i + 1, hit)).ToList();
        var shortSources = sources.Select(s => s with { Snippet = AnswerTexts.Quote(s.Snippet) }).ToList();

        if (!RetrievalConfidence.IsCovered(standalone, search.Hits, _options))
        {
            run.Status = QueryStatus.Refused;
            var closest = shortSources.Take(3).ToList();
            await Stream(run, emit, AnswerModes.Refusal, closest, AnswerTexts.Refusal(closest, _options.Contact), closest, warning: null);
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
            await Stream(run, emit, AnswerModes.RetrievalOnly, shortSources, AnswerTexts.RetrievalOnly(shortSources), shortSources, warning);
            return;
        }

        await GenerateAsync(run, emit, redacted, history, sources, shortSources, cacheKey, cancellationToken);
    }

    private async Task GenerateAsync(AnswerRun run, Func<AnswerEvent, ValueTask> emit, string question, IReadOnlyList<ConversationTurn> history,
        IReadOnlyList<Citation> sources, IReadOnlyList<Citation> shortSources, string? cacheKey, CancellationToken cancellationToken)
    {
        await emit(new AnswerMeta(new QueryStreamMeta(run.QueryId, AnswerModes.Generated, shortSources)));
        var messages = AnswerPrompt.Build(question, sources, WithinBudget(history), _options);
        var chatOptions = new ChatOptions { ModelId = _llm.Model, Temperature = (float)_llm.Temperature, MaxOutputTokens = _options.MaxAnswerTokens };
        run.Model = _llm.Model;
        var text = new StringBuilder();
        try
        {
            await using var updates = chat.GetStreamingResponseAsync(messages, chatOptions, cancellationToken).GetAsyncEnumerator(cancellationToken);
            while (true)
            {
                // Only the wait for the model's next piece counts as model time; emitting it is the service's own.
                var waitStarted = Stopwatch.GetTimestamp();
                var more = await updates.MoveNextAsync();
                run.ModelMs = (run.ModelMs ?? 0) + Stopwatch.GetElapsedTime(waitStarted).TotalMilliseconds;
                if (!more)
                {
                    break;
                }
                var update = updates.Current;
                foreach (var usage in update.Contents.OfType<UsageContent>())
                {
                    run.TokensIn = (int)(usage.Details.InputTokenCount ?? 0);
                    run.TokensOut = (int)(usage.Details.OutputTokenCount ?? 0);
                }
                if (!string.IsNullOrEmpty(update.Text))
                {
                    run.FirstTokenMs ??= (int)run.Clock.Elapsed.TotalMilliseconds;
                    text.Append(update.Text);
                    await emit(new AnswerDelta(update.Text));
                }
                if (update.ModelId is { Length: > 0 } model)
                {
                    run.Model = model;
                }
            }
        }
        catch (LlmException ex) when (ex.Kind == LlmFailure.Cancelled && cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException("The client disconnected.", ex, cancellationToken);
        }
        catch (LlmException ex)
        {
            run.Status = QueryStatus.Error;
            run.ErrorCode = "llm_" + Persistence.EntityConfigurations.SnakeCase.From(ex.Kind.ToString());
            run.CostUsd = limits.Cost(run.Model, run.TokensIn, run.TokensOut);
            if (ex.AnswerStarted)
            {
                // The user has seen part of an answer: say plainly that it broke off, never pretend it is complete.
                await emit(new AnswerFailed(new QueryStreamError(run.QueryId, run.ErrorCode, ex.UserMessage + " The answer above is incomplete.")));
                run.Answer = text.ToString();
                return;
            }
            // Nothing shown yet: the quoted passages are still worth having, clearly labelled.
            await Finish(run, emit, AnswerModes.RetrievalOnly, shortSources,
                AnswerTexts.RetrievalOnly(shortSources), ex.UserMessage + " Here are the most relevant passages instead, quoted.", shortSources);
            return;
        }

        var checkedAnswer = CitationCheck.Check(text.ToString(), sources);
        if (checkedAnswer.DroppedNumbers.Count > 0)
        {
            logger.LogWarning("Query {QueryId}: the model cited sources that were not given ({Dropped}); removed", run.QueryId, string.Join(",", checkedAnswer.DroppedNumbers));
        }
        run.Status = checkedAnswer.IsSupported ? QueryStatus.Answered : QueryStatus.Uncertain;
        run.CostUsd = limits.Cost(run.Model, run.TokensIn, run.TokensOut);
        var citations = checkedAnswer.Citations.Select(c => c with { Snippet = AnswerTexts.Quote(c.Snippet) }).ToList();
        var response = await Finish(run, emit, AnswerModes.Generated, citations, checkedAnswer.Text,
            checkedAnswer.IsSupported ? null : AnswerTexts.UncertainWarning, shortSources, alreadyStreamed: true);
        await state.AppendTurnAsync(ConversationKey.Of(run.Request), new ConversationTurn(question, checkedAnswer.Text));
        if (cacheKey is not null && run.Status == QueryStatus.Answered)
        {
            await state.SetCachedAsync(cacheKey, response);
        }
    }

    /// <summary>Emits meta, the whole text as one delta, then done: the shape of a streamed answer without a model.</summary>
    private static async Task Stream(AnswerRun run, Func<AnswerEvent, ValueTask> emit, string mode, IReadOnlyList<Citation> citations, string text,
        IReadOnlyList<Citation> sources, string? warning)
    {
        await emit(new AnswerMeta(new QueryStreamMeta(run.QueryId, mode, sources)));
        await emit(new AnswerDelta(text));
        await Finish(run, emit, mode, citations, text, warning, sources, alreadyStreamed: true);
    }

    private static async Task<QueryResponse> Finish(AnswerRun run, Func<AnswerEvent, ValueTask> emit, string mode, IReadOnlyList<Citation> citations,
        string text, string? warning, IReadOnlyList<Citation> sources, bool alreadyStreamed = false)
    {
        if (!alreadyStreamed)
        {
            await emit(new AnswerMeta(new QueryStreamMeta(run.QueryId, mode, sources)));
            await emit(new AnswerDelta(text));
        }
        run.Answer = text;
        run.Citations = citations;
        var response = new QueryResponse(run.QueryId, StatusName(run.Status), mode, text, citations, sources, warning,
            mode == AnswerModes.Generated ? run.Model : null, AnswerPrompt.Version,
            new QueryUsage(run.TokensIn, run.TokensOut, run.CostUsd),
            new QueryTimings(run.EmbedMs ?? 0, run.SearchMs ?? 0, run.FirstTokenMs, Math.Round(run.Clock.Elapsed.TotalMilliseconds, 1),
                run.ModelMs is { } modelMs ? Math.Round(modelMs, 1) : null),
            run.CacheHit, run.Request.ConversationId);
        await emit(new AnswerDone(response));
        return response;
    }

    private async Task<string> StandaloneQuestionAsync(string question, IReadOnlyList<ConversationTurn> history, CancellationToken cancellationToken)
    {
        if (history.Count == 0)
        {
            return question;
        }
        if (_llm.IsConfigured)
        {
            try
            {
                var transcript = string.Join("\n", history.TakeLast(3).Select(t => $"Q: {t.Question}\nA: {AnswerTexts.Quote(t.Answer)}"));
                var rewritten = await chat.GetResponseAsync(
                [
                    new ChatMessage(ChatRole.System, "Rewrite the user's follow-up as one standalone question that can be understood without the conversation. Reply with the question only."),
                    new ChatMessage(ChatRole.User, $"Conversation:\n{transcript}\n\nFollow-up: {question}"),
                ], new ChatOptions { ModelId = _llm.Model, Temperature = 0, MaxOutputTokens = 80 }, cancellationToken);
                if (rewritten.Text is { Length: > 3 and < 500 } standalone)
                {
                    return standalone.Trim();
                }
            }
            catch (LlmException ex) when (ex.Kind != LlmFailure.Cancelled)
            {
                logger.LogInformation("Follow-up rewrite by the model failed ({Kind}); using the simple rule", ex.Kind);
            }
        }
        return FollowUps.Rewrite(question, history);
    }

    private List<ConversationTurn> WithinBudget(IReadOnlyList<ConversationTurn> history)
    {
        // Newest turns first until the budget is spent, then back in conversation order.
        var tokenizer = (knowledge.Embedder as OnnxTextEmbedder)?.Tokenizer ?? BundledTokenizers.GteSmall;
        var kept = new List<ConversationTurn>();
        var used = 0;
        for (var i = history.Count - 1; i >= 0; i--)
        {
            var cost = tokenizer.CountTokens(history[i].Question) + tokenizer.CountTokens(history[i].Answer);
            if (used + cost > _options.HistoryTokenBudget)
            {
                break;
            }
            used += cost;
            kept.Insert(0, history[i]);
        }
        return kept;
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
            ContentHash = string.Empty,
            PreviousHash = string.Empty,
            Hash = string.Empty,
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

    private static string Diagnostics(HybridSearchResult search, string retrievalQuestion) => JsonSerializer.Serialize(new
    {
        retrievalQuestion,
        mode = search.Mode.ToString(),
        reason = search.ModeReason,
        fusion = search.Fusion?.ToString(),
        hits = search.Hits.Select(h => new { h.Chunk.ChunkId, h.Rank, h.FusedScore, h.TextRank, h.TextScore, h.VectorRank, h.VectorScore }),
        keyTerms = RetrievalConfidence.KeyTerms(retrievalQuestion),
        termCoverage = Math.Round(RetrievalConfidence.TermCoverage(retrievalQuestion, search.Hits), 3),
    }, Json);

    private static Citation ToCitation(int number, HybridHit hit) => new(
        number, hit.Chunk.DocumentId, hit.Chunk.Title, hit.Chunk.DocumentVersion, hit.Chunk.SectionPath, hit.Chunk.PageStart,
        hit.Chunk.ChunkId, Math.Round(hit.FusedScore, 6), hit.Chunk.Text, hit.Chunk.EffectiveDate);

    private static string StatusName(QueryStatus status) => Persistence.EntityConfigurations.SnakeCase.From(status.ToString());

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

    /// <summary>Everything the query log needs, gathered as the answer is made.</summary>
    private sealed class AnswerRun(Guid queryId, QueryRequest request, DateTimeOffset startedAt, Stopwatch clock)
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
        public int TokensIn { get; set; }
        public int TokensOut { get; set; }
        public decimal CostUsd { get; set; }
        public int? EmbedMs { get; set; }
        public int? SearchMs { get; set; }
        public int? FirstTokenMs { get; set; }
        public double? ModelMs { get; set; }
        public bool CacheHit { get; set; }
        public long? UserId { get; set; }
    }
}
