using System.ClientModel;
using System.ClientModel.Primitives;
using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using Compliance.Api.Answers.Llm;
using Compliance.Api.Configuration;
using Compliance.Testing.FakeOpenAi;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging.Abstractions;
using OpenAI;
using OpenAI.Chat;
using AiChatMessage = Microsoft.Extensions.AI.ChatMessage;

namespace Compliance.Benchmarks.AnswerPath;

/// <summary>
/// <c>llm-stream</c>: what one streamed answer costs in each layer of the answer pipeline's model client, against the
/// strict fake provider in-process (docs/service-performance.md, "the SSE gap"). Per answer: updates the caller
/// sees (and how many carry no text), <c>MoveNextAsync</c> calls that did not complete at once, thread-pool work
/// items, bytes allocated, and answers a second at <c>--concurrency</c>.
/// </summary>
/// <remarks>
/// Layers, each measured alone: <c>sdk</c> = the OpenAI SDK's own <see cref="ChatClient"/> stream (what the
/// pre-issue-11 <c>OpenAiChatClient</c> wrapped); <c>connector</c> = the <see cref="IChatClient"/> Semantic Kernel's
/// <c>AddOpenAIChatClient</c> registers, as it comes; <c>chain</c> = the API's deployed stack
/// (<see cref="LlmServiceExtensions.CreateChain"/>). Work items and allocations are process-wide, the in-process fake
/// server's included (the same in every layer): compare layers, not absolute values.
/// </remarks>
public static class LlmStreamCommand
{
    // The load test's fake-model answer, four words a delta: five text deltas, as the API gets under `loadtest`.
    private const string Answer = "The policy answers this in the first source [1]. Ask the compliance team if your case differs.";
    private const string Model = "grok-4-latest";

    public static async Task<int> RunAsync(string[] args)
    {
        var answers = Option(args, "--answers", 3000);
        var concurrency = Option(args, "--concurrency", 16);
        var warmup = Option(args, "--warmup", 500);
        var rounds = Option(args, "--rounds", 2);
        // --activity: each answer runs inside a recorded Activity, as under the API's ASP.NET Core instrumentation.
        var withActivity = args.Contains("--activity");
        using var listener = withActivity ? Listen() : null;
        var only = args.SkipWhile(a => a != "--layers").Skip(1).FirstOrDefault()?.Split(',');

        await using var fake = await FakeOpenAiServer.StartAsync();
        fake.RespondWith(_ => FakeReply.Answer(Answer) with { WordsPerDelta = 4 });
        var options = new LlmOptions
        {
            ApiKey = FakeOpenAiServer.DefaultApiKey,
            BaseUrl = fake.BaseUrl.ToString(),
            Model = Model,
            TimeoutSeconds = 60,
            FirstTokenTimeoutSeconds = 30,
        };

        using var sdkHttp = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        var sdk = new OpenAIClient(new ApiKeyCredential(options.ApiKey), new OpenAIClientOptions
        {
            Endpoint = fake.BaseUrl,
            RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
            Transport = new HttpClientPipelineTransport(sdkHttp),
        }).GetChatClient(Model);
        using var connectorHttp = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        using var connector = LlmProvider.RegisteredConnector(Model, fake.BaseUrl, options.ApiKey, connectorHttp);
        var bare = (connector.GetService<ChatClient>() ?? throw new InvalidOperationException("The connector exposes no OpenAI ChatClient.")).AsIChatClient();
        using var chain = LlmServiceExtensions.CreateChain(options, null, NullLoggerFactory.Instance, TimeProvider.System);

        var layers = new (string Name, Func<CancellationToken, IAsyncEnumerable<Piece>> Stream)[]
        {
            ("sdk", ct => SdkPieces(sdk, ct)),
            ("connector", ct => Pieces(connector, ct)),
            ("bare", ct => Pieces(bare, ct)),
            ("chain", ct => Pieces(chain, ct)),
        };
        Console.WriteLine($"llm-stream: {answers} answers per layer and round, {concurrency} at once, {warmup} warm-up, {rounds} rounds; " +
            $"load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");
        Console.WriteLine("connector layers: " + Describe(connector));
        Console.WriteLine("chain layers:     " + Describe(chain.Primary));
        Console.WriteLine($"{"layer",-10} {"updates",8} {"no text",8} {"async",7} {"work items",11} {"KB alloc",9} {"answers/s",10}");
        foreach (var (name, stream) in layers.Where(l => only is null || only.Contains(l.Name)))
        {
            await MeasureAsync(stream, warmup, concurrency);
        }
        for (var round = 0; round < rounds; round++)
        {
            foreach (var (name, stream) in layers.Where(l => only is null || only.Contains(l.Name)))
            {
                var m = await MeasureAsync(stream, answers, concurrency);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{name,-10} {m.Updates,8:F2} {m.Empty,8:F2} {m.Async,7:F2} {m.WorkItems,11:F2} {m.KiloBytes,9:F1} {m.PerSecond,10:F0}"));
            }
        }
        return 0;
    }

