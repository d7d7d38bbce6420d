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
            .Title($"{report.Questions} questions over {report.Passages} passages ({Markup.Escape(report.Embedder ?? "no embedder")})");
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
        console.MarkupLine(CultureInfo.InvariantCulture, "[grey]indexing took {0:0.0} s; {1} empty passages skipped; {2} judgements not in the corpus[/]",
            report.IndexingSeconds, report.EmptyPassagesSkipped, report.UnresolvedJudgements);
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

    private static string F(double value) => value.ToString("0.0000", CultureInfo.InvariantCulture);
}
