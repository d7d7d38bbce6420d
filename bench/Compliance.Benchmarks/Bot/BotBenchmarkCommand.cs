using System.Diagnostics;
using System.Globalization;
using Compliance.Benchmarks.Embeddings;
using Compliance.Testing.FakeDiscord;
using Compliance.Testing.FakeOpenAi;
using Compliance.Testing.Servers;

namespace Compliance.Benchmarks.Bot;

/// <summary>
/// <c>bot-latency [--asks N] [--warmup N] [--idle-seconds S] [--bot DLL] [--api DLL] [--model-delta-ms MS]
/// [--model-words-per-delta N] [--bot-env K=V,K=V] [--label TEXT]</c>: the Discord bot's figures from issue 7.
/// The bot and the API run as real Release processes; the fake Discord, the fake model and throwaway Postgres and
/// Redis run here. First the bot sits idle after READY and its resident memory is sampled; then N guild members
/// each send one /ask, one at a time, and the fake Discord's timestamps give interaction → deferral, → first
/// visible text, → final answer (the message with buttons). Prints markdown tables ready to paste.
/// </summary>
internal static class BotBenchmarkCommand
{
    private const string ServiceToken = "bench-service-token-0123456789abcdef0123456789";
    private const string AdminToken = "bench-admin-token-0123456789abcdef0123456789ab";
    private const string Answer = "No: trading is not allowed during a blackout period [1]. Ask compliance for pre-clearance before any trade, " +
        "and keep the confirmation with your records.";

    private static readonly string[] Questions =
    [
        "Can I trade Northwind shares during the quarterly blackout period?",
        "Is trading allowed during the blackout period before the annual results?",
        "May I sell shares in the blackout window if I need the money?",
        "Does the blackout period apply to my spouse's trades?",
    ];

