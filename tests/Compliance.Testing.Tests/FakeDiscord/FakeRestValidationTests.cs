using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Compliance.Testing.FakeDiscord;

namespace Compliance.Testing.Tests.FakeDiscord;

/// <summary>
/// The fake's own rules, exercised with raw HTTP (bypassing the client's checks), so that "the fake accepted it"
/// in other tests means Discord would have.
/// </summary>
public sealed class FakeRestValidationTests : IAsyncLifetime
{
    private FakeDiscordServer _fake = null!;
    private readonly HttpClient _http = new();

    public async ValueTask InitializeAsync() => _fake = await FakeDiscordServer.StartAsync(cancellationToken: TestContext.Current.CancellationToken);

    public async ValueTask DisposeAsync()
    {
        await _fake.DisposeAsync();
        _http.Dispose();
    }

    private async Task<(HttpStatusCode Status, JsonElement Body)> SendAsync(HttpMethod method, string path, string? json, bool auth = true, string? contentType = "application/json", bool userAgent = true)
    {
        using var request = new HttpRequestMessage(method, new Uri(_fake.ApiBaseUrl, path.TrimStart('/')));
        if (userAgent)
        {
            request.Headers.TryAddWithoutValidation("User-Agent", "DiscordBot (https://example.test, 1.0)");
        }
        if (auth)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bot", _fake.Options.BotToken);
        }
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8);
            request.Content.Headers.ContentType = contentType is null ? null : new MediaTypeHeaderValue(contentType);
        }
        using var response = await _http.SendAsync(request, TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        return (response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }

    private static string FirstErrorCode(JsonElement body, params string[] path)
    {
        var node = body.GetProperty("errors");
        foreach (var part in path)
        {
            node = node.GetProperty(part);
        }
        return node.GetProperty("_errors")[0].GetProperty("code").GetString()!;
    }

    [Fact]
    public async Task Content_over_2000_code_points_is_a_nested_50035()
    {
        var (status, body) = await SendAsync(HttpMethod.Post, "/channels/1/messages", JsonSerializer.Serialize(new { content = new string('x', 2001) }));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(50035, body.GetProperty("code").GetInt32());
        Assert.Equal("BASE_TYPE_MAX_LENGTH", FirstErrorCode(body, "content"));
    }

    [Fact]
    public async Task An_empty_message_is_50006()
    {
        var (status, body) = await SendAsync(HttpMethod.Post, "/channels/1/messages", """{"content":""}""");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(50006, body.GetProperty("code").GetInt32());
    }

    [Fact]
    public async Task Embed_limits_including_the_6000_total_are_enforced()
    {
        var title = JsonSerializer.Serialize(new { embeds = new[] { new { title = new string('t', 257) } } });
        Assert.Equal("BASE_TYPE_MAX_LENGTH", FirstErrorCode((await SendAsync(HttpMethod.Post, "/channels/1/messages", title)).Body, "embeds", "0", "title"));

        var total = JsonSerializer.Serialize(new { embeds = Enumerable.Range(0, 5).Select(_ => new { description = new string('d', 1500) }) });
        var (status, body) = await SendAsync(HttpMethod.Post, "/channels/1/messages", total);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("MESSAGE_EMBED_TOTAL_LENGTH", FirstErrorCode(body, "embeds"));
    }

    [Fact]
    public async Task Rows_buttons_and_custom_ids_are_limited()
    {
        static object Button(string id) => new { type = 2, style = 1, label = "x", custom_id = id };
        var sixRows = JsonSerializer.Serialize(new { content = "x", components = Enumerable.Range(0, 6).Select(r => new { type = 1, components = new[] { Button($"r{r}") } }) });
        var sixButtons = JsonSerializer.Serialize(new { content = "x", components = new[] { new { type = 1, components = Enumerable.Range(0, 6).Select(i => Button($"b{i}")) } } });
        var longId = JsonSerializer.Serialize(new { content = "x", components = new[] { new { type = 1, components = new[] { Button(new string('c', 101)) } } } });
        var duplicate = JsonSerializer.Serialize(new { content = "x", components = new[] { new { type = 1, components = new[] { Button("same"), Button("same") } } } });

        Assert.Equal("BASE_TYPE_MAX_LENGTH", FirstErrorCode((await SendAsync(HttpMethod.Post, "/channels/1/messages", sixRows)).Body, "components"));
        Assert.Equal("BASE_TYPE_MAX_LENGTH", FirstErrorCode((await SendAsync(HttpMethod.Post, "/channels/1/messages", sixButtons)).Body, "components", "0", "components"));
        Assert.Equal("BASE_TYPE_BAD_LENGTH", FirstErrorCode((await SendAsync(HttpMethod.Post, "/channels/1/messages", longId)).Body, "components", "0", "components", "0", "custom_id"));
        Assert.Equal("COMPONENT_CUSTOM_ID_DUPLICATED", FirstErrorCode((await SendAsync(HttpMethod.Post, "/channels/1/messages", duplicate)).Body, "components", "0", "components", "1", "custom_id"));
    }

    [Fact]
    public async Task Command_schema_rules_are_enforced()
    {
        var app = _fake.Options.ApplicationId;
        var upper = """[{"name":"Ask","description":"d"}]""";
        var tooMany = JsonSerializer.Serialize(new[] { new { name = "ask", description = "d", options = Enumerable.Range(0, 26).Select(i => new { type = 3, name = $"o{i}", description = "d" }) } });
        var badRange = """[{"name":"rate","description":"d","options":[{"type":4,"name":"stars","description":"d","min_value":5,"max_value":1}]}]""";

        Assert.Equal("APPLICATION_COMMAND_INVALID_NAME", FirstErrorCode((await SendAsync(HttpMethod.Put, $"/applications/{app}/commands", upper)).Body, "0", "name"));
        Assert.Equal("BASE_TYPE_MAX_LENGTH", FirstErrorCode((await SendAsync(HttpMethod.Put, $"/applications/{app}/commands", tooMany)).Body, "0", "options"));
        Assert.Equal("APPLICATION_COMMAND_OPTION_MIN_MAX_INVALID", FirstErrorCode((await SendAsync(HttpMethod.Put, $"/applications/{app}/commands", badRange)).Body, "0", "options", "0", "min_value"));
        Assert.Equal(0, _fake.Rest.CommandWrites);
    }

    [Fact]
    public async Task Bot_routes_need_bot_auth_and_a_discord_user_agent_and_json_bodies()
    {
        Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(HttpMethod.Get, "/gateway/bot", null, auth: false)).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(HttpMethod.Get, "/gateway/bot", null, userAgent: false)).Status);
        var (status, body) = await SendAsync(HttpMethod.Post, "/channels/1/messages", """{"content":"x"}""", contentType: "text/plain");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(50035, body.GetProperty("code").GetInt32());
        Assert.Equal(2, _fake.Rest.InvalidRequestCount);
    }

    [Fact]
    public async Task Every_response_carries_rate_limit_headers_and_exceeding_them_gets_429()
    {
        _fake.Rest.SetRouteLimit(FakeRest.Routes.TriggerTyping, 2, TimeSpan.FromSeconds(30));
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_fake.ApiBaseUrl, "channels/5/typing"));
        request.Headers.TryAddWithoutValidation("User-Agent", "DiscordBot (https://example.test, 1.0)");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bot", _fake.Options.BotToken);
        using var first = await _http.SendAsync(request, TestContext.Current.CancellationToken);
        Assert.Equal("2", first.Headers.GetValues("X-RateLimit-Limit").Single());
        Assert.Equal("1", first.Headers.GetValues("X-RateLimit-Remaining").Single());
        Assert.True(double.Parse(first.Headers.GetValues("X-RateLimit-Reset-After").Single(), System.Globalization.CultureInfo.InvariantCulture) > 0);
        Assert.False(string.IsNullOrEmpty(first.Headers.GetValues("X-RateLimit-Bucket").Single()));

        await SendAsync(HttpMethod.Post, "/channels/5/typing", null);
        var (status, body) = await SendAsync(HttpMethod.Post, "/channels/5/typing", null);
        Assert.Equal(HttpStatusCode.TooManyRequests, status);
        Assert.True(body.GetProperty("retry_after").GetDouble() > 0);
        Assert.False(body.GetProperty("global").GetBoolean());
        Assert.Equal(2, _fake.Rest.TypingTriggers(5));
    }

    [Fact]
    public async Task Interaction_routes_work_without_auth_and_record_a_bot_token_sent_there()
    {
        var (status, body) = await SendAsync(HttpMethod.Post, "/interactions/1/nope/callback", """{"type":5}""", auth: false);
        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Equal(10062, body.GetProperty("code").GetInt32());
        Assert.Equal(0, _fake.Rest.BotTokenSentOnInteractionRoutes);

        await SendAsync(HttpMethod.Post, "/interactions/1/nope/callback", """{"type":5}""", auth: true);
        Assert.Equal(1, _fake.Rest.BotTokenSentOnInteractionRoutes);
    }
}
