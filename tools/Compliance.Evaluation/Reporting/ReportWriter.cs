using System.Globalization;
using System.Text.Json;
using Compliance.Evaluation.Running;
using Spectre.Console;

namespace Compliance.Evaluation.Reporting;

/// <summary>Prints the report as a table and writes it as JSON.</summary>
public static class ReportWriter
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    public static void Print(IAnsiConsole console, EvaluationReport report)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(report);
        var table = new Table().Border(TableBorder.Rounded)
            .Title($"{report.Questions} questions over {report.Passages} passages; {Markup.Escape(report.Embedder.Describe())}");
        foreach (var column in new[] { "setting", "recall@5", "recall@10", "MAP@10", "nDCG@10", "p50 ms", "p99 ms" })
        {
            table.AddColumn(column == "setting" ? new TableColumn(column) : new TableColumn(column).RightAligned());
        }
        foreach (var row in report.Results)
        {
            table.AddRow(
                Markup.Escape(row.Setting), F(row.RecallAt5), F(row.RecallAt10), F(row.MapAt10), F(row.NdcgAt10),
                row.LatencyP50Milliseconds.ToString("0.00", CultureInfo.InvariantCulture),
                row.LatencyP99Milliseconds.ToString("0.00", CultureInfo.InvariantCulture));
        }
        console.Write(table);
        console.MarkupLine(CultureInfo.InvariantCulture, "[grey]indexing (with passage embedding) took {0:0.0} s; {1} empty passages skipped; {2} judgements not in the corpus[/]",
            report.IndexingSeconds, report.EmptyPassagesSkipped, report.UnresolvedJudgements);
        if (report.QueryEmbedding is { } query)
        {
            console.MarkupLine(CultureInfo.InvariantCulture,
                "[grey]question embedding (once per question, excluded from the latencies above): p50 {0:0.00} ms, p99 {1:0.00} ms[/]",
                query.P50Milliseconds, query.P99Milliseconds);
        }
        console.MarkupLine("[grey]load average before {0}, after {1} ({2} cores)[/]",
            Markup.Escape(report.LoadAverageBefore), Markup.Escape(report.LoadAverageAfter), Environment.ProcessorCount);
        if (report.Embedder.Kind == EmbedderIdentity.HashingKind)
        {
            console.MarkupLine("[yellow]The vector and hybrid rows use the word-hashing stand-in: they exercise the code paths and say nothing about semantic retrieval.[/]");
        }
        foreach (var note in report.Notes)
        {
            console.MarkupLine("[yellow]{0}[/]", Markup.Escape(note));
        }
    }

    public static async Task WriteJsonAsync(string path, EvaluationReport report, CancellationToken cancellationToken)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (folder is not null)
        {
            Directory.CreateDirectory(folder);
        }
        await using var stream = File.Create(path);
        await JsonSerializer.SerializeAsync(stream, report, Json, cancellationToken);
    }

    /// <summary>The results as a GitHub markdown table, ready to paste into docs/retrieval-quality.md.</summary>
    public static string ToMarkdown(EvaluationReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var text = new System.Text.StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"{report.Questions} questions over {report.Passages} passages; {report.Embedder.Describe()}; load average {report.LoadAverageBefore} → {report.LoadAverageAfter}");
        text.AppendLine();
        text.AppendLine("| setting | recall@5 | recall@10 | MAP@10 | nDCG@10 | p50 ms | p99 ms |");
        text.AppendLine("|---|---:|---:|---:|---:|---:|---:|");
        foreach (var row in report.Results)
        {
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {row.Setting.Replace("|", "\\|", StringComparison.Ordinal)} | {F(row.RecallAt5)} | {F(row.RecallAt10)} | {F(row.MapAt10)} | {F(row.NdcgAt10)} | {row.LatencyP50Milliseconds:0.00} | {row.LatencyP99Milliseconds:0.00} |");
        }
        if (report.Sweep is { Count: > 0 } sweep)
        {
            text.AppendLine();
            text.AppendLine("Fusion sweep (same lists, fused in memory by RankFusion.Fuse; n = candidates per list, v = vector weight, text weight 1 − v):");
            text.AppendLine();
            text.AppendLine("| setting | recall@5 | recall@10 | MAP@10 | nDCG@10 |");
            text.AppendLine("|---|---:|---:|---:|---:|");
            foreach (var row in sweep)
            {
                text.AppendLine(CultureInfo.InvariantCulture,
                    $"| {row.Setting} | {F(row.RecallAt5)} | {F(row.RecallAt10)} | {F(row.MapAt10)} | {F(row.NdcgAt10)} |");
            }
        }
        return text.ToString();
    }

    private static string F(double value) => value.ToString("0.0000", CultureInfo.InvariantCulture);
}
