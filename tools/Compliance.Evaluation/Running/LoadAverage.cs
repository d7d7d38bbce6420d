namespace Compliance.Evaluation.Running;

/// <summary>The machine's load average, recorded beside every timing (the build machine is shared).</summary>
public static class LoadAverage
{
    /// <summary>The 1, 5 and 15 minute load averages from /proc/loadavg, or "unknown" where that file does not exist.</summary>
    public static string Read()
    {
        try
        {
            var fields = File.ReadAllText("/proc/loadavg").Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return fields.Length >= 3 ? $"{fields[0]} {fields[1]} {fields[2]}" : "unknown";
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            return "unknown";
        }
    }
}
