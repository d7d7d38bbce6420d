using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Compliance.Testing.FakeDiscord;

namespace Compliance.Testing.Tests.FakeDiscord;

/// <summary>A REST response as a test reads it: status, headers and JSON body.</summary>
internal sealed record RawResponse(HttpStatusCode Status, HttpResponseHeaders Headers, JsonNode? Body)
{
    public string? Header(string name) => Headers.TryGetValues(name, out var values) ? values.Single() : null;

    public int? Code => Body?["code"]?.GetValue<int>();
}

/// <summary>
/// Raw HTTP against the fake's REST API, with the headers a Discord client sends (<c>User-Agent: DiscordBot (…)</c>,
/// <c>Authorization: Bot …</c> on bot routes, none on interaction routes) and nothing else.
/// </summary>
internal sealed class RawRest(FakeDiscordServer fake) : IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = fake.ApiBaseUrl };

    public Task<RawResponse> BotAsync(HttpMethod method, string path, object? body = null, string? token = null) =>
        SendAsync(method, path, body, "Bot " + (token ?? fake.Options.BotToken));

    public Task<RawResponse> WebhookAsync(HttpMethod method, string path, object? body = null) => SendAsync(method, path, body, null);

    /// <summary>Acknowledges an interaction with a callback of <paramref name="type"/>.</summary>
    public Task<RawResponse> CallbackAsync(FakeInteraction interaction, int type, object? data = null) =>
        WebhookAsync(HttpMethod.Post, $"interactions/{RawGateway.Id(interaction.Id)}/{interaction.Token}/callback", data is null ? new { type } : new { type, data });

    public string OriginalPath(FakeInteraction interaction) => $"webhooks/{RawGateway.Id(fake.Options.ApplicationId)}/{interaction.Token}/messages/@original";

    public string FollowupPath(FakeInteraction interaction, string? messageId = null) =>
        $"webhooks/{RawGateway.Id(fake.Options.ApplicationId)}/{interaction.Token}" + (messageId is null ? "" : "/messages/" + messageId);

    private async Task<RawResponse> SendAsync(HttpMethod method, string path, object? body, string? authorization)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.TryAddWithoutValidation("User-Agent", "DiscordBot (https://example.invalid, 1.0)");
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }
        if (body is not null)
        {
            request.Content = new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");
        }
        using var response = await _http.SendAsync(request, TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        return new RawResponse(response.StatusCode, response.Headers, text.Length > 0 && text[0] is '{' or '[' ? JsonNode.Parse(text) : null);
    }

    public void Dispose() => _http.Dispose();
}
