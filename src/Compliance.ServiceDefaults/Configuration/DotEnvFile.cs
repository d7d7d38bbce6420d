namespace Compliance.ServiceDefaults.Configuration;

/// <summary>
/// Reads a <c>.env</c> file (KEY=VALUE lines) into the process environment for local development. Variables that
/// are already set win, so a value exported in the shell or set by the platform is never overridden by the file.
/// </summary>
public static class DotEnvFile
{
    /// <summary>Loads <paramref name="path"/> if it exists; returns the names of the variables it set.</summary>
    public static IReadOnlyList<string> Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
        {
            return [];
        }

        var applied = new List<string>();
        foreach (var (key, value) in Parse(File.ReadAllLines(path)))
        {
            // An empty assignment (INDEX_PATH=) in a copied .env.example means "use the default", not "empty".
            if (value.Length > 0 && Environment.GetEnvironmentVariable(key) is null)
            {
                Environment.SetEnvironmentVariable(key, value);
                applied.Add(key);
            }
        }
        return applied;
    }

    /// <summary>
    /// Removes variables that are set but empty, so they count as unset and their defaults apply (compose files and
    /// platform dashboards often pass <c>NAME=</c>); an empty <c>PORT</c> would otherwise fail to bind as a number.
    /// </summary>
    public static IReadOnlyList<string> ClearEmptyVariables()
    {
        var cleared = new List<string>();
        foreach (System.Collections.DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            if (entry.Value is string { Length: 0 } && entry.Key is string name)
            {
                Environment.SetEnvironmentVariable(name, null);
                cleared.Add(name);
            }
        }
        return cleared;
    }

    /// <summary>Looks for <c>.env</c> in the working directory and its parents (a run from a project folder still finds the repository's file).</summary>
    public static IReadOnlyList<string> LoadNearest(string startDirectory)
    {
        for (var dir = new DirectoryInfo(startDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, ".env");
            if (File.Exists(candidate))
            {
                return Load(candidate);
            }
        }
        return [];
    }

    /// <summary>Parses dotenv lines: comments, blank lines, an optional <c>export</c> prefix, single or double quotes.</summary>
    public static IEnumerable<KeyValuePair<string, string>> Parse(IEnumerable<string> lines)
    {
        ArgumentNullException.ThrowIfNull(lines);
        foreach (var raw in lines)
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }
            if (line.StartsWith("export ", StringComparison.Ordinal))
            {
                line = line["export ".Length..].TrimStart();
            }

            var eq = line.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                continue; // not an assignment; dotenv tools ignore such lines too
            }

            var key = line[..eq].Trim();
            var value = line[(eq + 1)..].Trim();
            if (value.Length >= 2 && (value[0] == '"' || value[0] == '\'') && value[^1] == value[0])
            {
                value = value[1..^1];
            }
            else
            {
                // An unquoted value may carry a trailing comment.
                var hash = value.IndexOf(" #", StringComparison.Ordinal);
                if (hash >= 0)
                {
                    value = value[..hash].TrimEnd();
                }
            }
            yield return new(key, value);
        }
    }
}
