using Compliance.Contracts.Questions;

namespace Compliance.Bot.Api;

/// <summary>
/// What a streamed question produces, in order: <see cref="QueryMetaEvent"/>, zero or more
/// <see cref="QueryDeltaEvent"/>, then exactly one of <see cref="QueryDoneEvent"/>, <see cref="QueryErrorEvent"/>
/// (the API reported a failure) or <see cref="QueryFailedEvent"/> (the call itself failed).
/// </summary>
public abstract record QueryEvent;

public sealed record QueryMetaEvent(QueryStreamMeta Meta) : QueryEvent;

public sealed record QueryDeltaEvent(string Text) : QueryEvent;

public sealed record QueryDoneEvent(QueryResponse Response) : QueryEvent;

/// <summary>The API ended the stream with an <c>error</c> event; its message is written for users.</summary>
public sealed record QueryErrorEvent(QueryStreamError Error) : QueryEvent;

/// <summary>The request failed (status, timeout, network, broken stream).</summary>
public sealed record QueryFailedEvent(ApiFailure Failure) : QueryEvent;
