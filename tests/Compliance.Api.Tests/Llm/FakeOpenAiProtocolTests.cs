using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Compliance.Testing.FakeOpenAi;

namespace Compliance.Api.Tests.Llm;

/// <summary>
/// The fake speaks the chat-completions protocol as OpenAI documents it, checked on the wire with a plain HttpClient,
/// so tests that pass against it say something about the real provider.
/// </summary>
public sealed class FakeOpenAiProtocolTests
{
    private const string ValidBody = """{"model":"grok-4-latest","messages":[{"role":"user","content":"Hi there"}]}""";

    [Fact]
    public async Task Wrong_or_missing_key_gets_401_with_openai_error_json()
    {
        await using var fake = await FakeOpenAiServer.StartAsync(cancellationToken: TestContext.Current.CancellationToken);

        var (wrong, wrongJson) = await PostAsync(fake, ValidBody, key: "xai-notTheRightKey123456789");
        var (missing, missingJson) = await PostAsync(fake, ValidBody, key: null);

        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        var error = wrongJson.RootElement.GetProperty("error");
        Assert.Equal("invalid_api_key", error.GetProperty("code").GetString());
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
        Assert.DoesNotContain("notTheRightKey", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, missing.StatusCode);
        Assert.Contains("API key", missingJson.RootElement.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"messages":[{"role":"user","content":"Hi"}]}""", "model")]
    [InlineData("""{"model":"grok-4-latest","messages":[]}""", "messages")]
    [InlineData("""{"model":"grok-4-latest"}""", "messages")]
    [InlineData("""{"model":"grok-4-latest","messages":[{"role":"wizard","content":"Hi"}]}""", "role")]
    [InlineData("""{"model":"grok-4-latest","messages":[{"role":"user","content":"Hi"}],"temperature":3}""", "temperature")]
    [InlineData("""{"model": "grok-4""", "JSON")]
    public async Task Invalid_requests_get_400_naming_the_problem(string body, string mentioned)
    {
        await using var fake = await FakeOpenAiServer.StartAsync(cancellationToken: TestContext.Current.CancellationToken);
        fake.Enqueue(FakeReply.Answer("must not be used"));

        var (response, json) = await PostAsync(fake, body, FakeOpenAiServer.DefaultApiKey);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(mentioned, json.RootElement.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        // A rejected request does not use up the script.
        var (ok, _) = await PostAsync(fake, ValidBody, FakeOpenAiServer.DefaultApiKey);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
    }

    [Fact]
    public async Task Stream_is_server_sent_events_with_role_deltas_finish_usage_and_done()
    {
        await using var fake = await FakeOpenAiServer.StartAsync(cancellationToken: TestContext.Current.CancellationToken);
        fake.Enqueue(FakeReply.Answer("Two approvals needed."));
        const string body = """{"model":"grok-4-latest","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"How many approvals?"}]}""";

        using var http = new HttpClient();
        using var request = Request(fake, body, FakeOpenAiServer.DefaultApiKey);
        using var response = await http.SendAsync(request, TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);

        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var events = text.Split("\n\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.All(events, e => Assert.StartsWith("data: ", e, StringComparison.Ordinal));
        Assert.Equal("data: [DONE]", events[^1]);
        var chunks = events[..^1].Select(e => JsonDocument.Parse(e["data: ".Length..]).RootElement).ToList();
        Assert.All(chunks, c => Assert.Equal("chat.completion.chunk", c.GetProperty("object").GetString()));
        Assert.Equal("assistant", chunks[0].GetProperty("choices")[0].GetProperty("delta").GetProperty("role").GetString());
        var deltas = chunks.Where(c => c.GetProperty("choices").GetArrayLength() > 0)
            .Select(c => c.GetProperty("choices")[0].GetProperty("delta"))
            .Where(d => d.TryGetProperty("content", out _))
            .Select(d => d.GetProperty("content").GetString());
        Assert.Equal("Two approvals needed.", string.Concat(deltas));
        Assert.Equal("stop", chunks[^2].GetProperty("choices")[0].GetProperty("finish_reason").GetString());
        var usage = chunks[^1];
        Assert.Equal(0, usage.GetProperty("choices").GetArrayLength());
        Assert.Equal(3, usage.GetProperty("usage").GetProperty("prompt_tokens").GetInt32());
        Assert.Equal(3, usage.GetProperty("usage").GetProperty("completion_tokens").GetInt32());
    }

    [Fact]
    public async Task Stream_without_include_usage_has_no_usage_chunk()
    {
        await using var fake = await FakeOpenAiServer.StartAsync(cancellationToken: TestContext.Current.CancellationToken);
        const string body = """{"model":"grok-4-latest","stream":true,"messages":[{"role":"user","content":"Hi"}]}""";

        using var http = new HttpClient();
        using var request = Request(fake, body, FakeOpenAiServer.DefaultApiKey);
        using var response = await http.SendAsync(request, TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);

        Assert.DoesNotContain("\"usage\"", text, StringComparison.Ordinal);
        Assert.EndsWith("data: [DONE]\n\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rate_limit_carries_retry_after_and_openai_error_code()
    {
        await using var fake = await FakeOpenAiServer.StartAsync(cancellationToken: TestContext.Current.CancellationToken);
        fake.Enqueue(FakeReply.RateLimited("7"));

        var (response, json) = await PostAsync(fake, ValidBody, FakeOpenAiServer.DefaultApiKey);

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(7), response.Headers.RetryAfter?.Delta);
        Assert.Equal("rate_limit_exceeded", json.RootElement.GetProperty("error").GetProperty("code").GetString());
    }

    [Fact]
    public async Task Requests_are_recorded_with_messages_settings_and_headers()
    {
        await using var fake = await FakeOpenAiServer.StartAsync(cancellationToken: TestContext.Current.CancellationToken);
        const string body = """{"model":"grok-4-latest","temperature":0.2,"max_completion_tokens":300,"messages":[{"role":"system","content":"Rules"},{"role":"user","content":[{"type":"text","text":"Part one. "},{"type":"text","text":"Part two."}]}]}""";

        await PostAsync(fake, body, FakeOpenAiServer.DefaultApiKey);

        var recorded = Assert.Single(fake.Requests);
        Assert.Equal("grok-4-latest", recorded.Model);
        Assert.Equal(0.2, recorded.Temperature);
        Assert.Equal(300, recorded.MaxTokens);
        Assert.False(recorded.Stream);
        Assert.Equal([new("system", "Rules"), new RecordedMessage("user", "Part one. Part two.")], recorded.Messages);
        Assert.Equal("Part one. Part two.", recorded.LastUserMessage);
        Assert.Equal("application/json; charset=utf-8", recorded.Headers["Content-Type"]);
        Assert.Equal(200, recorded.ResponseStatus);
    }

    private static HttpRequestMessage Request(FakeOpenAiServer fake, string body, string? key)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(fake.BaseUrl + "/chat/completions"))
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        if (key is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }
        return request;
    }

    private static async Task<(HttpResponseMessage Response, JsonDocument Json)> PostAsync(FakeOpenAiServer fake, string body, string? key)
    {
        using var http = new HttpClient();
        using var request = Request(fake, body, key);
        var response = await http.SendAsync(request, TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        return (response, JsonDocument.Parse(text));
    }
}
