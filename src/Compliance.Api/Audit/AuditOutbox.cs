using System.Text;

namespace Compliance.Api.Audit;

/// <summary>
/// The durable local outbox: an append-only file of JSON lines, fsync'd after every append, where audit records
/// wait while Postgres is unavailable. Each instance holds an exclusive lock on its own numbered file, so two
/// processes sharing a directory never interleave lines, and a restarted instance finds (and replays) what its
/// predecessor left. Records that Postgres refuses outright (not an outage: a value it rejects) go to a rejected
/// file beside it, so nothing is dropped silently.
/// </summary>
internal sealed class AuditOutbox : IDisposable
{
    private readonly FileStream _lock;
    private readonly string _rejectedPath;
    private readonly Lock _gate = new();

    private AuditOutbox(FileStream lockFile, string path, string rejectedPath)
    {
        _lock = lockFile;
        FilePath = path;
        _rejectedPath = rejectedPath;
    }

    /// <summary>The outbox file this instance owns.</summary>
    public string FilePath { get; }

    /// <summary>Takes the lowest-numbered outbox file in <paramref name="directory"/> no other process holds.</summary>
    public static AuditOutbox Open(string directory)
    {
        Directory.CreateDirectory(directory);
        for (var n = 0; n < 1000; n++)
        {
            var lockPath = Path.Combine(directory, $"outbox-{n}.lock");
            try
            {
                var lockFile = new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
                return new AuditOutbox(lockFile, Path.Combine(directory, $"outbox-{n}.jsonl"), Path.Combine(directory, $"rejected-{n}.jsonl"));
            }
            catch (IOException)
            {
                // Held by another instance: try the next number.
            }
        }
        throw new IOException($"No free outbox file in {directory}: 1000 instances hold one each.");
    }

    /// <summary>True when records are waiting in the file.</summary>
    public bool HasPending
    {
        get
        {
            lock (_gate)
            {
                return File.Exists(FilePath) && new FileInfo(FilePath).Length > 0;
            }
        }
    }

    /// <summary>Appends the lines and returns only once they are on disk (fsync).</summary>
    public void Append(IEnumerable<string> lines) => AppendTo(FilePath, lines);

    /// <summary>Keeps records Postgres refused, with the reason, for an operator to inspect and replay.</summary>
    public void Reject(string line, string reason) =>
        AppendTo(_rejectedPath, [$"{{\"reason\":{System.Text.Json.JsonSerializer.Serialize(reason)},\"record\":{line}}}"]);

    /// <summary>Every line in the file, oldest first; a last line cut short by a crash is returned as is (the caller rejects it).</summary>
    public IReadOnlyList<string> ReadAll()
    {
        lock (_gate)
        {
            return File.Exists(FilePath)
                ? File.ReadAllLines(FilePath, Encoding.UTF8).Where(line => line.Length > 0).ToList()
                : [];
        }
    }

    /// <summary>Replaces the file's content with <paramref name="remaining"/> (atomically: temp file, fsync, rename).</summary>
    public void Replace(IReadOnlyList<string> remaining)
    {
        lock (_gate)
        {
            if (remaining.Count == 0)
            {
                File.Delete(FilePath);
                return;
            }
            var temp = FilePath + ".tmp";
            using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                Write(stream, remaining);
            }
            File.Move(temp, FilePath, overwrite: true);
        }
    }

    private void AppendTo(string path, IEnumerable<string> lines)
    {
        lock (_gate)
        {
            using var stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read);
            Write(stream, lines);
        }
    }

    private static void Write(FileStream stream, IEnumerable<string> lines)
    {
        var text = new StringBuilder();
        foreach (var line in lines)
        {
            // A record is one line: JSON escapes newlines inside strings, so a raw newline only ends a record.
            text.Append(line).Append('\n');
        }
        stream.Write(Encoding.UTF8.GetBytes(text.ToString()));
        stream.Flush(flushToDisk: true);
    }

    public void Dispose() => _lock.Dispose();
}
