using System.CommandLine;
using Compliance.Evaluation.Reporting;
using Compliance.Evaluation.Running;
using Compliance.Knowledge.Embeddings;
using Spectre.Console;

// Retrieval evaluation over an ObliQA-format dataset: see docs/retrieval-quality.md for the recorded results.
var dataset = new Argument<DirectoryInfo>("dataset")
{
    Description = "Folder holding StructuredRegulatoryDocuments/ and the question file (ObliQA's layout).",
};
var questions = new Option<string>("--questions")
{
    Description = "Question file, relative to the dataset folder or absolute.",
    DefaultValueFactory = _ => "ObliQA_dev.json",
};
var limit = new Option<int?>("--limit") { Description = "Evaluate only the first N questions." };
var json = new Option<FileInfo?>("--json") { Description = "Also write the report as JSON to this file." };
var embedderName = new Option<string>("--embedder")
{
    Description = "none: BM25 rows only. hashing: a feature-hashing bag of words (no semantics) to exercise the vector and fusion paths.",
    DefaultValueFactory = _ => "none",
};
embedderName.AcceptOnlyFromAmong("none", "hashing");
var indexPath = new Option<FileInfo?>("--index") { Description = "Index file to build (default: a temporary file, deleted afterwards)." };

var root = new RootCommand("Measures retrieval quality (recall@5/10, MAP@10, nDCG@10, latency) of the knowledge index.")
{
    dataset, questions, limit, json, embedderName, indexPath,
};
root.SetAction(async (parse, cancellationToken) =>
{
    var console = AnsiConsole.Console;
    var folder = parse.GetRequiredValue(dataset);
    if (!folder.Exists)
    {
        console.MarkupLine("[red]The dataset folder {0} does not exist.[/]", Markup.Escape(folder.FullName));
        return 2;
    }
    ITextEmbedder? embedder = parse.GetValue(embedderName) == "hashing" ? new HashingTextEmbedder() : null;
    var temporary = parse.GetValue(indexPath) is null;
    var path = parse.GetValue(indexPath)?.FullName ?? Path.Combine(Path.GetTempPath(), $"compliance-eval-{Guid.NewGuid():N}.db");
    try
    {
        var request = new EvaluationRequest(folder.FullName, parse.GetRequiredValue(questions), parse.GetValue(limit), embedder, path);
        EvaluationReport? report = null;
        await console.Status().StartAsync("Loading", async context =>
        {
            report = await RetrievalEvaluation.RunAsync(request, new Progress<string>(message => context.Status(Markup.Escape(message))), cancellationToken);
        });
        ReportWriter.Print(console, report!);
        if (parse.GetValue(json) is { } output)
        {
            await ReportWriter.WriteJsonAsync(output.FullName, report!, cancellationToken);
            console.MarkupLine("JSON written to {0}", Markup.Escape(output.FullName));
        }
        return 0;
    }
    catch (Exception error) when (error is IOException or InvalidDataException or System.Text.Json.JsonException or UnauthorizedAccessException)
    {
        console.MarkupLine("[red]{0}[/]", Markup.Escape(error.Message));
        return 2;
    }
    finally
    {
        if (temporary)
        {
            File.Delete(path);
            File.Delete(path + "-wal");
            File.Delete(path + "-shm");
        }
    }
});
return await root.Parse(args).InvokeAsync(cancellationToken: CancellationToken.None);
