using System.Diagnostics;
using System.Globalization;
using Spectre.Console;

namespace Compliance.Ingest;

/// <summary>Uploads every file of a run one after another, with a progress bar, then prints the summary table.</summary>
internal sealed class IngestRunner(HttpClient http, IAnsiConsole console)
{
    /// <exception cref="FileNotFoundException">A path given does not exist (nothing is uploaded then).</exception>
    public async Task<IngestReport> RunAsync(IngestSettings settings, CancellationToken cancellationToken)
    {
        var files = FileDiscovery.Find(settings.Paths, settings.Recursive);
        if (files.Count == 0)
        {
            console.MarkupLine("[yellow]No files to ingest (hidden files and README files in folders are skipped).[/]");
            return new IngestReport([]);
        }

        var uploader = new DocumentUploader(http, settings);
        var outcomes = new List<UploadOutcome>();
        // Uploads go one at a time: the API extracts and embeds each on its own cores, so parallel uploads only queue.
        await console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask(Describe(0, files.Count, 0, 0), maxValue: files.Count);
                var clock = Stopwatch.StartNew();
                long tokens = 0;
                var chunks = 0;
                foreach (var file in files)
                {
                    var outcome = await uploader.UploadAsync(file, cancellationToken);
                    outcomes.Add(outcome);
                    chunks += outcome.Status == UploadStatus.Duplicate ? 0 : outcome.Chunks;
                    tokens += outcome.Tokens;
                    task.Increment(1);
                    task.Description = Describe(outcomes.Count, files.Count, chunks, tokens / Math.Max(clock.Elapsed.TotalSeconds, 0.001));
                }
            });

        console.Write(SummaryTable(outcomes));
        var failed = outcomes.Count(o => o.Status == UploadStatus.Failed);
        console.MarkupLine(failed == 0
            ? $"[green]{outcomes.Count} file(s) ingested.[/]"
            : $"[red]{failed} of {outcomes.Count} file(s) failed.[/]");
        return new IngestReport(outcomes);
    }

    internal static string StatusText(UploadStatus status) => status switch
    {
        UploadStatus.New => "new",
        UploadStatus.NewVersion => "new version",
        UploadStatus.Duplicate => "duplicate",
        _ => "failed",
    };

    private static string Describe(int done, int total, int chunks, double tokensPerSecond) =>
        string.Create(CultureInfo.InvariantCulture, $"{done}/{total} files · {chunks} chunks · {tokensPerSecond:0} tokens/s");

    private static Table SummaryTable(IEnumerable<UploadOutcome> outcomes)
    {
        var table = new Table().Border(TableBorder.Rounded)
            .AddColumn("File").AddColumn("Status").AddColumn(new TableColumn("Version").RightAligned())
            .AddColumn(new TableColumn("Chunks").RightAligned()).AddColumn(new TableColumn("Pages").RightAligned())
            .AddColumn(new TableColumn("Seconds").RightAligned());
        foreach (var outcome in outcomes)
        {
            var status = StatusText(outcome.Status) + (outcome.Detail is null ? string.Empty : $": {outcome.Detail}");
            var style = outcome.Status switch
            {
                UploadStatus.Failed => new Style(Color.Red),
                UploadStatus.Duplicate => new Style(Color.Grey),
                _ => new Style(Color.Green),
            };
            // Text, not markup: file names and API messages may contain '[' and must be shown literally.
            table.AddRow(
                new Text(outcome.File),
                new Text(status, style),
                new Text(outcome.Version?.ToString(CultureInfo.InvariantCulture) ?? "–"),
                new Text(outcome.Chunks.ToString(CultureInfo.InvariantCulture)),
                new Text(outcome.Pages.ToString(CultureInfo.InvariantCulture)),
                new Text(outcome.Elapsed.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture)));
        }

        return table;
    }
}