    /// <summary>One update as the caller sees it: whether it carried text, and whether its MoveNextAsync completed at once.</summary>
    private readonly record struct Piece(bool HasText, bool CompletedAsync);

    private sealed record Measurement(double Updates, double Empty, double Async, double WorkItems, double KiloBytes, double PerSecond);

    private static async Task<Measurement> MeasureAsync(Func<CancellationToken, IAsyncEnumerable<Piece>> stream, int answers, int concurrency)
    {
        long updates = 0, empty = 0, async = 0;
        var next = -1;
        var workItems = ThreadPool.CompletedWorkItemCount;
        var allocated = GC.GetTotalAllocatedBytes(precise: false);
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            while (Interlocked.Increment(ref next) < answers)
            {
                long u = 0, e = 0, a = 0;
                using var request = RequestSource.StartActivity("answer");
                await foreach (var piece in stream(CancellationToken.None))
                {
                    u++;
                    e += piece.HasText ? 0 : 1;
                    a += piece.CompletedAsync ? 1 : 0;
                }
                Interlocked.Add(ref updates, u);
                Interlocked.Add(ref empty, e);
                Interlocked.Add(ref async, a);
            }
        })));
        var elapsed = clock.Elapsed.TotalSeconds;
        double n = answers;
        return new Measurement(updates / n, empty / n, async / n, (ThreadPool.CompletedWorkItemCount - workItems) / n,
            (GC.GetTotalAllocatedBytes(precise: false) - allocated) / n / 1024, n / elapsed);
    }

    private static readonly ActivitySource RequestSource = new("Compliance.Benchmarks.Request");

    private static ActivityListener Listen()
    {
        var listener = new ActivityListener
        {
            ShouldListenTo = source => source == RequestSource,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(listener);
        return listener;
    }

    private static async IAsyncEnumerable<Piece> Pieces(IChatClient client, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        await using var updates = client.GetStreamingResponseAsync(Question(), new ChatOptions { ModelId = Model, MaxOutputTokens = 700 }, ct)
            .GetAsyncEnumerator(ct);
        while (true)
        {
            var moving = updates.MoveNextAsync();
            var completedAsync = !moving.IsCompleted;
            if (!await moving)
            {
                yield break;
            }
            yield return new Piece(!string.IsNullOrEmpty(updates.Current.Text), completedAsync);
        }
    }

    private static async IAsyncEnumerable<Piece> SdkPieces(ChatClient client, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        List<OpenAI.Chat.ChatMessage> messages = [new SystemChatMessage(SystemPrompt), new UserChatMessage(UserPrompt)];
        await using var updates = client.CompleteChatStreamingAsync(messages, new ChatCompletionOptions { MaxOutputTokenCount = 700 }, ct)
            .GetAsyncEnumerator(ct);
        while (true)
        {
            var moving = updates.MoveNextAsync();
            var completedAsync = !moving.IsCompleted;
            if (!await moving)
            {
                yield break;
            }
            yield return new Piece(updates.Current.ContentUpdate.Any(p => !string.IsNullOrEmpty(p.Text)), completedAsync);
        }
    }

    private const string SystemPrompt = "Answer only from the numbered sources.";
    private const string UserPrompt = "Sources:\n[1] Gifts over 100 USD need approval.\n\nQuestion: Can I accept a gift of 150 USD?";

    private static List<AiChatMessage> Question() => [new(ChatRole.System, SystemPrompt), new(ChatRole.User, UserPrompt)];

    /// <summary>The client's layers, outermost first (DelegatingChatClient's inner client, read by reflection).</summary>
    private static string Describe(IChatClient client)
    {
        var inner = typeof(DelegatingChatClient).GetProperty("InnerClient", BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public);
        var names = new List<string>();
        for (IChatClient? current = client; current is not null; current = current is DelegatingChatClient ? inner?.GetValue(current) as IChatClient : null)
        {
            names.Add(current.GetType().Name);
        }
        return string.Join(" → ", names);
    }

    private static int Option(string[] args, string name, int fallback)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? int.Parse(args[index + 1], CultureInfo.InvariantCulture) : fallback;
    }
}
