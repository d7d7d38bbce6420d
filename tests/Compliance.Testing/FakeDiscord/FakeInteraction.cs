using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json.Nodes;

namespace Compliance.Testing.FakeDiscord;

/// <summary>
/// One interaction's life on the fake: the callback (once, within the deadline), the original message and its
/// edits, followups, and whether the bot token was ever sent where it does not belong.
/// </summary>
public sealed class FakeInteraction
{
    private readonly ConcurrentQueue<JsonObject> _messageStates = new();
    private readonly ConcurrentQueue<FakeMessageWrite> _writes = new();
    private long _dispatchedAt;
    private int _callbacks;
    private int _edits;
    private int _followups;

    internal FakeInteraction(ulong id, string token, int type)
    {
        Id = id;
        Token = token;
        Type = type;
    }

    public ulong Id { get; }

    /// <summary>The interaction token (long and opaque, as on Discord).</summary>
    public string Token { get; }

    /// <summary>2 command, 3 component, 5 modal submit.</summary>
    public int Type { get; }

    /// <summary>When the dispatch was sent, on the fake's clock.</summary>
    public DateTimeOffset CreatedAt { get; internal set; }

    public JsonObject Payload { get; internal set; } = [];

    /// <summary>For component interactions: the message the component was on.</summary>
    public JsonObject? ComponentMessage { get; internal set; }

    /// <summary>The accepted callback type, once acknowledged.</summary>
    public int? CallbackType { get; internal set; }

    /// <summary>The callback data (modal definition for type 9).</summary>
    public JsonObject? CallbackData { get; internal set; }

    /// <summary>Callback attempts, accepted or not.</summary>
    public int CallbackAttempts => Volatile.Read(ref _callbacks);

    /// <summary>Successful edits of <c>@original</c> or followups.</summary>
    public int Edits => Volatile.Read(ref _edits);

    /// <summary>Followup messages created.</summary>
    public int Followups => Volatile.Read(ref _followups);

    /// <summary>The current original response message (after the callback and edits), if any.</summary>
    public JsonObject? OriginalMessage { get; internal set; }

    /// <summary>Whether the original response is ephemeral.</summary>
    public bool Ephemeral { get; internal set; }

    /// <summary>Followup messages by id.</summary>
    public ConcurrentDictionary<string, JsonObject> FollowupMessages { get; } = new();

    /// <summary>Every state the original message went through: the callback's, then each edit's.</summary>
    public IReadOnlyCollection<JsonObject> OriginalMessageHistory => _messageStates;

    /// <summary>
    /// Every accepted callback, edit and followup, timed in real (Stopwatch) time from the dispatch, for benchmarks:
    /// the first write with text is what the user first sees of an answer.
    /// </summary>
    public IReadOnlyCollection<FakeMessageWrite> Writes => _writes;

    /// <summary>Time from the dispatch to the first accepted write that carried text, if any yet.</summary>
    public TimeSpan? FirstTextAfter => _writes.FirstOrDefault(w => w.HasText)?.AfterDispatch;

    internal bool Acknowledged => CallbackType is not null;

    internal void MarkDispatched() => _dispatchedAt = Stopwatch.GetTimestamp();

    internal void RecordWrite(string routeKey, JsonObject message) =>
        _writes.Enqueue(new FakeMessageWrite(Stopwatch.GetElapsedTime(_dispatchedAt), routeKey,
            message["content"]?.GetValue<string>() is { Length: > 0 }, message["components"] is JsonArray { Count: > 0 }));

    internal void RecordCallbackAttempt() => Interlocked.Increment(ref _callbacks);

    internal void RecordOriginalState(JsonObject message)
    {
        OriginalMessage = message;
        _messageStates.Enqueue((JsonObject)message.DeepClone());
    }

    internal void RecordEdit() => Interlocked.Increment(ref _edits);

    internal void RecordFollowup() => Interlocked.Increment(ref _followups);
}

/// <summary>One accepted message write: when (after the dispatch), on which route, and what it showed.</summary>
public sealed record FakeMessageWrite(TimeSpan AfterDispatch, string Route, bool HasText, bool HasComponents);

/// <summary>Every interaction the fake has dispatched, by id and by token.</summary>
public sealed class FakeInteractionRegistry
{
    private readonly ConcurrentDictionary<ulong, FakeInteraction> _byId = new();
    private readonly ConcurrentDictionary<string, FakeInteraction> _byToken = new(StringComparer.Ordinal);

    public IReadOnlyCollection<FakeInteraction> All => [.. _byId.Values];

    internal FakeInteraction Create(int type)
    {
        var token = "aW50ZXJhY3Rpb246" + Convert.ToBase64String(Guid.NewGuid().ToByteArray()).TrimEnd('=').Replace('+', '-').Replace('/', '_') + Guid.NewGuid().ToString("N");
        var interaction = new FakeInteraction(Snowflakes.Next(), token, type);
        _byId[interaction.Id] = interaction;
        _byToken[token] = interaction;
        return interaction;
    }

    internal FakeInteraction? ById(ulong id) => _byId.TryGetValue(id, out var i) ? i : null;

    internal FakeInteraction? ByToken(string token) => _byToken.TryGetValue(token, out var i) ? i : null;
}
