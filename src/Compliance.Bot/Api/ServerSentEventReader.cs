using System.Text;

namespace Compliance.Bot.Api;

/// <summary>One Server-Sent Event: its <c>event:</c> name (<c>message</c> when absent) and its joined <c>data:</c> lines.</summary>
public sealed record ServerSentEvent(string Name, string Data);

/// <summary>
/// Reads <c>text/event-stream</c> per the HTML living standard's parsing rules: <c>event:</c>/<c>data:</c> fields,
/// one optional space after the colon, multi-line data joined with <c>\n</c>, comment lines (<c>:</c>) and
/// keep-alives skipped, an event dispatched on a blank line and an unterminated last event discarded.
/// </summary>
public sealed class ServerSentEventReader : IDisposable
{
    private readonly StreamReader _reader;
    private readonly Action? _onLine;

    /// <param name="stream">The response body.</param>
    /// <param name="onLine">Called for every line read, keep-alives included (resets an idle timer).</param>
    public ServerSentEventReader(Stream stream, Action? onLine = null)
    {
        _reader = new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: false, bufferSize: 4096, leaveOpen: false);
        _onLine = onLine;
    }

    /// <summary>The next event, or null at the end of the stream.</summary>
    public async ValueTask<ServerSentEvent?> ReadAsync(CancellationToken cancellationToken)
    {
        string? name = null;
        StringBuilder? data = null;
        while (await _reader.ReadLineAsync(cancellationToken) is { } line)
        {
            _onLine?.Invoke();
            if (line.Length == 0)
            {
                if (data is not null)
                {
                    return new ServerSentEvent(string.IsNullOrEmpty(name) ? "message" : name, data.ToString());
                }
                name = null;
                continue;
            }
            if (line[0] == ':')
            {
                continue;
            }
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            var field = colon < 0 ? line : line[..colon];
            var value = colon < 0 ? "" : line[(colon + 1)..];
            if (value.StartsWith(' '))
            {
                value = value[1..];
            }
            switch (field)
            {
                case "event":
                    name = value;
                    break;
                case "data":
                    data = data is null ? new StringBuilder(value) : data.Append('\n').Append(value);
                    break;
                default:
                    // id and retry matter only to browsers reconnecting; unknown fields are ignored by the standard.
                    break;
            }
        }
        return null;
    }

    public void Dispose() => _reader.Dispose();
}
