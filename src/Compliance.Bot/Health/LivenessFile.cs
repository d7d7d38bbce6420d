namespace Compliance.Bot.Health;

/// <summary>
/// The liveness signal a container probe reads: a file whose modification time is refreshed while the gateway is
/// connected and its heartbeats are acknowledged. <c>dotnet Compliance.Bot.dll health</c> (or <c>--check</c>) exits
/// 0 when the file is fresh, 1 otherwise; Dockerfile.bot's HEALTHCHECK runs it.
/// </summary>
public static class LivenessFile
{
    /// <summary>
    /// True when the gateway is connected and its last heartbeat was acknowledged recently: within two heartbeat
    /// intervals plus slack (Discord.Net itself reconnects after one missed acknowledgement).
    /// </summary>
    public static bool IsHealthy(bool connected, DateTimeOffset now, DateTimeOffset? lastHeartbeatAck, DateTimeOffset connectedSince, TimeSpan heartbeatInterval)
    {
        if (!connected)
        {
            return false;
        }
        var allowance = heartbeatInterval * 2 + TimeSpan.FromSeconds(5);
        var lastSign = lastHeartbeatAck is { } ack && ack > connectedSince ? ack : connectedSince;
        return now - lastSign <= allowance;
    }

    /// <summary>Refreshes the file's modification time (creating it if needed).</summary>
    public static void Touch(string path, DateTimeOffset now)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }
        File.WriteAllText(path, now.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
        File.SetLastWriteTimeUtc(path, now.UtcDateTime);
    }

    /// <summary>Removes the file, so a stopped bot reads as not alive at once.</summary>
    public static void Remove(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Best effort: the file ages out anyway.
        }
        catch (UnauthorizedAccessException)
        {
            // Same.
        }
    }

    /// <summary>The probe: 0 when the file exists and is at most <paramref name="maxAge"/> old, else 1, with a one-line reason.</summary>
    public static int Check(string path, TimeSpan maxAge, DateTimeOffset now, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (!File.Exists(path))
        {
            output.WriteLine($"not alive: {path} does not exist (the gateway has not connected, or the bot stopped)");
            return 1;
        }
        var age = now.UtcDateTime - File.GetLastWriteTimeUtc(path);
        if (age > maxAge)
        {
            output.WriteLine($"not alive: {path} is {age.TotalSeconds:0} s old (limit {maxAge.TotalSeconds:0} s); the gateway is disconnected or its heartbeats are not acknowledged");
            return 1;
        }
        output.WriteLine($"alive: gateway connected, heartbeat acknowledged {Math.Max(0, age.TotalSeconds):0} s ago");
        return 0;
    }
}