    public static async Task<int> RunAsync(string[] args)
    {
        BenchArguments arguments;
        try
        {
            arguments = new BenchArguments(args);
        }
        catch (ArgumentException e)
        {
            await Console.Error.WriteLineAsync(e.Message + " Usage: bot-latency [--asks N] [--warmup N] [--idle-seconds S] [--bot DLL] [--api DLL] " +
                "[--model-delta-ms MS] [--model-words-per-delta N] [--bot-env K=V,K=V] [--label TEXT]");
            return 2;
        }
        var root = RepositoryRoot();
        var settings = new Settings(
            Asks: arguments.Int("asks", 100),
            Warmup: arguments.Int("warmup", 5),
            IdleSeconds: arguments.Int("idle-seconds", 60),
            BotDll: arguments.Optional("bot") ?? Path.Combine(root, "src/Compliance.Bot/bin/Release/net10.0/Compliance.Bot.dll"),
            ApiDll: arguments.Optional("api") ?? Path.Combine(root, "src/Compliance.Api/bin/Release/net10.0/Compliance.Api.dll"),
            ModelDelay: TimeSpan.FromMilliseconds(arguments.Int("model-delta-ms", 20)),
            ModelWordsPerDelta: arguments.Int("model-words-per-delta", 3),
            BotEnvironment: arguments.Pairs("bot-env"),
            Label: arguments.Optional("label") ?? "default");
        foreach (var dll in new[] { settings.BotDll, settings.ApiDll })
        {
            if (!File.Exists(dll))
            {
                await Console.Error.WriteLineAsync($"{dll} not found; build it first: dotnet build -c Release src/{Path.GetFileNameWithoutExtension(dll)}");
                return 2;
            }
        }

        var loadBefore = LoadAverage();
        var work = Path.Combine(Path.GetTempPath(), "compliance-bot-bench-" + Guid.NewGuid().ToString("N")[..10]);
        Directory.CreateDirectory(work);
        try
        {
            var result = await MeasureAsync(settings, root, work);
            Print(settings, result, loadBefore, LoadAverage());
            return result.Failures.Count == 0 ? 0 : 1;
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private static async Task<Result> MeasureAsync(Settings settings, string root, string work)
    {
        Console.Error.WriteLine("starting Postgres, Redis, the fake model and the fake Discord");
        await using var postgres = await LocalPostgres.StartAsync();
        await using var redis = await LocalRedis.StartAsync();
        var database = await TestServers.CreateDatabaseAsync(postgres.AdminConnectionString, "botbench");
        await using var model = await FakeOpenAiServer.StartAsync();
        model.RespondWith(_ => FakeReply.Answer(Answer) with { WordsPerDelta = settings.ModelWordsPerDelta, DelayBetweenDeltas = settings.ModelDelay });
        // Discord's real heartbeat interval, so the idle bot does what it does in production.
        await using var discord = await FakeDiscordServer.StartAsync(new FakeDiscordOptions { HeartbeatInterval = TimeSpan.FromMilliseconds(41_250) });

        var apiPort = FreePort.Next();
        var apiUrl = new Uri($"http://127.0.0.1:{apiPort}/");
        Console.Error.WriteLine($"starting the API ({settings.ApiDll}) on {apiUrl}");
        await using var api = ChildProcess.Start("the API", settings.ApiDll, new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["ENVIRONMENT"] = "Staging",
            ["PORT"] = apiPort.ToString(CultureInfo.InvariantCulture),
            // The API binds 0.0.0.0:$PORT for Heroku; an explicit Kestrel endpoint keeps the benchmark on loopback.
            ["Kestrel__Endpoints__Http__Url"] = apiUrl.ToString(),
            ["DATABASE_URL"] = database,
            ["REDIS_URL"] = redis.Url,
            ["ADMIN_TOKEN"] = AdminToken,
            ["SERVICE_TOKEN"] = ServiceToken,
            ["INDEX_PATH"] = Path.Combine(work, "index.db"),
            // Lexical search only, as with the fake model in the API's own load figures: no model to download.
            ["EMBED_MODEL"] = Path.Combine(work, "no-model"),
            ["EMBED_REQUIRED"] = "false",
            ["SAMPLE_POLICIES_DIR"] = Path.Combine(root, "samples", "policies"),
            ["XAI_BASE_URL"] = model.BaseUrl.ToString(),
            ["XAI_API_KEY"] = FakeOpenAiServer.DefaultApiKey,
            ["GROK_MAX_RETRIES"] = "0",
            ["RATE_LIMIT_PER_USER"] = "100000",
            ["RATE_LIMIT_GLOBAL"] = "1000000",
            ["USER_DAILY_QUESTION_CAP"] = "0",
            ["DAILY_BUDGET_USD"] = "0",
            ["LOG_LEVEL"] = "Warning",
        }, work);
        await WaitForReadyAsync(api, new Uri(apiUrl, "health/ready"));

        var botEnvironment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["ENVIRONMENT"] = "Production",
            ["DISCORD_TOKEN"] = discord.Options.BotToken,
            ["DISCORD_CLIENT_ID"] = discord.Options.ApplicationId.ToString(CultureInfo.InvariantCulture),
            ["API_URL"] = apiUrl.ToString(),
            ["SERVICE_TOKEN"] = ServiceToken,
            ["Discord__ApiBaseUrl"] = discord.ApiBaseUrl.ToString(),
            ["Bot__LivenessFile"] = Path.Combine(work, "alive"),
            ["LOG_LEVEL"] = "Warning",
        };
        foreach (var (key, value) in settings.BotEnvironment)
        {
            botEnvironment[key] = value;
        }
        Console.Error.WriteLine($"starting the bot ({settings.BotDll})");
        var started = Stopwatch.GetTimestamp();
        await using var bot = ChildProcess.Start("the bot", settings.BotDll, botEnvironment, work);
        await FakeDiscordServer.WaitUntilAsync(() => { bot.ThrowIfExited(); return discord.Gateway.CurrentSession is { Connection: not null }; },
            TimeSpan.FromSeconds(60), "the bot's gateway session (READY)");
        var toReady = Stopwatch.GetElapsedTime(started);

        Console.Error.WriteLine($"bot READY after {toReady.TotalSeconds:0.00} s; idle for {settings.IdleSeconds} s");
        var idleSamples = await SampleIdleAsync(bot, settings.IdleSeconds);

        Console.Error.WriteLine($"sending {settings.Warmup} warm-up and {settings.Asks} measured /ask interactions, one at a time");
        var measured = new List<AskTiming>();
        var failures = new List<string>();
        for (var i = 0; i < settings.Warmup + settings.Asks; i++)
        {
            bot.ThrowIfExited();
            var timing = await AskAsync(discord, i);
            if (timing.Failure is { } failure)
            {
                failures.Add($"ask {i}: {failure}");
            }
            else if (i >= settings.Warmup)
            {
                measured.Add(timing);
            }
        }

        // Idle again: what a worker that has answered questions holds between them.
        Console.Error.WriteLine($"idle for {settings.IdleSeconds} s after the asks");
        var afterLoad = await SampleIdleAsync(bot, settings.IdleSeconds);
        var invalid = discord.Rest.UnscriptedInvalidRequestCount;
        return new Result(toReady, idleSamples, afterLoad, measured, failures, invalid, discord.Rest.Errors.Count(e => e.Status == 400));
    }

