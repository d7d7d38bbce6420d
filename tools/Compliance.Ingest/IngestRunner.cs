using System.Diagnostics;
using System.Globalization;
using Spectre.Console;

namespace Compliance.Ingest;

/// <summary>
/// Uploads every file of a run one after another and follows each through the API's background ingestion: a
/// progress bar per file on a terminal (chunks embedded / total), plain lines otherwise; then the summary table.
/// </summary>
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

        var uploader = new DocumentUploader(http, settings) { PollInterval = PollInterval };
        var outcomes = new List<UploadOutcome>();
        // One file at a time: the API ingests one document at a time anyway, so parallel uploads would only queue.
        if (console.Profile.Capabilities.Interactive && console.Profile.Capabilities.Ansi)
        {
            await console.Progress()
                .AutoClear(false)
                .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
                .StartAsync(async context =>
                {
                    var overall = context.AddTask(Describe(0, files.Count, 0, 0), maxValue: files.Count);
                    var clock = Stopwatch.StartNew();
                    foreach (var file in files)
                    {
                        // A bar per file: chunks done / total while the API embeds it.
                        var bar = context.AddTask(Markup.Escape(file.Source), maxValue: 1);
                        var outcome = await uploader.UploadAsync(file, step => ShowOnBar(bar, file, step), cancellationToken);
                        bar.Description = Markup.Escape($"{file.Source} · {StatusText(outcome.Status)}");
                        bar.Value = bar.MaxValue;
                        bar.StopTask();
                        outcomes.Add(outcome);
                        overall.Increment(1);
                        overall.Description = Describe(outcomes.Count, files.Count, Chunks(outcomes), Tokens(outcomes) / Math.Max(clock.Elapsed.TotalSeconds, 0.001));
                    }
                });
        }
        else
        {
            // Not a terminal (a log, a pipe, CI): plain lines, one per change of status or progress.
            foreach (var file in files)
            {
                IngestionStep? last = null;
                var outcome = await uploader.UploadAsync(file, step =>
                {
                    if (step != last)
                    {
                        console.WriteLine(Line(file, step));
                        last = step;
                    }
                }, cancellationToken);
                outcomes.Add(outcome);
            }
        }

        console.Write(SummaryTable(outcomes));
        var failed = outcomes.Count(o => o.Status == UploadStatus.Failed);
        console.MarkupLine(failed == 0
            ? $"[green]{outcomes.Count} file(s) ingested.[/]"
            : $"[red]{failed} of {outcomes.Count} file(s) failed.[/]");
        return new IngestReport(outcomes);
    }

    /// <summary>How often a status URL is read while its document is ingested.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(500);

    internal static string Line(DiscoveredFile file, IngestionStep step) => step.ChunksTotal > 0
        ? string.Create(CultureInfo.InvariantCulture, $"{file.Source}: {step.Status} {step.ChunksDone}/{step.ChunksTotal} chunks")
        : $"{file.Source}: {step.Status}";

    private static void ShowOnBar(ProgressTask bar, DiscoveredFile file, IngestionStep step)
    {
        bar.Description = Markup.Escape($"{file.Source} · {step.Status}");
        if (step.ChunksTotal > 0)
        {
            bar.MaxValue = step.ChunksTotal;
            bar.Value = step.ChunksDone;
        }
    }

    private static int Chunks(IEnumerable<UploadOutcome> outcomes) => outcomes.Where(o => o.Status != UploadStatus.Duplicate).Sum(o => o.Chunks);

    private static long Tokens(IEnumerable<UploadOutcome> outcomes) => outcomes.Sum(o => o.Tokens);

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
