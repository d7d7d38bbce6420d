namespace Compliance.Benchmarks.Embeddings;

/// <summary>"--name value" pairs of the plain commands; a missing required one is a usage error naming it.</summary>
internal sealed class BenchArguments
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);

    public BenchArguments(string[] args)
    {
        for (var i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
            {
                throw new ArgumentException($"Expected '--name value' pairs; got '{args[i]}'.");
            }

            _values[args[i][2..]] = args[++i];
        }
    }

    public string Required(string name) =>
        _values.TryGetValue(name, out var value) ? value : throw new ArgumentException($"--{name} is required.");

    /// <summary>The value of --name, or null when it was not given.</summary>
    public string? Optional(string name) => _values.GetValueOrDefault(name);

    /// <summary>ORT session settings from "--config key=value,key=value".</summary>
    public Dictionary<string, string> Config() =>
        _values.TryGetValue("config", out var value) && value.Length > 0
            ? value.Split(',').Select(pair => pair.Split('=', 2)).ToDictionary(kv => kv[0], kv => kv.Length > 1 ? kv[1] : string.Empty, StringComparer.Ordinal)
            : new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>"--name K=V,K=V" as pairs (empty when absent).</summary>
    public IReadOnlyDictionary<string, string> Pairs(string name) =>
        _values.TryGetValue(name, out var value) && value.Length > 0
            ? value.Split(',').Select(pair => pair.Split('=', 2)).ToDictionary(kv => kv[0], kv => kv.Length > 1 ? kv[1] : string.Empty, StringComparer.Ordinal)
            : new Dictionary<string, string>(StringComparer.Ordinal);

    public int Int(string name, int fallback) =>
        _values.TryGetValue(name, out var value) ? int.Parse(value, System.Globalization.CultureInfo.InvariantCulture) : fallback;
}