    private static async Task<IReadOnlyList<ProcessMemory>> SampleIdleAsync(ChildProcess bot, int seconds)
    {
        var samples = new List<ProcessMemory>();
        for (var second = 0; second < seconds; second++)
        {
            await Task.Delay(TimeSpan.FromSeconds(1));
            bot.ThrowIfExited();
            samples.Add(bot.ReadMemory());
        }
        return samples;
    }

    /// <summary>One member's /ask, each from a new user in a new guild so neither rate limits nor the answer cache meet.</summary>
    private static async Task<AskTiming> AskAsync(FakeDiscordServer discord, int index)
    {
        var userId = 556_000_000_000_000_000UL + (ulong)index;
        var guildId = 223_000_000_000_000_000UL + (ulong)index;
        var question = Questions[index % Questions.Length];
        var interaction = await discord.SendGuildCommandAsync("ask", [("question", 3, System.Text.Json.Nodes.JsonValue.Create(question))], userId, guildId);
        var deadline = Stopwatch.GetTimestamp() + (long)(30 * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < deadline)
        {
            var writes = interaction.Writes.ToList();
            if (writes.FirstOrDefault(w => w.HasComponents) is { } final)
            {
                return new AskTiming(writes[0].AfterDispatch, interaction.FirstTextAfter ?? final.AfterDispatch, final.AfterDispatch, writes.Count, null);
            }
            if (writes.Any(w => w.Route == FakeRest.Routes.CreateFollowup && !w.HasComponents))
            {
                return new AskTiming(default, default, default, writes.Count, "the bot answered with an error message: " +
                    string.Join(" | ", interaction.FollowupMessages.Values.Select(m => m["content"]?.GetValue<string>())));
            }
            await Task.Delay(2);
        }
        return new AskTiming(default, default, default, interaction.Writes.Count, "no final answer within 30 s");
    }

