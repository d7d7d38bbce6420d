using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Compliance.LoadTest.FakeModel;
using Compliance.LoadTest.Reporting;
using Compliance.LoadTest.Running;
using Compliance.Testing.FakeOpenAi;
using Spectre.Console;

namespace Compliance.LoadTest;

/// <summary>
/// <c>loadtest run --api URL --token T [--mode json|sse] [--concurrency 16] [--requests N | --duration 30s]</c> and
/// <c>loadtest fake-model [--key K] [--url-file F]</c>. The API URL and token fall back to <c>API_URL</c> and
/// <c>SERVICE_TOKEN</c>.
/// </summary>
internal static class LoadTestCommand
{
    /// <summary>Used when no question file is given: a spread of topics over the sample policies.</summary>
    internal static readonly string[] DefaultQuestions =
    [
        "Can I accept a $150 bottle of wine from a broker?",
        "When does the quarterly blackout end after results?",
        "Do I need pre-clearance to buy shares in my personal account?",
        "What do I do if I overhear inside information?",
        "Do I need approval to teach a paid class?",
        "How long do we keep trade confirmations?",
        "Can I buy puts on NWCH?",
        "How many pre-clearance requests can I submit per month?",
    ];

    public static RootCommand Create(Func<string, string?> environment, IAnsiConsole console, HttpClient? http = null) =>
        new("Load and latency harness for the Compliance Assistant's question endpoint.")
        {
            Run(environment, console, http),
            FakeModelCommand(console),
        };

