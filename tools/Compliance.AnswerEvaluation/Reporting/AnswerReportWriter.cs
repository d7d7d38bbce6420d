using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Compliance.AnswerEvaluation.Metrics;
using Compliance.AnswerEvaluation.Running;
using Compliance.Contracts.Questions;
using Spectre.Console;

namespace Compliance.AnswerEvaluation.Reporting;

/// <summary>Shows a report as console tables, and writes it as JSON and as the Markdown kept in docs/answer-quality.md.</summary>
internal static class AnswerReportWriter
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    private static readonly OutcomeKind[] OutcomeColumns = Enum.GetValues<OutcomeKind>();

    public static void Print(IAnsiConsole console, AnswerQualityReport report)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(report);
        var summary = new Table().Border(TableBorder.Rounded)
            .Title(Markup.Escape($"{report.Questions} questions ({report.AnswerableQuestions} answerable, {report.UnanswerableQuestions} not) · modes: {Modes(report)}"))
            .AddColumn("metric").AddColumn(new TableColumn("value").RightAligned()).AddColumn("counted over");
        foreach (var (metric, value, over) in SummaryRows(report))
        {
            summary.AddRow(new Text(metric), new Text(value), new Text(over));
        }

        console.Write(summary);
        console.Write(ConfusionTable(report));
        console.WriteLine(FactCoverageNote(report));
        var failures = report.Failures.ToList();
        if (failures.Count == 0)
        {
            console.MarkupLine("[green]No failed questions.[/]");
            return;
        }

        var table = new Table().Border(TableBorder.Rounded).Title($"{failures.Count} failed question(s)")
            .AddColumn("id").AddColumn("expected").AddColumn("outcome").AddColumn("missing documents")
            .AddColumn("unexpected documents").AddColumn("missing facts").AddColumn("error");
        foreach (var failure in failures)
        {
            // Text, not markup: questions, titles and API messages may contain '[' and must be shown as they are.
            table.AddRow(FailureCells(failure).Select(cell => new Text(cell)));
        }

        console.Write(table);
    }

    public static async Task WriteJsonAsync(string path, AnswerQualityReport report, CancellationToken cancellationToken)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (folder is not null)
        {
            Directory.CreateDirectory(folder);
        }

        await using var stream = File.Create(path);
        await JsonSerializer.SerializeAsync(stream, report, Json, cancellationToken);
    }

    /// <summary>The summary, confusion table and failures as Markdown, ready to paste into docs/answer-quality.md.</summary>
    public static string ToMarkdown(AnswerQualityReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"{report.Questions} questions ({report.AnswerableQuestions} answerable, {report.UnanswerableQuestions} not), run {report.RanAt:yyyy-MM-dd HH:mm} UTC against {report.Api}; answer modes: {Modes(report)}.");
        text.AppendLine();
        text.AppendLine("| metric | value | counted over |");
        text.AppendLine("|---|---:|---|");
        foreach (var (metric, value, over) in SummaryRows(report))
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| {Cell(metric)} | {Cell(value)} | {Cell(over)} |");
        }

        text.AppendLine();
        text.AppendLine("| expected \\ outcome | " + string.Join(" | ", OutcomeColumns.Select(AnswerScoring.OutcomeName)) + " |");
        text.AppendLine("|---|" + string.Concat(OutcomeColumns.Select(_ => "---:|")));
        foreach (var (row, counts) in report.Confusion)
        {
            text.AppendLine("| " + row + " | " + string.Join(" | ", OutcomeColumns.Select(c => counts[AnswerScoring.OutcomeName(c)])) + " |");
        }

        text.AppendLine();
        text.AppendLine(FactCoverageNote(report));
        var failures = report.Failures.ToList();
        if (failures.Count > 0)
        {
            text.AppendLine();
            text.AppendLine("| id | expected | outcome | missing documents | unexpected documents | missing facts | error |");
            text.AppendLine("|---|---|---|---|---|---|---|");
            foreach (var failure in failures)
            {
                text.AppendLine("| " + string.Join(" | ", FailureCells(failure).Select(Cell)) + " |");
            }
        }

        return text.ToString();
    }

    private static IEnumerable<(string Metric, string Value, string Over)> SummaryRows(AnswerQualityReport report)
    {
        yield return ("refusal accuracy", Rate(report.RefusalAccuracy), $"all {report.Questions} questions: answerable answered, unanswerable refused");
        yield return ("answer rate", Rate(report.AnswerRate), $"{report.AnswerableQuestions} answerable questions (answered or uncertain)");
        yield return ("refusal rate", Rate(report.RefusalRate), $"{report.UnanswerableQuestions} unanswerable questions (refused)");
        yield return ("citation precision", Rate(report.CitationPrecision), $"{report.PrecisionQuestions} answerable questions with citations");
        yield return ("citation recall", Rate(report.CitationRecall), $"{report.AnswerableQuestions} answerable questions (a refusal scores 0)");
        yield return ("section recall", Rate(report.SectionRecall), "answerable questions naming sections");
        yield return ("fact coverage", Rate(report.FactCoverage), $"{report.AnswerableQuestions} answerable questions; answer modes: {string.Join(", ", report.FactCoverageModes)}");
        yield return ("latency p50 / p95 (client)", Milliseconds(report.ClientLatency), $"{report.ClientLatency.Samples} requests, one at a time");
        yield return ("latency p50 / p95 (API timings.totalMs)", Milliseconds(report.ServerLatency), $"{report.ServerLatency.Samples} responses");
        yield return ("cache hits / rate limited / errors", $"{report.CacheHits} / {report.RateLimited} / {report.Errors}", "questions");
    }

    private static Table ConfusionTable(AnswerQualityReport report)
    {
        var table = new Table().Border(TableBorder.Rounded).Title("expected × outcome").AddColumn("expected");
        foreach (var column in OutcomeColumns)
        {
            table.AddColumn(new TableColumn(AnswerScoring.OutcomeName(column)).RightAligned());
        }

        foreach (var (row, counts) in report.Confusion)
        {
            table.AddRow([row, .. OutcomeColumns.Select(c => counts[AnswerScoring.OutcomeName(c)].ToString(CultureInfo.InvariantCulture))]);
        }

        return table;
    }

    /// <summary>Fact coverage means different things per mode; the note says which one was measured.</summary>
    private static string FactCoverageNote(AnswerQualityReport report)
    {
        var modes = report.FactCoverageModes;
        var generated = modes.Contains(AnswerModes.Generated, StringComparer.Ordinal);
        return generated
            ? $"Fact coverage {Rate(report.FactCoverage)}: share of expected facts in the answers (case-insensitive, numbers normalised); answer modes {string.Join(", ", modes)}."
            : $"Fact coverage {Rate(report.FactCoverage)} is for answers that were NOT generated by a model (modes: {string.Join(", ", modes)}): it shows whether the quoted passages contain the facts, not whether a model stated them.";
    }

    private static IEnumerable<string> FailureCells(QuestionScore failure) =>
    [
        failure.Id,
        failure.Answerable ? "answer" : "refuse",
        AnswerScoring.OutcomeName(failure.Outcome),
        string.Join(", ", failure.MissingDocuments),
        string.Join(", ", failure.UnexpectedDocuments),
        string.Join("; ", failure.MissingFacts),
        failure.Error ?? string.Empty,
    ];

    private static string Modes(AnswerQualityReport report) =>
        string.Join(", ", report.Modes.Select(m => $"{m.Key} {m.Value}"));

    private static string Rate(double? value) => value?.ToString("0.000", CultureInfo.InvariantCulture) ?? "n/a";

    private static string Milliseconds(LatencySummary latency) =>
        latency.P50 is null ? "n/a" : string.Create(CultureInfo.InvariantCulture, $"{latency.P50:0.0} / {latency.P95:0.0} ms");

    /// <summary>Pipes and line breaks would break a Markdown table row.</summary>
    private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal).ReplaceLineEndings(" ");
}
