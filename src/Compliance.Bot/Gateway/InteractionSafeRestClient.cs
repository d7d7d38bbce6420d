using Discord.Net.Rest;

namespace Compliance.Bot.Gateway;

/// <summary>
/// Discord.Net's REST client with two changes: a base URL other than Discord's (tests reach the fake Discord this
/// way), and no <c>Authorization</c> header on interaction callbacks and webhook routes. Discord.Net sets the bot
/// token as a default header on every request; those routes are authorised by the interaction token in their path
/// and must not receive the bot token (it would be sent to a credential-less endpoint). Discord.Net has no setting
/// for either, so this stays. It also adds <c>nonce</c> + <c>enforce_nonce</c> to channel posts (<see cref="EnforcedNonce"/>).
/// </summary>
internal sealed class InteractionSafeRestClient : IRestClient
{
    private readonly IRestClient _bot;
    private readonly IRestClient _tokenless;

    private InteractionSafeRestClient(IRestClient bot, IRestClient tokenless)
    {
        _bot = bot;
        _tokenless = tokenless;
    }

    /// <summary>A provider for <c>DiscordSocketConfig.RestClientProvider</c>.</summary>
    public static RestClientProvider Provider(Uri? apiBaseUrl)
    {
        var inner = DefaultRestClientProvider.Create();
        return baseUrl =>
        {
            var url = apiBaseUrl is null ? baseUrl : baseUrl.Replace(Discord.DiscordConfig.APIUrl, apiBaseUrl.ToString(), StringComparison.Ordinal);
            return new InteractionSafeRestClient(inner(url), inner(url));
        };
    }

    /// <summary>Routes authorised by the interaction token in their path (discord-protocol.md §5).</summary>
    internal static bool IsInteractionRoute(string endpoint) =>
        endpoint.StartsWith("interactions/", StringComparison.Ordinal) || endpoint.StartsWith("webhooks/", StringComparison.Ordinal);

    public void SetHeader(string key, string value)
    {
        _bot.SetHeader(key, value);
        if (!string.Equals(key, "authorization", StringComparison.OrdinalIgnoreCase))
        {
            _tokenless.SetHeader(key, value);
        }
    }

    public void SetCancelToken(CancellationToken cancelToken)
    {
        _bot.SetCancelToken(cancelToken);
        _tokenless.SetCancelToken(cancelToken);
    }

    public Task<RestResponse> SendAsync(string method, string endpoint, CancellationToken cancelToken, bool headerOnly = false, string? reason = null,
        IEnumerable<KeyValuePair<string, IEnumerable<string>>>? requestHeaders = null) =>
        For(endpoint).SendAsync(method, endpoint, cancelToken, headerOnly, reason, requestHeaders);

    public Task<RestResponse> SendAsync(string method, string endpoint, string json, CancellationToken cancelToken, bool headerOnly = false, string? reason = null,
        IEnumerable<KeyValuePair<string, IEnumerable<string>>>? requestHeaders = null)
    {
        // Channel posts marked for enforce_nonce carry their nonce here (Discord.Net cannot send it).
        (json, reason) = EnforcedNonce.Apply(method, endpoint, json, reason);
        return For(endpoint).SendAsync(method, endpoint, json, cancelToken, headerOnly, reason, requestHeaders);
    }

    public Task<RestResponse> SendAsync(string method, string endpoint, IReadOnlyDictionary<string, object> multipartParams, CancellationToken cancelToken, bool headerOnly = false, string? reason = null,
        IEnumerable<KeyValuePair<string, IEnumerable<string>>>? requestHeaders = null) =>
        For(endpoint).SendAsync(method, endpoint, multipartParams, cancelToken, headerOnly, reason, requestHeaders);

    public void Dispose()
    {
        _bot.Dispose();
        _tokenless.Dispose();
    }

    private IRestClient For(string endpoint) => IsInteractionRoute(endpoint) ? _tokenless : _bot;
}
