using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;
using Compliance.ServiceDefaults.Telemetry;

namespace Compliance.Api.Observability;

/// <summary>
/// Collects the framework's and the service's own metrics with a <see cref="MeterListener"/> and renders them in
/// Prometheus' text exposition format. Written here because OpenTelemetry's Prometheus exporter is not in the
/// package mirror; the metric names follow the OpenTelemetry-to-Prometheus conventions so dashboards carry over.
/// </summary>
public sealed class PrometheusMetrics : IDisposable
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    /// <summary>The meters exported: ASP.NET Core hosting, HttpClient, and our own.</summary>
    public static readonly string[] MeterNames = ["Microsoft.AspNetCore.Hosting", "System.Net.Http", ComplianceDiagnostics.SourceName];

    // OpenTelemetry's default explicit bucket boundaries for durations in seconds.
    private static readonly double[] SecondsBuckets = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];
    private static readonly double[] MillisecondsBuckets = [5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000];

    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<Instrument, InstrumentSeries> _instruments = new();

    public PrometheusMetrics(IMeterFactory meterFactory)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            // Framework meters come from the host's IMeterFactory: another host in the same process (tests, or a
            // second app) has its own, and its requests are not ours to report. Static meters have no scope.
            var ours = instrument.Meter.Scope is null || ReferenceEquals(instrument.Meter.Scope, meterFactory);
            if (ours && Array.IndexOf(MeterNames, instrument.Meter.Name) >= 0)
            {
                _instruments[instrument] = new InstrumentSeries(instrument);
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<int>((i, v, tags, _) => Record(i, v, tags));
        _listener.Start();
    }

    /// <summary>Renders every series collected so far.</summary>
    public string Render()
    {
        _listener.RecordObservableInstruments();
        var output = new StringBuilder();
        foreach (var series in _instruments.Values.OrderBy(s => s.Name, StringComparer.Ordinal))
        {
            series.WriteTo(output);
        }
        return output.ToString();
    }

    public void Dispose() => _listener.Dispose();

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (_instruments.TryGetValue(instrument, out var series))
        {
            series.Record(value, Labels(tags));
        }
    }

    private static string Labels(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (tags.Length == 0)
        {
            return string.Empty;
        }

        var pairs = new List<KeyValuePair<string, object?>>(tags.Length);
        foreach (var tag in tags)
        {
            pairs.Add(tag);
        }
        pairs.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));

        var builder = new StringBuilder();
        foreach (var (key, value) in pairs)
        {
            if (builder.Length > 0)
            {
                builder.Append(',');
            }
            builder.Append(SanitizeName(key)).Append("=\"");
            AppendEscaped(builder, Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty);
            builder.Append('"');
        }
        return builder.ToString();
    }

    private static void AppendEscaped(StringBuilder builder, string value)
    {
        foreach (var c in value)
        {
            switch (c)
            {
                case '\\': builder.Append("\\\\"); break;
                case '"': builder.Append("\\\""); break;
                case '\n': builder.Append("\\n"); break;
                default: builder.Append(c); break;
            }
        }
    }

    internal static string SanitizeName(string name)
    {
        var builder = new StringBuilder(name.Length);
        foreach (var c in name)
        {
            builder.Append(char.IsAsciiLetterOrDigit(c) || c == '_' ? c : '_');
        }
        return builder.ToString();
    }

    /// <summary>All label sets of one instrument, with its Prometheus name and type.</summary>
    private sealed class InstrumentSeries
    {
        private readonly ConcurrentDictionary<string, Aggregate> _byLabels = new(StringComparer.Ordinal);
        private readonly string _type;
        private readonly double[]? _buckets;
        private readonly string? _help;

        public InstrumentSeries(Instrument instrument)
        {
            var unitSuffix = instrument.Unit switch
            {
                "s" => "_seconds",
                "ms" => "_milliseconds",
                "By" => "_bytes",
                _ => string.Empty,
            };
            var baseName = SanitizeName(instrument.Name);
            if (unitSuffix.Length > 0 && !baseName.EndsWith(unitSuffix, StringComparison.Ordinal))
            {
                baseName += unitSuffix;
            }

            var kind = instrument.GetType().Name;
            if (kind.StartsWith("Histogram", StringComparison.Ordinal))
            {
                _type = "histogram";
                _buckets = instrument.Unit == "ms" ? MillisecondsBuckets : SecondsBuckets;
            }
            else if (kind.StartsWith("Counter", StringComparison.Ordinal) || kind.StartsWith("ObservableCounter", StringComparison.Ordinal))
            {
                _type = "counter";
                baseName += "_total";
            }
            else
            {
                _type = "gauge";
            }

            Name = baseName;
            IsObservable = kind.StartsWith("Observable", StringComparison.Ordinal);
            _help = instrument.Description;
        }

        public string Name { get; }

        private bool IsObservable { get; }

        public void Record(double value, string labels)
        {
            var aggregate = _byLabels.GetOrAdd(labels, _ => new Aggregate(_buckets));
            lock (aggregate)
            {
                if (_buckets is not null)
                {
                    aggregate.Count++;
                    aggregate.Sum += value;
                    for (var i = 0; i < _buckets.Length; i++)
                    {
                        if (value <= _buckets[i])
                        {
                            aggregate.BucketCounts![i]++;
                        }
                    }
                }
                else if (_type == "counter" && !IsObservable)
                {
                    aggregate.Sum += value;
                }
                else
                {
                    // Up-down counters accumulate; observable instruments report their current value.
                    aggregate.Sum = IsObservable ? value : aggregate.Sum + value;
                }
            }
        }

        public void WriteTo(StringBuilder output)
        {
            if (_byLabels.IsEmpty)
            {
                return;
            }
            if (!string.IsNullOrEmpty(_help))
            {
                output.Append("# HELP ").Append(Name).Append(' ').Append(_help.ReplaceLineEndings(" ")).Append('\n');
            }
            output.Append("# TYPE ").Append(Name).Append(' ').Append(_type).Append('\n');
            foreach (var (labels, aggregate) in _byLabels.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                lock (aggregate)
                {
                    if (_buckets is null)
                    {
                        Line(output, Name, labels, aggregate.Sum);
                        continue;
                    }
                    for (var i = 0; i < _buckets.Length; i++)
                    {
                        Line(output, Name + "_bucket", Join(labels, "le=\"" + _buckets[i].ToString(CultureInfo.InvariantCulture) + "\""), aggregate.BucketCounts![i]);
                    }
                    Line(output, Name + "_bucket", Join(labels, "le=\"+Inf\""), aggregate.Count);
                    Line(output, Name + "_sum", labels, aggregate.Sum);
                    Line(output, Name + "_count", labels, aggregate.Count);
                }
            }
        }

        private static string Join(string labels, string extra) => labels.Length == 0 ? extra : labels + "," + extra;

        private static void Line(StringBuilder output, string name, string labels, double value)
        {
            output.Append(name);
            if (labels.Length > 0)
            {
                output.Append('{').Append(labels).Append('}');
            }
            output.Append(' ').Append(value.ToString("R", CultureInfo.InvariantCulture)).Append('\n');
        }
    }

    private sealed class Aggregate(double[]? buckets)
    {
        public double Sum;
        public long Count;
        public readonly long[]? BucketCounts = buckets is null ? null : new long[buckets.Length];
    }
}
