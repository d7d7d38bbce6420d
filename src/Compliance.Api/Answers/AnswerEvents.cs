using Compliance.Contracts.Questions;

namespace Compliance.Api.Answers;

/// <summary>What the answer pipeline emits, in order: meta, deltas, then done or error.</summary>
public abstract record AnswerEvent;

public sealed record AnswerMeta(QueryStreamMeta Meta) : AnswerEvent;

public sealed record AnswerDelta(string Text) : AnswerEvent;

public sealed record AnswerDone(QueryResponse Response) : AnswerEvent;

public sealed record AnswerFailed(QueryStreamError Error) : AnswerEvent;