    private static Command Run(Func<string, string?> environment, IAnsiConsole console, HttpClient? sharedHttp)
    {
        var api = new Option<string?>("--api") { Description = $"API base URL (env API_URL, default {LoadSettings.DefaultApiUrl})." };
        var token = new Option<string?>("--token") { Description = "Service bearer token (env SERVICE_TOKEN)." };
        var mode = new Option<string>("--mode") { Description = "json: one body per answer; sse: Accept: text/event-stream.", DefaultValueFactory = _ => "json" };
        mode.AcceptOnlyFromAmong("json", "sse");
        var concurrency = new Option<int>("--concurrency", "-c") { Description = "Clients sending at once.", DefaultValueFactory = _ => 16 };
        var requests = new Option<int?>("--requests", "-n") { Description = "Measured requests to send (default 1000 unless --duration is given)." };
        var duration = new Option<string?>("--duration", "-d") { Description = "Send for this long instead, e.g. 30s or 2m." };
        var warmup = new Option<int>("--warmup") { Description = "Unmeasured requests sent first.", DefaultValueFactory = _ => 50 };
        var questions = new Option<string?>("--questions") { Description = "Question file (eval/answers/questions.json format); answerable questions are used." };
        var cache = new Option<bool>("--allow-cache-hits") { Description = "Ask without a guild, so repeated questions are served from the answer cache (default: a fresh guild id per request, so every one misses it)." };
        var json = new Option<string?>("--json") { Description = "Also write the report as JSON." };
        var rate = new Option<double?>("--rate") { Description = "Paced (open loop): send this many requests a second, with at most --concurrency in flight; lateness is reported." };
        var watchPid = new Option<int?>("--watch-pid") { Description = "Sample this process's resident memory (the API's PID) once a second and report whether it stayed flat." };
        var command = new Command("run", "Drives POST /api/v1/query at a fixed concurrency and reports service time, first-delta time, throughput and errors.")
        {
            api, token, mode, concurrency, requests, duration, warmup, questions, cache, json, rate, watchPid,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var apiText = parse.GetValue(api) ?? environment("API_URL");
            var tokenText = parse.GetValue(token) ?? environment("SERVICE_TOKEN");
            var error = Validate(apiText, tokenText, parse.GetValue(concurrency), parse.GetValue(requests), parse.GetValue(duration), parse.GetValue(warmup),
                out var url, out var period);
            error ??= ValidatePacing(parse.GetValue(rate), parse.GetValue(watchPid));
            if (error is not null)
            {
                console.MarkupLineInterpolated($"[red]{error}[/]");
                return 2;
            }

            IReadOnlyList<string> texts;
            try
            {
                texts = parse.GetValue(questions) is { } file ? await ReadQuestionsAsync(file, cancellationToken) : DefaultQuestions;
            }
            catch (Exception exception) when (exception is IOException or JsonException or InvalidDataException or UnauthorizedAccessException)
            {
                console.MarkupLineInterpolated($"[red]{exception.Message}[/]");
                return 2;
            }

            var settings = new LoadSettings(url!, tokenText!, parse.GetValue(mode) == "sse" ? ResponseMode.Sse : ResponseMode.Json,
                parse.GetValue(concurrency), period is null ? parse.GetValue(requests) ?? 1000 : null, period, parse.GetValue(warmup),
                texts, parse.GetValue(cache), parse.GetValue(rate), parse.GetValue(watchPid));
            using var ownHttp = sharedHttp is null ? CreateHttpClient(settings.Concurrency) : null;
            var client = new QueryLoadClient(sharedHttp ?? ownHttp!, settings.ApiUrl, settings.Token);
            // One probe first: a wrong token, a missing endpoint or a stopped API is a set-up error, not N failed samples.
            var probe = await client.SendAsync(new Contracts.Questions.QueryRequest(settings.QuestionFor(0), LoadSettings.FirstUserId.ToString(CultureInfo.InvariantCulture), settings.GuildFor(LoadSettings.WarmupNumbers * 2)),
                settings.Mode, cancellationToken);
            if (probe.Error is "http_401" or "http_403" or "http_404" or "http_405" or "network")
            {
                console.MarkupLineInterpolated($"[red]The first request to {settings.ApiUrl}api/v1/query failed ({probe.Error}): check --api, --token and that the API is running a version with the query endpoint.[/]");
                return 1;
            }

            var runner = new LoadRunner(client);
            console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{(settings.Mode == ResponseMode.Sse ? "sse" : "json")} load on {settings.ApiUrl}: {settings.Concurrency} clients, {(period is null ? $"{settings.Requests} requests" : $"{period.Value.TotalSeconds:0} s")}, {settings.Warmup} warm-up requests first"));
            var result = await runner.RunAsync(settings, null, cancellationToken);
            var report = LoadReport.From(result);
            report.Print(console);
            if (parse.GetValue(json) is { } path)
            {
                await report.WriteJsonAsync(path, cancellationToken);
                console.WriteLine($"JSON report written to {path}");
            }

            // Every request failing is a broken set-up (wrong token, API down), not a measurement.
            return report.Succeeded == 0 ? 1 : 0;
        });
        return command;
    }

    private static Command FakeModelCommand(IAnsiConsole console)
    {
        var key = new Option<string>("--key") { Description = "API key the fake accepts (set the API's XAI_API_KEY to it).", DefaultValueFactory = _ => FakeOpenAiServer.DefaultApiKey };
        var answer = new Option<string>("--answer") { Description = "The answer text every request gets.", DefaultValueFactory = _ => FakeModelHost.DefaultAnswer };
        var urlFile = new Option<string?>("--url-file") { Description = "Write the base URL (for XAI_BASE_URL) to this file once listening." };
        var command = new Command("fake-model", "Hosts a fake OpenAI-compatible model on 127.0.0.1 that answers at once, until Ctrl-C.")
        {
            key, answer, urlFile,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            await using var server = await FakeModelHost.StartAsync(parse.GetRequiredValue(key), parse.GetRequiredValue(answer), cancellationToken);
            if (parse.GetValue(urlFile) is { } file)
            {
                await File.WriteAllTextAsync(file, server.BaseUrl + Environment.NewLine, cancellationToken);
            }

            console.WriteLine($"fake model listening: XAI_BASE_URL={server.BaseUrl}");
            console.WriteLine("it accepts the key given with --key (default: the test suite's fake key); Ctrl-C stops it");
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                // Ctrl-C or SIGTERM: the normal way to stop.
            }

            console.WriteLine($"fake model stopped after {server.Requests.Count} requests");
            return 0;
        });
        return command;
    }

    /// <summary>A rate must be positive and sane; a watched process must exist (its /proc entry readable).</summary>
    internal static string? ValidatePacing(double? rate, int? watchPid)
    {
        if (rate is { } r && (!double.IsFinite(r) || r <= 0 || r > 10_000))
        {
            return $"--rate must be above 0 and at most 10000 requests a second, not {r.ToString(CultureInfo.InvariantCulture)}.";
        }
        if (watchPid is { } pid && MemorySampler.ReadResident(pid) is null)
        {
            return $"--watch-pid {pid}: no such process whose memory can be read (/proc/{pid}/status).";
        }
        return null;
    }

    internal static string? Validate(string? api, string? token, int concurrency, int? requests, string? duration, int warmup, out Uri? url, out TimeSpan? period)
    {
        period = null;
        url = string.IsNullOrWhiteSpace(api) ? LoadSettings.DefaultApiUrl : null;
        if (url is null && (!Uri.TryCreate(api!.EndsWith('/') ? api : api + "/", UriKind.Absolute, out url) || url.Scheme is not ("http" or "https")))
        {
            return $"--api / API_URL must be an http or https URL, not '{api}'.";
        }

        if (string.IsNullOrWhiteSpace(token))
        {
            return "No service token: pass --token or set SERVICE_TOKEN.";
        }

        if (concurrency is < 1 or > 1024)
        {
            return $"--concurrency must be between 1 and 1024, not {concurrency}.";
        }

        if (requests is not null && duration is not null)
        {
            return "Give --requests or --duration, not both.";
        }

        if (requests is < 1)
        {
            return $"--requests must be at least 1, not {requests}.";
        }

        if (warmup < 0)
        {
            return $"--warmup cannot be negative ({warmup}).";
        }

        if (duration is not null)
        {
            period = ParseDuration(duration);
            if (period is null)
            {
                return $"--duration must look like 30s, 2m or 90 (seconds), not '{duration}'.";
            }
        }

        return null;
    }

    private static TimeSpan? ParseDuration(string text)
    {
        var unit = text[^1] switch { 's' => 1, 'm' => 60, _ => 0 };
        var number = unit == 0 ? text : text[..^1];
        return double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value > 0
            ? TimeSpan.FromSeconds(value * (unit == 0 ? 1 : unit))
            : null;
    }

    private static async Task<IReadOnlyList<string>> ReadQuestionsAsync(string path, CancellationToken cancellationToken)
    {
        await using var stream = File.OpenRead(path);
        using var document = await JsonDocument.ParseAsync(stream, cancellationToken: cancellationToken);
        var texts = document.RootElement.TryGetProperty("questions", out var questions) && questions.ValueKind == JsonValueKind.Array
            ? questions.EnumerateArray()
                .Where(q => !q.TryGetProperty("answerable", out var a) || a.ValueKind != JsonValueKind.False)
                .Select(q => q.TryGetProperty("question", out var t) ? t.GetString() : null)
                .OfType<string>().Where(t => t.Length > 0).ToList()
            : [];
        return texts.Count > 0 ? texts : throw new InvalidDataException($"'{path}' has no answerable questions (a 'questions' array of objects with 'question').");
    }

    /// <summary>One pooled connection per client, kept open: the benchmark measures the service, not TCP set-up.</summary>
    private static HttpClient CreateHttpClient(int concurrency) => new(new SocketsHttpHandler
    {
        MaxConnectionsPerServer = concurrency,
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
    })
    {
        Timeout = TimeSpan.FromSeconds(60),
    };
}
