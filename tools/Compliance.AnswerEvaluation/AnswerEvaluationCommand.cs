using System.CommandLine;
using System.Text.RegularExpressions;
using Compliance.AnswerEvaluation.Calibration;
using Compliance.AnswerEvaluation.Questions;
using Compliance.AnswerEvaluation.Reporting;
using Compliance.AnswerEvaluation.Running;
using Spectre.Console;

namespace Compliance.AnswerEvaluation;

/// <summary>
/// <c>answer-eval evaluate --api URL --token SERVICE_TOKEN [--questions F] [--json F] [--markdown F] [--user ID]</c>
/// and <c>answer-eval check [--questions F] [--policies DIR]</c>. The API URL and token fall back to the
/// <c>API_URL</c> and <c>SERVICE_TOKEN</c> environment variables.
/// </summary>
internal static partial class AnswerEvaluationCommand
{
    public const string DefaultQuestionFile = "eval/answers/questions.json";
    public const string DefaultPoliciesFolder = "samples/policies";

    public static RootCommand Create(Func<string, string?> environment, IAnsiConsole console, HttpClient http, TimeProvider clock)
    {
        var root = new RootCommand("Measures the Compliance Assistant's answers against the committed question set.")
        {
            Evaluate(environment, console, http, clock),
            Check(console),
            Calibrate(environment, console, http),
        };
        return root;
    }

