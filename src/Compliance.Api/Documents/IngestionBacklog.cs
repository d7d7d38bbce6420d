using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.Extensions.Options;

namespace Compliance.Api.Documents;

/// <summary>
/// <c>INGEST_QUEUE_CAPACITY</c>: how many accepted documents may wait for the ingestion worker (default 100) before
/// uploads are refused with 503 and Retry-After. Postgres holds the waiting documents' bytes, so the bound is
/// about the database and the time a document waits, not memory.
/// </summary>
public sealed class IngestionOptions
{
    [ConfigurationKeyName("INGEST_QUEUE_CAPACITY")]
    public int QueueCapacity { get; set; } = 100;
}

internal sealed class IngestionOptionsValidation : IValidateOptions<IngestionOptions>
{
    public ValidateOptionsResult Validate(string? name, IngestionOptions options) =>
        options.QueueCapacity is < 1 or > 100_000
            ? ValidateOptionsResult.Fail($"INGEST_QUEUE_CAPACITY is {options.QueueCapacity}; expected 1 to 100000 documents.")
            : ValidateOptionsResult.Success;
}

/// <summary>
/// The documents this process has to ingest, in order, for <see cref="IngestionWorker"/>. The database is the
/// record (a document's status and its stored bytes); this only wakes the worker and knows which documents are
/// already in hand, so that a re-upload of one of them returns its job instead of starting a second.
/// </summary>
public sealed class IngestionBacklog(IOptions<IngestionOptions> options)
{
    private readonly Channel<Guid> _channel = Channel.CreateUnbounded<Guid>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentDictionary<Guid, byte> _inHand = new();

    /// <summary>Documents waiting or being ingested.</summary>
    public int Count => _inHand.Count;

    /// <summary>False once <see cref="IngestionOptions.QueueCapacity"/> documents are in hand: uploads wait.</summary>
    public bool HasRoom => _inHand.Count < options.Value.QueueCapacity;

    /// <summary>True while the document is waiting for or in the worker's hands.</summary>
    public bool Holds(Guid documentId) => _inHand.ContainsKey(documentId);

    /// <summary>Queues a document once; false when it is already in hand.</summary>
    public bool Enqueue(Guid documentId) => _inHand.TryAdd(documentId, 0) && _channel.Writer.TryWrite(documentId);

    internal IAsyncEnumerable<Guid> ReadAllAsync(CancellationToken cancellationToken) => _channel.Reader.ReadAllAsync(cancellationToken);

    /// <summary>The worker is done with the document (indexed, failed, or stopped mid-way for a restart to resume).</summary>
    internal void Release(Guid documentId) => _inHand.TryRemove(documentId, out _);
}
