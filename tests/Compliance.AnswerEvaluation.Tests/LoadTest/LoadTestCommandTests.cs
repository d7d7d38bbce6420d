using System.CommandLine;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Compliance.AnswerEvaluation.Tests.Infrastructure;
using Compliance.LoadTest;
using Compliance.LoadTest.FakeModel;
using Compliance.Testing.FakeOpenAi;
using static Compliance.AnswerEvaluation.Tests.Infrastructure.Responses;

namespace Compliance.AnswerEvaluation.Tests.LoadTest;

/// <summary><c>loadtest run</c> against a stand-in query endpoint (JSON and SSE), and the fake model it hosts.</summary>
public sealed class LoadTestCommandTests : IAsyncLifetime
{
    private readonly StringWriter _output = new();
    private readonly HttpClient _http = new();
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("loadtest-");
    private StubQueryApi _api = null!;

    public async ValueTask InitializeAsync()
    {
        _api = await StubQueryApi.StartAsync();
        _api.Respond = request => (Answered("Gifts above $100 need pre-clearance by Compliance [1].", Cite(1, Gifts)), 200);
    }

    public async ValueTask DisposeAsync()
    {
        await _api.DisposeAsync();
        _http.Dispose();
        _folder.Delete(recursive: true);
    }

    [Theory]
    [InlineData("json")]
    [InlineData("sse")]
    public async Task A_run_sends_unique_questions_from_one_user_per_client_and_reports_the_services_own_time(string mode)
    {
        var json = Path.Combine(_folder.FullName, "report.json");

        var exitCode = await InvokeAsync("run", "--api", _api.BaseUrl.ToString(), "--token", StubQueryApi.Token, "--mode", mode,
            "-c", "4", "-n", "40", "--warmup", "4", "--json", json);

        Assert.Equal(0, exitCode);
        var requests = _api.Requests.ToList();
        // The probe, the warm-up and the measured requests: the sample questions round-robin, each from a fresh
        // guild (so the answer cache misses) and from one user per client.
        Assert.Equal(45, requests.Count);
        Assert.All(requests, r => Assert.Contains(r.Question, LoadTestCommand.DefaultQuestions));
        Assert.Equal(45, requests.Select(r => r.GuildId).Distinct().Count());
        Assert.All(requests, r => Assert.Matches("^3[0-9]{17}$", r.GuildId));
        Assert.Equal(4, requests.Where(r => r != requests[0]).Select(r => r.UserId).Distinct().Count());

        using var report = JsonDocument.Parse(await File.ReadAllTextAsync(json, TestContext.Current.CancellationToken));
        var root = report.RootElement;
        Assert.Equal(40, root.GetProperty("requests").GetInt32());
        Assert.Equal(40, root.GetProperty("succeeded").GetInt32());
        // The stub's answers say timings.totalMs = 12.5: the service time is read from the API, not the client clock.
        Assert.Equal(12.5, root.GetProperty("serviceTime").GetProperty("p99").GetDouble());
        Assert.Equal(40, root.GetProperty("statuses").GetProperty("answered").GetInt32());
        if (mode == "sse")
        {
            Assert.Equal(40, root.GetProperty("firstDelta").GetProperty("samples").GetInt32());
            Assert.Contains(root.GetProperty("targets").EnumerateArray(), t => t.GetProperty("name").GetString() == "first delta p50");
        }
        else
        {
            Assert.False(root.TryGetProperty("firstDelta", out _));
        }

        Assert.Contains("service time p50: 12.5 ms (target ≤ 25 ms) met", _output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Questions_repeat_verbatim_when_cache_hits_are_allowed()
    {
        var exitCode = await InvokeAsync("run", "--api", _api.BaseUrl.ToString(), "--token", StubQueryApi.Token, "-c", "2", "-n", "20", "--warmup", "0", "--allow-cache-hits");

        Assert.Equal(0, exitCode);
        Assert.Equal(LoadTestCommand.DefaultQuestions.Order(), _api.Requests.Select(r => r.Question).Distinct().Order());
        Assert.All(_api.Requests, r => Assert.Null(r.GuildId));
    }

    [Fact]
    public async Task Failed_requests_are_counted_by_kind_and_a_run_where_all_fail_exits_non_zero()
    {
        _api.Respond = request => (null, 503);

        var exitCode = await InvokeAsync("run", "--api", _api.BaseUrl.ToString(), "--token", StubQueryApi.Token, "-c", "2", "-n", "10", "--warmup", "0");

        Assert.Equal(1, exitCode);
        Assert.Contains("errors: http_503 10", _output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_paced_run_sends_at_the_asked_rate_and_reports_lateness_and_the_watched_memory()
    {
        var json = Path.Combine(_folder.FullName, "paced.json");
        var started = DateTime.UtcNow;

        // 20 requests at 10 a second: the last is due 1.9 s after the first, however fast the stub answers.
        var exitCode = await InvokeAsync("run", "--api", _api.BaseUrl.ToString(), "--token", StubQueryApi.Token, "-c", "4", "-n", "20",
            "--warmup", "0", "--rate", "10", "--watch-pid", Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture), "--json", json);

        Assert.Equal(0, exitCode);
        Assert.True(DateTime.UtcNow - started >= TimeSpan.FromSeconds(1.9), "a paced run must not send faster than its rate");
        using var report = JsonDocument.Parse(await File.ReadAllTextAsync(json, TestContext.Current.CancellationToken));
        var root = report.RootElement;
        Assert.Equal(10, root.GetProperty("targetRatePerSecond").GetDouble());
        Assert.InRange(root.GetProperty("throughputPerSecond").GetDouble(), 5, 11);
        Assert.Equal(20, root.GetProperty("scheduleLag").GetProperty("samples").GetInt32());
        // This test process is the watched one: its memory was read at least at the start and once a second.
        var memory = root.GetProperty("memory");
        Assert.True(memory.GetProperty("samples").GetInt32() >= 2);
        Assert.True(memory.GetProperty("maxMiB").GetDouble() > 10);
        Assert.Contains("paced at 10 req/s", _output.ToString(), StringComparison.Ordinal);
        Assert.Contains("watched process RSS", _output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrong_token_stops_the_run_after_one_probe()
    {
        var exitCode = await InvokeAsync("run", "--api", _api.BaseUrl.ToString(), "--token", "not-the-token", "-n", "100");

        Assert.Equal(1, exitCode);
        Assert.Contains("failed (http_401)", _output.ToString(), StringComparison.Ordinal);
        Assert.Empty(_api.Requests);
    }

    [Theory]
    [InlineData("-n 10 -d 5s", "Give --requests or --duration, not both.")]
    [InlineData("-c 0", "--concurrency must be between 1 and 1024")]
    [InlineData("-d soon", "--duration must look like 30s, 2m or 90 (seconds), not 'soon'.")]
    [InlineData("--rate 0", "--rate must be above 0")]
    [InlineData("--watch-pid 999999999", "--watch-pid 999999999: no such process")]
    public async Task Bad_arguments_are_refused_before_any_request(string arguments, string message)
    {
        var exitCode = await InvokeAsync(["run", "--api", _api.BaseUrl.ToString(), "--token", StubQueryApi.Token, .. arguments.Split(' ')]);

        Assert.Equal(2, exitCode);
        Assert.Contains(message, _output.ToString(), StringComparison.Ordinal);
        Assert.Empty(_api.Requests);
    }

    [Fact]
    public async Task The_fake_model_answers_at_once_with_a_cited_answer_over_the_openai_protocol()
    {
        await using var fake = await FakeModelHost.StartAsync(FakeOpenAiServer.DefaultApiKey, FakeModelHost.DefaultAnswer, TestContext.Current.CancellationToken);
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(fake.BaseUrl + "/chat/completions"))
        {
            Content = JsonContent.Create(new { model = "grok-4-latest", messages = new[] { new { role = "user", content = "Gifts?" } } }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", FakeOpenAiServer.DefaultApiKey);

        using var response = await _http.SendAsync(request, TestContext.Current.CancellationToken);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));

        Assert.True(response.IsSuccessStatusCode);
        var text = body.RootElement.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString();
        Assert.Equal(FakeModelHost.DefaultAnswer, text);
        Assert.Contains("[1]", text, StringComparison.Ordinal);
    }

    private Task<int> InvokeAsync(params string[] args)
    {
        var command = LoadTestCommand.Create(_ => null, TestConsole.Create(_output), _http);
        var configuration = new InvocationConfiguration { Output = _output, Error = _output };
        return command.Parse(args).InvokeAsync(configuration, TestContext.Current.CancellationToken);
    }
}
