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
var limitPassages = new Option<int?>("--limit-passages")
{
    Description = "Index at most N passages: all those relevant to the evaluated questions plus others spread over the corpus (for slow machines; scores rise).",
};
limitPassages.Validators.Add(result =>
{
    if (result.GetValueOrDefault<int?>() is < 1)
    {
        result.AddError("--limit-passages must be at least 1.");
    }
});
var json = new Option<FileInfo?>("--json") { Description = "Also write the report as JSON to this file." };
var embedderName = new Option<string>("--embedder")
{
    Description = "Without --model: none (BM25 rows only) or hashing (a word-hashing stand-in without semantics that exercises the vector and fusion paths).",
    DefaultValueFactory = _ => "none",
};
embedderName.AcceptOnlyFromAmong("none", "hashing");
var model = new Option<DirectoryInfo?>("--model")
{
    Description = "Directory with model.onnx and the tokenizer files (the API's EMBED_MODEL layout, e.g. models/gte-small from scripts/download-model.sh): embed passages and questions with the real ONNX embedder.",
};
var dimensions = new Option<int>("--dimensions")
{
    Description = "Vector length the model must produce (checked at load).",
    DefaultValueFactory = _ => 384,
};
var threads = new Option<int>("--threads")
{
    Description = "ONNX Runtime intra-op threads (0: ONNX Runtime's choice).",
    DefaultValueFactory = _ => 0,
};
var markdown = new Option<bool>("--markdown") { Description = "Also print the results as a markdown table." };
var indexPath = new Option<FileInfo?>("--index") { Description = "Index file to build (default: a temporary file, deleted afterwards)." };
var vectorCache = new Option<DirectoryInfo?>("--vector-cache")
{
    Description = "Keep every passage and question vector in a file in this folder, named by the model and its sha256, so later runs with the same model re-use them instead of re-embedding.",
};

var maxDocuments = new Option<int?>("--max-documents")
{
    Description = "Index only the first N documents (file order, the order passages are embedded in) and evaluate only the questions answered inside them (compares models on a shared sub-corpus; scores rise).",
};
maxDocuments.Validators.Add(result =>
{
    if (result.GetValueOrDefault<int?>() is < 1)
    {
        result.AddError("--max-documents must be at least 1.");
    }
});
var sweepOption = new Option<bool>("--sweep")
{
    Description = "Also sweep fusion settings (RRF k and weights, weighted min-max / z-score, candidate depth) over lists fetched once; needs an embedder.",
};

var sweepOnly = new Option<bool>("--sweep-only")
{
    Description = "Like --sweep, but skip the standard rows' per-setting searches (the sweep has the BM25 and vector rows too; the reference BM25 still runs).",
};

var backendName = new Option<string>("--backend")
{
    Description = "Index to evaluate through: embedded (the SQLite index) or redisearch (needs --redis-url).",
    DefaultValueFactory = _ => "embedded",
};
backendName.AcceptOnlyFromAmong("embedded", "redisearch");
var redisUrl = new Option<string?>("--redis-url") { Description = "redis://HOST:PORT of a Redis with the Search module, for --backend redisearch." };
var frequentTermShare = new Option<double?>("--frequent-term-share")
{
    Description = "For --backend redisearch: the index's FrequentTermShare (terms in this share of the index or more only score what rarer terms find; 0.5 turns it off).",
};
frequentTermShare.Validators.Add(result =>
{
    if (result.GetValueOrDefault<double?>() is { } share && share is not (> 0 and <= 0.5))
    {
        result.AddError("--frequent-term-share must be above 0 and at most 0.5.");
    }
});

var rescore = new Option<bool>("--redisearch-scorer-only")
{
    Description = "For --backend redisearch: keep RediSearch's own BM25 ranking (RediSearchIndexOptions.RescoreWithEmbeddedBm25 off).",
};

var root = new RootCommand("Measures retrieval quality (recall@5/10, MAP@10, nDCG@10, latency) of the knowledge index.")
{
    dataset, questions, limit, limitPassages, json, embedderName, model, dimensions, threads, markdown, indexPath, vectorCache, sweepOption, maxDocuments, sweepOnly, backendName, redisUrl, frequentTermShare, rescore,
};
root.Validators.Add(result =>
{
    if (result.GetValue(backendName) == "redisearch" && string.IsNullOrWhiteSpace(result.GetValue(redisUrl)))
    {
        result.AddError("--backend redisearch needs --redis-url redis://HOST:PORT.");
    }
});
root.SetAction(async (parse, cancellationToken) =>
{
    var console = AnsiConsole.Console;
    var folder = parse.GetRequiredValue(dataset);
    if (!folder.Exists)
    {
        console.MarkupLine("[red]The dataset folder {0} does not exist.[/]", Markup.Escape(folder.FullName));
        return 2;
    }
    ITextEmbedder? embedder;
    try
    {
        console.MarkupLine("[grey]load average at start: {0}[/]", Markup.Escape(LoadAverage.Read()));
        embedder = EvaluationEmbedder.Create(new EmbedderChoice(
            parse.GetValue(model)?.FullName, parse.GetRequiredValue(embedderName), parse.GetValue(dimensions), parse.GetValue(threads)));
        if (parse.GetValue(vectorCache) is { } cacheFolder && embedder is not null)
        {
            var identity = EmbedderIdentity.Of(embedder);
            var cached = VectorCacheEmbedder.Open(embedder, cacheFolder.FullName, identity.CacheKey());
            console.MarkupLine("[grey]vector cache {0}: {1} vectors[/]", Markup.Escape(cached.FilePath), cached.LoadedVectors);
            embedder = cached;
        }
    }
    catch (EvaluationSetupException error)
    {
        console.MarkupLine("[red]{0}[/]", Markup.Escape(error.Message));
        return 2;
    }
    using var owned = embedder as IDisposable;
    var temporary = parse.GetValue(indexPath) is null;
    var path = parse.GetValue(indexPath)?.FullName ?? Path.Combine(Path.GetTempPath(), $"compliance-eval-{Guid.NewGuid():N}.db");
    try
    {
        var request = new EvaluationRequest(folder.FullName, parse.GetRequiredValue(questions), parse.GetValue(limit), embedder, path,
            MaxPassages: parse.GetValue(limitPassages), Sweep: parse.GetValue(sweepOption), MaxDocuments: parse.GetValue(maxDocuments), SweepOnly: parse.GetValue(sweepOnly),
            RedisUrl: parse.GetValue(backendName) == "redisearch" ? parse.GetValue(redisUrl) : null,
            FrequentTermShare: parse.GetValue(frequentTermShare), RescoreWithEmbeddedBm25: !parse.GetValue(rescore));
        EvaluationReport? report = null;
        await console.Status().StartAsync("Loading", async context =>
        {
            report = await RetrievalEvaluation.RunAsync(request, new Progress<string>(message => context.Status(Markup.Escape(message))), cancellationToken);
        });
        ReportWriter.Print(console, report!);
        if (parse.GetValue(markdown))
        {
            // Straight to stdout: the console renderer would wrap the table's long lines at the terminal width.
            Console.Out.Write(Environment.NewLine + ReportWriter.ToMarkdown(report!));
        }
        if (parse.GetValue(json) is { } output)
        {
            await ReportWriter.WriteJsonAsync(output.FullName, report!, cancellationToken);
            console.MarkupLine("JSON written to {0}", Markup.Escape(output.FullName));
        }
        return 0;
    }
    catch (Exception error) when (error is IOException or InvalidDataException or System.Text.Json.JsonException or UnauthorizedAccessException
        or EvaluationSetupException or StackExchange.Redis.RedisException)
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