    private static Command Evaluate(Func<string, string?> environment, IAnsiConsole console, HttpClient http, TimeProvider clock)
    {
        var api = new Option<string?>("--api") { Description = $"API base URL (env API_URL, default {EvaluationSettings.DefaultApiUrl})." };
        var token = new Option<string?>("--token") { Description = "Service bearer token, as the bot uses (env SERVICE_TOKEN)." };
        var questions = new Option<string>("--questions") { Description = "Question file.", DefaultValueFactory = _ => DefaultQuestionFile };
        var json = new Option<string?>("--json") { Description = "Also write the full report, every question included, as JSON." };
        var markdown = new Option<string?>("--markdown") { Description = "Also write the summary tables as Markdown (for docs/answer-quality.md)." };
        var user = new Option<string>("--user")
        {
            Description = "The synthetic user id the questions are asked as (a Discord-style snowflake).",
            DefaultValueFactory = _ => EvaluationSettings.DefaultUserId,
        };
        var command = new Command("evaluate", "Posts every question to POST /api/v1/query and reports citation, refusal, fact and latency figures.")
        {
            api, token, questions, json, markdown, user,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var settings = TryBuildSettings(
                parse.GetValue(api) ?? environment("API_URL"), parse.GetValue(token) ?? environment("SERVICE_TOKEN"),
                parse.GetRequiredValue(questions), parse.GetRequiredValue(user), out var error);
            if (settings is null)
            {
                console.MarkupLineInterpolated($"[red]{error}[/]");
                return ExitCodes.InvalidArguments;
            }

            try
            {
                var set = await QuestionSet.LoadAsync(settings.QuestionFile, cancellationToken);
                var runner = new AnswerEvaluationRunner(new QueryApiClient(http, settings.ApiUrl, settings.Token), clock);
                Metrics.AnswerQualityReport? report = null;
                await console.Progress().AutoClear(true).StartAsync(async context =>
                {
                    var task = context.AddTask("questions", maxValue: set.Questions.Count);
                    report = await runner.RunAsync(set, settings, (done, _) => task.Value = done, cancellationToken);
                });
                AnswerReportWriter.Print(console, report!);
                if (parse.GetValue(json) is { } jsonPath)
                {
                    await AnswerReportWriter.WriteJsonAsync(jsonPath, report!, cancellationToken);
                    console.MarkupLineInterpolated($"JSON report written to {jsonPath}");
                }

                if (parse.GetValue(markdown) is { } markdownPath)
                {
                    await File.WriteAllTextAsync(markdownPath, AnswerReportWriter.ToMarkdown(report!), cancellationToken);
                    console.MarkupLineInterpolated($"Markdown written to {markdownPath}");
                }

                return report!.Errors == report.Questions ? ExitCodes.RunFailed : ExitCodes.Success;
            }
            catch (EvaluationAbortedException exception)
            {
                console.MarkupLineInterpolated($"[red]{exception.Message}[/]");
                return ExitCodes.RunFailed;
            }
            catch (Exception exception) when (exception is IOException or InvalidDataException or UnauthorizedAccessException)
            {
                console.MarkupLineInterpolated($"[red]{exception.Message}[/]");
                return ExitCodes.InvalidArguments;
            }
        });
        return command;
    }

    /// <summary>
    /// <c>answer-eval calibrate --api URL --token T [--questions F] [--hold-out PREFIX]...</c>: each question's
    /// closest-passage similarity from the running API (which must have an embedding model), and the
    /// MIN_VECTOR_SIMILARITY that decides the questions best, chosen without the held-out ones.
    /// </summary>
    private static Command Calibrate(Func<string, string?> environment, IAnsiConsole console, HttpClient http)
    {
        var api = new Option<string?>("--api") { Description = $"API base URL (env API_URL, default {EvaluationSettings.DefaultApiUrl})." };
        var token = new Option<string?>("--token") { Description = "Service bearer token (env SERVICE_TOKEN)." };
        var questions = new Option<string>("--questions") { Description = "Question file.", DefaultValueFactory = _ => DefaultQuestionFile };
        var holdOut = new Option<string[]>("--hold-out")
        {
            Description = "Id prefix of questions kept out of the choice and reported separately (repeatable), e.g. para- offtopic-.",
            AllowMultipleArgumentsPerToken = true,
        };
        var command = new Command("calibrate", "Measures each question's closest-passage similarity (POST /api/v1/search) and chooses MIN_VECTOR_SIMILARITY.")
        {
            api, token, questions, holdOut,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var settings = TryBuildSettings(parse.GetValue(api) ?? environment("API_URL"), parse.GetValue(token) ?? environment("SERVICE_TOKEN"),
                parse.GetRequiredValue(questions), EvaluationSettings.DefaultUserId, out var error);
            if (settings is null)
            {
                console.MarkupLineInterpolated($"[red]{error}[/]");
                return ExitCodes.InvalidArguments;
            }

            try
            {
                var set = await QuestionSet.LoadAsync(settings.QuestionFile, cancellationToken);
                var client = new ClosestPassageClient(http, settings.ApiUrl, settings.Token);
                var measured = new List<QuestionSimilarity>();
                foreach (var question in set.Questions)
                {
                    measured.Add(new QuestionSimilarity(question.Id, question.Answerable, await client.SimilarityAsync(question.Question, cancellationToken)));
                }

                var prefixes = parse.GetValue(holdOut) ?? [];
                var result = SimilarityCalibration.Choose(measured, q => prefixes.Any(p => q.Id.StartsWith(p, StringComparison.Ordinal)));
                var table = new Table().AddColumns("id", "answerable", "similarity", "decided");
                foreach (var q in measured.OrderBy(q => q.Similarity))
                {
                    table.AddRow(q.Id, q.Answerable ? "yes" : "no", q.Similarity.ToString("0.000", System.Globalization.CultureInfo.InvariantCulture),
                        q.Similarity >= result.Threshold == q.Answerable ? "right" : "wrong");
                }

                console.Write(table);
                console.WriteLine(SimilarityCalibration.Describe(result));
                foreach (var line in SimilarityCalibration.DescribeHeldOutGroups(measured, result.Threshold, prefixes))
                {
                    console.WriteLine(line);
                }
                return ExitCodes.Success;
            }
            catch (EvaluationAbortedException exception)
            {
                console.MarkupLineInterpolated($"[red]{exception.Message}[/]");
                return ExitCodes.RunFailed;
            }
            catch (HttpRequestException exception)
            {
                console.MarkupLineInterpolated($"[red]Could not reach the API at {settings.ApiUrl}: {exception.Message}[/]");
                return ExitCodes.RunFailed;
            }
            catch (Exception exception) when (exception is IOException or InvalidDataException or UnauthorizedAccessException or InvalidOperationException)
            {
                console.MarkupLineInterpolated($"[red]{exception.Message}[/]");
                return ExitCodes.InvalidArguments;
            }
        });
        return command;
    }

    private static Command Check(IAnsiConsole console)
    {
        var questions = new Option<string>("--questions") { Description = "Question file.", DefaultValueFactory = _ => DefaultQuestionFile };
        var policies = new Option<string>("--policies") { Description = "Folder of the policy files the questions are about.", DefaultValueFactory = _ => DefaultPoliciesFolder };
        var command = new Command("check", "Checks the question file: well-formed, and every document, section and fact present in the policies.")
        {
            questions, policies,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            try
            {
                var set = await QuestionSet.LoadAsync(parse.GetRequiredValue(questions), cancellationToken);
                var problems = PolicyCorpusCheck.Problems(set, parse.GetRequiredValue(policies));
                foreach (var problem in problems)
                {
                    console.MarkupLineInterpolated($"[red]{problem}[/]");
                }

                if (problems.Count > 0)
                {
                    return ExitCodes.RunFailed;
                }

                console.MarkupLineInterpolated($"[green]{set.Questions.Count} questions ({set.Answerable.Count()} answerable, {set.Unanswerable.Count()} not): every document, section and fact is in the policies.[/]");
                return ExitCodes.Success;
            }
            catch (Exception exception) when (exception is IOException or InvalidDataException or UnauthorizedAccessException)
            {
                console.MarkupLineInterpolated($"[red]{exception.Message}[/]");
                return ExitCodes.InvalidArguments;
            }
        });
        return command;
    }

    /// <summary>Checks every value up front so that a typo fails before the first question is sent.</summary>
    internal static EvaluationSettings? TryBuildSettings(string? apiUrl, string? token, string questionFile, string userId, out string? error)
    {
        error = null;
        var url = string.IsNullOrWhiteSpace(apiUrl) ? EvaluationSettings.DefaultApiUrl : null;
        if (url is null && (!Uri.TryCreate(apiUrl!.EndsWith('/') ? apiUrl : apiUrl + "/", UriKind.Absolute, out url) || url.Scheme is not ("http" or "https")))
        {
            error = $"--api / API_URL must be an http or https URL, not '{apiUrl}'.";
            return null;
        }

        if (string.IsNullOrWhiteSpace(token))
        {
            error = "No service token: pass --token or set SERVICE_TOKEN.";
            return null;
        }

        if (!Snowflake().IsMatch(userId))
        {
            error = $"--user must be a Discord-style id of 17 to 20 digits, not '{userId}'.";
            return null;
        }

        return new EvaluationSettings(url, token, questionFile, userId);
    }

    [GeneratedRegex("^[0-9]{17,20}$")]
    private static partial Regex Snowflake();
}

internal static class ExitCodes
{
    public const int Success = 0;
    public const int RunFailed = 1;
    public const int InvalidArguments = 2;
}
