using System.ComponentModel.DataAnnotations;
using Compliance.Discord.Gateway;

namespace Compliance.Discord;

/// <summary>
/// Settings for the Discord client (bound from the <c>Discord</c> configuration section). Validated at start-up:
/// a missing token or a malformed URL stops the host with a message naming the setting.
/// </summary>
public sealed class DiscordOptions : IValidatableObject
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "Discord";

    /// <summary>The bot token from the Developer Portal, without the <c>Bot </c> prefix. Never logged.</summary>
    [Required(ErrorMessage = "Discord:BotToken is required (the bot token from the Developer Portal).")]
    public string BotToken { get; set; } = "";

    /// <summary>
    /// The application id. Optional: READY and <c>GET /applications/@me</c> also provide it, but command
    /// registration before the gateway connects needs it.
    /// </summary>
    public ulong? ApplicationId { get; set; }

    /// <summary>REST base URL including the version. Overridden by tests to point at the fake Discord.</summary>
    public Uri ApiBaseUrl { get; set; } = new("https://discord.com/api/v10/");

    /// <summary>
    /// Gateway URL to use instead of asking <c>GET /gateway/bot</c>. Leave empty in production: Discord may move it.
    /// </summary>
    public Uri? GatewayUrl { get; set; }

    /// <summary>
    /// Gateway intents. The default, GUILDS | GUILD_MESSAGES | DIRECT_MESSAGES (4609), is the fewest that deliver
    /// MESSAGE_CREATE for mention follow-ups in guilds and DMs; message content of messages that mention the bot
    /// and of DMs arrives without the privileged MESSAGE_CONTENT intent. Slash commands alone would need 0.
    /// </summary>
    public GatewayIntents Intents { get; set; } = GatewayIntents.Guilds | GatewayIntents.GuildMessages | GatewayIntents.DirectMessages;

    /// <summary>This process's shard id (0-based).</summary>
    [Range(0, 65535)]
    public int ShardId { get; set; }

    /// <summary>Total number of shards; 1 for a single-process bot.</summary>
    [Range(1, 65536)]
    public int ShardCount { get; set; } = 1;

    /// <summary>The URL in the <c>User-Agent: DiscordBot (url, version)</c> header Discord requires.</summary>
    public Uri UserAgentUrl { get; set; } = new("https://github.com/compliance-assistant/compliance-assistant");

    /// <summary>The version in the <c>User-Agent</c> header.</summary>
    public string UserAgentVersion { get; set; } = "0.1.0";

    /// <summary>The <c>browser</c>/<c>device</c> name sent in Identify's properties.</summary>
    public string ClientName { get; set; } = "compliance-assistant";

    /// <summary>Gateway timing and limits; the defaults follow Discord's documented rules.</summary>
    public GatewayOptions Gateway { get; set; } = new();

    /// <summary>REST retry and rate-limit settings.</summary>
    public RestOptions Rest { get; set; } = new();

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (string.IsNullOrWhiteSpace(BotToken))
        {
            yield return new ValidationResult("Discord:BotToken is required (the bot token from the Developer Portal).", [nameof(BotToken)]);
        }
        else if (BotToken.StartsWith("Bot ", StringComparison.OrdinalIgnoreCase) || BotToken.Any(char.IsWhiteSpace))
        {
            yield return new ValidationResult("Discord:BotToken must be the raw token, without a 'Bot ' prefix or whitespace.", [nameof(BotToken)]);
        }
        if (ApplicationId == 0)
        {
            yield return new ValidationResult("Discord:ApplicationId must be a snowflake when set.", [nameof(ApplicationId)]);
        }
        if (!ApiBaseUrl.IsAbsoluteUri || (ApiBaseUrl.Scheme != Uri.UriSchemeHttps && ApiBaseUrl.Scheme != Uri.UriSchemeHttp))
        {
            yield return new ValidationResult("Discord:ApiBaseUrl must be an absolute http(s) URL.", [nameof(ApiBaseUrl)]);
        }
        if (GatewayUrl is { } gateway && (!gateway.IsAbsoluteUri || (gateway.Scheme != "wss" && gateway.Scheme != "ws")))
        {
            yield return new ValidationResult("Discord:GatewayUrl must be an absolute ws(s) URL.", [nameof(GatewayUrl)]);
        }
        if (ShardId >= ShardCount)
        {
            yield return new ValidationResult("Discord:ShardId must be less than Discord:ShardCount.", [nameof(ShardId), nameof(ShardCount)]);
        }
        if ((Intents & ~GatewayIntentsExtensions.AllKnown) != 0)
        {
            yield return new ValidationResult("Discord:Intents contains bits that are not gateway intents.", [nameof(Intents)]);
        }
        foreach (var result in Gateway.Validate().Concat(Rest.Validate()))
        {
            yield return result;
        }
    }

    /// <summary>Throws <see cref="ValidationException"/> naming every invalid setting; for use without a host.</summary>
    public void ThrowIfInvalid()
    {
        var errors = new List<ValidationResult>();
        Validator.TryValidateObject(this, new ValidationContext(this), errors, validateAllProperties: true);
        if (errors.Count > 0)
        {
            throw new ValidationException(string.Join(" ", errors.Select(e => e.ErrorMessage).Distinct()));
        }
    }
}

/// <summary>REST client retry settings.</summary>
public sealed class RestOptions
{
    /// <summary>How many times a 5xx response or a network failure is retried before giving up.</summary>
    public int MaxServerErrorRetries { get; set; } = 3;

    /// <summary>First delay before retrying a 5xx; doubles on each attempt.</summary>
    public TimeSpan ServerErrorRetryDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>How many 429 responses one request waits out before failing with <see cref="Rest.DiscordRateLimitedException"/>.</summary>
    public int MaxRateLimitRetries { get; set; } = 5;

    /// <summary>Process-wide requests per second for bot-authorized routes (Discord's global limit is 50).</summary>
    public int GlobalRequestsPerSecond { get; set; } = 50;

    /// <summary>Added to every server-provided wait, to absorb clock and network skew.</summary>
    public TimeSpan RateLimitSafetyMargin { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>How long a 429 without a usable body or Retry-After header pauses everything.</summary>
    public TimeSpan UnparseableRateLimitPause { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Timeout for one HTTP attempt.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(15);

    internal IEnumerable<System.ComponentModel.DataAnnotations.ValidationResult> Validate()
    {
        if (MaxServerErrorRetries is < 0 or > 10)
        {
            yield return new("Discord:Rest:MaxServerErrorRetries must be between 0 and 10.");
        }
        if (MaxRateLimitRetries is < 0 or > 20)
        {
            yield return new("Discord:Rest:MaxRateLimitRetries must be between 0 and 20.");
        }
        if (GlobalRequestsPerSecond is < 1 or > 50)
        {
            yield return new("Discord:Rest:GlobalRequestsPerSecond must be between 1 and 50 (Discord's global limit).");
        }
        if (ServerErrorRetryDelay < TimeSpan.Zero || RateLimitSafetyMargin < TimeSpan.Zero || UnparseableRateLimitPause <= TimeSpan.Zero)
        {
            yield return new("Discord:Rest delays must not be negative.");
        }
        if (RequestTimeout <= TimeSpan.Zero)
        {
            yield return new("Discord:Rest:RequestTimeout must be positive.");
        }
    }
}
