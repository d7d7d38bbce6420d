using System.Diagnostics;

namespace Compliance.Benchmarks.Ingestion;

/// <summary>The parts of "documents to searchable" the ingestion throughput run reports separately.</summary>
public enum IngestStage
{
    /// <summary>Reading the file and hashing it (what the API does while receiving an upload).</summary>
    Read,

    /// <summary>Content sniffing and text extraction (PdfPig for PDFs).</summary>
    Extract,

    /// <summary>Splitting into chunks, sized with the model's tokenizer.</summary>
    Chunk,

    /// <summary>The ONNX embedder.</summary>
    Embed,

    /// <summary>The knowledge index: building the records, upserting them, retiring superseded versions.</summary>
    Index,

    /// <summary>The document lifecycle's Postgres reads and writes (rows, statuses, supersession).</summary>
    Database,
}

/// <summary>
/// One stopwatch split into stages: <see cref="Enter"/> charges the time since the last switch to the stage that was
/// running and starts the next. The stages therefore add up to the total exactly, whatever the ingestion code does
/// between the hooks. Single-threaded by design: documents are ingested one after another, as the API does.
/// </summary>
public sealed class StageClock
{
    private readonly long[] _ticks = new long[Enum.GetValues<IngestStage>().Length];
    private readonly int[] _entries = new int[Enum.GetValues<IngestStage>().Length];
    private long _started;
    private long _last;
    private IngestStage? _current;

    /// <summary>The stage running now; null before <see cref="Start"/> and after <see cref="Stop"/>.</summary>
    public IngestStage? Current => _current;

    public void Start(IngestStage first)
    {
        Array.Clear(_ticks);
        Array.Clear(_entries);
        _started = _last = Stopwatch.GetTimestamp();
        _current = first;
        _entries[(int)first]++;
    }

    /// <summary>Switches to <paramref name="stage"/>; does nothing while the clock is stopped (warm-up).</summary>
    public void Enter(IngestStage stage)
    {
        if (_current is not { } running)
        {
            return;
        }
        var now = Stopwatch.GetTimestamp();
        _ticks[(int)running] += now - _last;
        _last = now;
        if (running != stage)
        {
            _entries[(int)stage]++;
        }
        _current = stage;
    }

    /// <summary>Stops the clock and returns the total.</summary>
    public TimeSpan Stop()
    {
        if (_current is { } running)
        {
            var now = Stopwatch.GetTimestamp();
            _ticks[(int)running] += now - _last;
            _last = now;
            _current = null;
        }
        return Stopwatch.GetElapsedTime(_started, _last);
    }

    public TimeSpan Elapsed(IngestStage stage) => Stopwatch.GetElapsedTime(0, _ticks[(int)stage]);

    /// <summary>How often the clock switched into <paramref name="stage"/> (to check the hooks fired as expected).</summary>
    public int Entries(IngestStage stage) => _entries[(int)stage];
}