    private static async Task WaitForReadyAsync(ChildProcess api, Uri ready)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(120);
        while (true)
        {
            api.ThrowIfExited();
            try
            {
                using var response = await http.GetAsync(ready);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException)
            {
                // Starting slowly on a loaded machine.
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("The API did not become ready within 120 s:" + Environment.NewLine + api.RecentOutput);
            }
            await Task.Delay(200);
        }
    }

    private static void Print(Settings settings, Result result, string loadBefore, string loadAfter)
    {
        var output = Console.Out;
        output.WriteLine($"### Discord bot — {settings.Label}");
        output.WriteLine();
        output.WriteLine($"Machine: {Environment.ProcessorCount} cores; load average before `{loadBefore}`, after `{loadAfter}`. " +
            $"Bot: `{Path.GetRelativePath(RepositoryRoot(), settings.BotDll)}`" +
            (settings.BotEnvironment.Count > 0 ? " with " + string.Join(", ", settings.BotEnvironment.Select(kv => $"`{kv.Key}={kv.Value}`")) : "") +
            $". Fake model: {settings.ModelWordsPerDelta} words per delta every {settings.ModelDelay.TotalMilliseconds:0} ms " +
            $"({Answer.Split(' ').Length} words). {result.Timings.Count} measured asks after {settings.Warmup} warm-up, one at a time.");
        output.WriteLine();
        output.WriteLine("| interaction sent → | p50 | p90 | p99 | max |");
        output.WriteLine("|---|---:|---:|---:|---:|");
        Row("deferral (\"thinking…\")", result.Timings.Select(t => t.Deferral));
        Row("**first visible text**", result.Timings.Select(t => t.FirstText));
        Row("final answer (sources, buttons)", result.Timings.Select(t => t.Final));
        output.WriteLine();

        output.WriteLine("| bot worker memory (MB = 10⁶ bytes) | RSS | min–max in window | anonymous | mapped files | shared (W^X) | peak RSS so far |");
        output.WriteLine("|---|---:|---:|---:|---:|---:|---:|");
        MemoryRow($"**idle {settings.IdleSeconds} s after READY**", result.IdleSamples);
        MemoryRow($"idle {settings.IdleSeconds} s after the {settings.Warmup + settings.Asks} asks", result.AfterLoad);
        output.WriteLine();
        output.WriteLine($"Start → READY: {result.ToReady.TotalSeconds:0.00} s. Failed asks: {result.Failures.Count}. " +
            $"Invalid requests to Discord: {result.InvalidRequests}. Messages Discord rejected: {result.Rejected}. Target: idle RSS ≤ 80 MB.");
        foreach (var failure in result.Failures.Take(5))
        {
            output.WriteLine("- " + failure);
        }

        void Row(string name, IEnumerable<TimeSpan> values)
        {
            var sorted = values.Select(v => v.TotalMilliseconds).Order().ToArray();
            output.WriteLine(sorted.Length == 0
                ? $"| {name} | – | – | – | – |"
                : $"| {name} | {Percentile(sorted, 50):0.0} ms | {Percentile(sorted, 90):0.0} ms | {Percentile(sorted, 99):0.0} ms | {sorted[^1]:0.0} ms |");
        }

        void MemoryRow(string name, IReadOnlyList<ProcessMemory> samples)
        {
            if (samples.Count == 0)
            {
                output.WriteLine($"| {name} | – | – | – | – | – | – |");
                return;
            }
            var last = samples[^1];
            output.WriteLine($"| {name} | {Mb(last.Rss)} | {samples.Min(s => s.Rss) / 1e6:0.0}–{samples.Max(s => s.Rss) / 1e6:0.0} | {Mb(last.Anonymous)} | " +
                $"{Mb(last.File)} | {Mb(last.Shared)} | {Mb(last.Peak)} |");
        }
    }

    private static string Mb(long bytes) => (bytes / 1e6).ToString("0.0", CultureInfo.InvariantCulture) + " MB";

    // Nearest-rank percentile of sorted values.
    private static double Percentile(double[] sorted, double percentile) =>
        sorted[Math.Clamp((int)Math.Ceiling(percentile / 100 * sorted.Length) - 1, 0, sorted.Length - 1)];

    private static string LoadAverage() => string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Compliance.sln")))
            {
                return dir.FullName;
            }
        }
        throw new DirectoryNotFoundException("Compliance.sln not found above " + AppContext.BaseDirectory);
    }

    private sealed record Settings(int Asks, int Warmup, int IdleSeconds, string BotDll, string ApiDll, TimeSpan ModelDelay, int ModelWordsPerDelta,
        IReadOnlyDictionary<string, string> BotEnvironment, string Label);

    private sealed record AskTiming(TimeSpan Deferral, TimeSpan FirstText, TimeSpan Final, int Writes, string? Failure);

    private sealed record Result(TimeSpan ToReady, IReadOnlyList<ProcessMemory> IdleSamples, IReadOnlyList<ProcessMemory> AfterLoad, IReadOnlyList<AskTiming> Timings,
        IReadOnlyList<string> Failures, int InvalidRequests, int Rejected);
}
